// A roster the agent has enforced is never forgotten by a restart, even
// when the disk was full as it arrived (docs/design.md §2, roster_disk.h).
// The full disk is injected through RosterDisk's allocation hook, which
// fails every write that needs new space the way ENOSPC would.
#include <errno.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "agent/roster/roster_store.h"
#include "common/file_util.h"
#include "test_agent_util.h"

namespace staffgate::agent {
namespace {

using common::Json;
using testutil::Employee;
using testutil::kNow;

struct DiskFixture {
  testutil::TempDir dir;
  common::FakeClock clock{kNow};
  common::PrivateKey key = *common::PrivateKey::Generate();
  std::atomic<bool> full{false};
  std::vector<std::string> logs, not_saved;

  std::unique_ptr<RosterStore> MakeStore() {
    return std::make_unique<RosterStore>(
        dir / "state", clock, [this](int, const std::string& line) { logs.push_back(line); },
        RosterEvents{{},
                     {},
                     [this](std::uint64_t serial, const std::string& why) {
                       not_saved.push_back(std::to_string(serial) + ": " + why);
                     }},
        [this](std::size_t) { return full ? ENOSPC : 0; });
  }
  std::string Envelope(std::uint64_t serial, const char* bjones_status) const {
    return testutil::Sign(
        testutil::RosterPayload(serial, Json::array({Employee("E1", "active", {"asmith"}),
                                                     Employee("E2", bjones_status, {"bjones"})})),
        key);
  }
  static bool Allows(const RosterStore& store, const std::string& account) {
    auto roster = store.Current();
    if (!roster) return false;
    const auto* employee = roster->FindEmployee(account);
    return employee != nullptr && employee->status == common::EmployeeStatus::kActive;
  }
};

TEST_CASE("roster disk: a termination that arrives on a full disk survives a restart",
          "[agent][roster_disk]") {
  DiskFixture f;
  {
    auto store = f.MakeStore();
    REQUIRE(store->Load({f.key.Public()}));
    REQUIRE(store->Install(f.Envelope(1, "active"), "test")->installed);
    f.full = true;
    auto outcome = store->Install(f.Envelope(2, "terminated"), "central");
    REQUIRE(outcome);
    CHECK(outcome->installed);
    CHECK_FALSE(DiskFixture::Allows(*store, "bjones"));
  }
  // Restart with the central unreachable: bjones must stay out.
  auto store = f.MakeStore();
  (void)store->Load({f.key.Public()});
  CHECK_FALSE(DiskFixture::Allows(*store, "bjones"));
  CHECK(store->HighestSerial() == 2U);
}

TEST_CASE("roster disk: without a reserve, a failed save is loud and a restart fails closed",
          "[agent][roster_disk]") {
  DiskFixture f;
  {
    auto store = f.MakeStore();
    REQUIRE(store->Load({f.key.Public()}));
    REQUIRE(store->Install(f.Envelope(1, "active"), "test")->installed);
    CHECK(store->Problem().empty());
    // The reserve is gone (say an earlier allocation failed) and the disk
    // is full: the envelope cannot be saved, the serial still can.
    unlink((f.dir / "state/roster.reserve").c_str());
    f.full = true;
    auto outcome = store->Install(f.Envelope(2, "terminated"), "central");
    REQUIRE(outcome);
    CHECK(outcome->installed);
    CHECK(outcome->warning.find("not saved") != std::string::npos);
    CHECK(store->Problem().find("not saved") != std::string::npos);
    REQUIRE(f.not_saved.size() == 1);
    CHECK(f.not_saved[0].rfind("2: ", 0) == 0);
  }
  auto store = f.MakeStore();
  CHECK_FALSE(store->Load({f.key.Public()}));
  // The cached serial 1 would let bjones in: it is not used at all.
  CHECK(store->Current() == nullptr);
  CHECK(store->HighestSerial() == 2U);
  CHECK(store->Problem().find("older than serial 2") != std::string::npos);
  // The central sends serial 2 again (the floor's own serial): installed.
  f.full = false;
  auto again = store->Install(f.Envelope(2, "terminated"), "central");
  REQUIRE(again);
  CHECK(again->installed);
  CHECK(store->Current()->serial == 2U);
  CHECK(store->Problem().empty());
  CHECK(DiskFixture::Allows(*store, "asmith"));
  // And an older one is still a rollback.
  CHECK_FALSE(store->Install(f.Envelope(1, "active"), "file"));
}

TEST_CASE("roster disk: the recorded serial is a fixed-size record rewritten in place",
          "[agent][roster_disk]") {
  testutil::TempDir dir;
  RosterDisk disk(dir.path());
  CHECK(disk.ReadFloor().value() == std::nullopt);
  REQUIRE(disk.RecordFloor(7));
  auto text = common::ReadFileCapped(disk.FloorPath(), 64);
  REQUIRE(text);
  CHECK(*text == "00000000000000000007\n");
  REQUIRE(disk.RecordFloor(12345));
  CHECK(disk.ReadFloor().value() == 12345U);
  REQUIRE(common::WriteFileAtomic(disk.FloorPath(), "garbage", 0644));
  CHECK_FALSE(disk.ReadFloor());
}

TEST_CASE("roster disk: a symlink planted as roster.serial is refused, not followed",
          "[agent][roster_disk]") {
  testutil::TempDir dir;
  const std::string target = dir / "elsewhere";
  REQUIRE(common::WriteFileAtomic(target, "untouched", 0644));
  RosterDisk disk(dir.path());
  REQUIRE(symlink(target.c_str(), disk.FloorPath().c_str()) == 0);
  CHECK_FALSE(disk.RecordFloor(9));
  CHECK(common::ReadFileCapped(target, 64).value() == "untouched");
}

}  // namespace
}  // namespace staffgate::agent
