// Rollout confirmation (docs/design.md §11): the per-workstation records
// (RolloutBook), "confirmed on N of M" (SummarizeRollout) with an injected
// clock, and the Service following an offline roster serial.
#include <catch2/catch.hpp>

#include "central/rollout_book.h"
#include "central/rollout_summary.h"
#include "central/service.h"
#include "common/json_util.h"
#include "tests/lib/temp_dir.h"

namespace {

using staffgate::central::FleetMember;
using staffgate::central::PublishedSerials;
using staffgate::central::RolloutBook;
using staffgate::central::RolloutRecord;
using staffgate::central::SerialRange;
using staffgate::central::Service;
using staffgate::central::ServiceOptions;
using staffgate::common::FakeClock;
using staffgate::common::Json;
using staffgate::common::PrivateKey;

constexpr std::int64_t kNow = 1'800'000'000;

Json Event(const std::string& type, std::int64_t time_s, const std::string& detail = "",
           std::optional<std::uint64_t> serial = std::nullopt) {
  Json e = {{"id", type + std::to_string(time_s)},
            {"type", type},
            {"time", staffgate::common::FormatRfc3339(time_s)}};
  if (!detail.empty()) e["detail"] = detail;
  if (serial) e["serial"] = *serial;
  return e;
}

FleetMember Member(std::string name, std::optional<std::int64_t> seen_ago,
                   std::optional<std::uint64_t> installed) {
  FleetMember m;
  m.name = std::move(name);
  if (seen_ago) m.last_contact = kNow - *seen_ago;
  m.rollout.installed_serial = installed;
  m.rollout.installed_at = kNow - 10;
  return m;
}

}  // namespace

TEST_CASE("rollout book: a poll records the roster in use, written only when it changes",
          "[central][rollout]") {
  RolloutBook book;
  book.OnPoll("SVC-01", 7, 7, kNow);
  auto dirty = book.TakeDirty();
  REQUIRE(dirty.size() == 1);
  CHECK(dirty[0].second.installed_serial == std::optional<std::uint64_t>(7));
  CHECK(dirty[0].second.installed_at == std::optional<std::int64_t>(kNow));
  // Thousands of long-polls naming the same serial write nothing.
  for (int i = 1; i <= 100; ++i) book.OnPoll("SVC-01", 7, 7, kNow + i);
  CHECK(book.TakeDirty().empty());
  CHECK(book.Find("SVC-01")->installed_at == std::optional<std::int64_t>(kNow));
  book.OnPoll("SVC-01", 8, 8, kNow + 200);
  CHECK(book.TakeDirty().size() == 1);
  CHECK(book.HighestInstalled() == 8);
  CHECK(book.HighestInstalledBy() == "SVC-01");
  book.Redirty({"SVC-01", "GONE"});
  CHECK(book.TakeDirty().size() == 1);
}

TEST_CASE("rollout book: rejections of the central's rosters flag the workstation",
          "[central][rollout]") {
  RolloutBook book;
  book.OnPoll("WS", 5, 6, kNow);
  // A cached roster or a file installed by hand is not the central's.
  book.OnEvent("WS", Event("roster_rejected", kNow, "cached: bad signature"), 6, kNow);
  book.OnEvent("WS", Event("roster_rejected", kNow, "from file /tmp/r: rollback: old"), 6, kNow);
  CHECK_FALSE(book.Find("WS")->rejecting);
  book.OnEvent("WS", Event("roster_rejected", kNow + 1, "from central: bad_signature: no key"), 6,
               kNow + 1);
  CHECK(book.Find("WS")->rejecting);
  CHECK(book.Find("WS")->last_error == "from central: bad_signature: no key");
  // Older agents say no source: taken as the central's.
  CHECK(staffgate::central::RejectionFromCentral("rollback: serial 3 is older"));
  // A later install clears the flag; the error stays as history.
  book.OnEvent("WS", Event("roster_installed", kNow + 2, "from central", 6), 6, kNow + 2);
  CHECK_FALSE(book.Find("WS")->rejecting);
  CHECK(book.Find("WS")->installed_serial == std::optional<std::uint64_t>(6));
  CHECK_FALSE(book.Find("WS")->last_error.empty());
  // A rejection older than that install, delivered late, is not a state.
  book.OnEvent("WS", Event("roster_rejected", kNow + 1, "from central: expired: x"), 7, kNow + 3);
  CHECK_FALSE(book.Find("WS")->rejecting);
  // Rejecting again, then a poll naming the current serial: nothing left to refuse.
  book.OnEvent("WS", Event("roster_rejected", kNow + 5, "from central: expired: x"), 7, kNow + 5);
  CHECK(book.Find("WS")->rejecting);
  book.OnPoll("WS", 7, 7, kNow + 6);
  CHECK_FALSE(book.Find("WS")->rejecting);
  // Other event types and malformed fields change nothing.
  book.TakeDirty();
  book.OnEvent("WS", Event("decision", kNow + 7), 7, kNow + 7);
  book.OnEvent("WS", Json{{"type", "roster_installed"}, {"serial", "nine"}}, 7, kNow + 7);
  CHECK(book.Find("WS")->installed_serial == std::optional<std::uint64_t>(7));
}

TEST_CASE("rollout book: long errors are capped on a character boundary", "[central][rollout]") {
  for (std::string prefix : {"from central: ", "from central: x"}) {  // Even and odd cuts.
    RolloutBook book;
    std::string detail = prefix;
    while (detail.size() < 1000) detail += "\xc3\xa9";  // é
    book.OnEvent("WS", Event("roster_rejected", kNow, detail), 2, kNow);
    const std::string& kept = book.Find("WS")->last_error;
    CHECK(kept.size() <= staffgate::central::kMaxRolloutErrorBytes);
    CHECK(kept.size() >= staffgate::central::kMaxRolloutErrorBytes - 1);
    CHECK(static_cast<unsigned char>(kept.back()) == 0xa9);
  }
}

TEST_CASE("rollout summary: confirmed on N of M counts those in contact within the window",
          "[central][rollout]") {
  PublishedSerials published{12, {}};
  std::vector<FleetMember> fleet = {
      Member("SVC-01", 5, 12), Member("SVC-02", 30, 11), Member("SVC-03", 2 * 86400, 10),
      Member("SVC-04", std::nullopt, std::nullopt), Member("SVC-00", 299, 12)};
  auto summary = staffgate::central::SummarizeRollout(fleet, 12, published, kNow, 300);
  CHECK(summary.online == 3);
  CHECK(summary.confirmed == 2);
  CHECK_FALSE(summary.Complete());
  CHECK(staffgate::central::ConfirmationLine(summary) == "confirmed on 2 of 3 workstations");
  REQUIRE(summary.workstations.size() == 5);
  CHECK(summary.workstations[0].member.name == "SVC-00");  // By name.
  CHECK(summary.workstations[2].online);
  CHECK_FALSE(summary.workstations[2].confirmed);
  CHECK(summary.workstations[1].confirmed_at == std::optional<std::int64_t>(kNow - 10));
  // Serial 11 was confirmed by three (a later serial confirms an earlier one).
  auto earlier = staffgate::central::SummarizeRollout(fleet, 11, published, kNow, 300);
  CHECK(earlier.confirmed == 3);
  CHECK(earlier.Complete());
  // Time passes: SVC-02 falls out of the window and no longer counts.
  auto later = staffgate::central::SummarizeRollout(fleet, 12, published, kNow + 280, 300);
  CHECK(later.online == 1);
  CHECK(later.Complete());
  // No workstation at all: nothing to wait for.
  CHECK(staffgate::central::SummarizeRollout({}, 12, published, kNow, 300).Complete());
}

TEST_CASE("rollout summary: an offline serial confirms nothing", "[central][rollout]") {
  PublishedSerials published{1012, {SerialRange{13, 1010}}};
  CHECK(published.Contains(12));
  CHECK_FALSE(published.Contains(500));
  CHECK(published.Contains(1011));
  CHECK_FALSE(published.Contains(1013));
  CHECK_FALSE(published.Contains(0));
  std::vector<FleetMember> fleet = {Member("A", 1, 1010), Member("B", 1, 2000),
                                    Member("C", 1, 1011)};
  auto summary = staffgate::central::SummarizeRollout(fleet, 12, published, kNow, 300);
  CHECK(summary.online == 3);
  CHECK(summary.confirmed == 1);  // Only C uses a roster of the central's.
}

TEST_CASE("rollout summary: last seen in words", "[central][rollout]") {
  using staffgate::central::LastSeen;
  CHECK(LastSeen(std::nullopt, kNow) == "never seen");
  CHECK(LastSeen(kNow, kNow) == "last seen just now");
  CHECK(LastSeen(kNow + 5, kNow) == "last seen just now");  // A clock step back.
  CHECK(LastSeen(kNow - 1, kNow) == "last seen 1 second ago");
  CHECK(LastSeen(kNow - 90, kNow) == "last seen 90 seconds ago");
  CHECK(LastSeen(kNow - 600, kNow) == "last seen 10 minutes ago");
  CHECK(LastSeen(kNow - 5 * 3600, kNow) == "last seen 5 hours ago");
  CHECK(LastSeen(kNow - 2 * 86400 - 7, kNow) == "last seen 2 days ago");
}

namespace {

struct RolloutWorld {
  staffgate::testutil::TempDir dir{"central-rollout"};
  std::string key_pem = PrivateKey::Generate()->ToPem();
  FakeClock clock{kNow};
  std::unique_ptr<Service> Open() {
    ServiceOptions options;
    options.db_path = dir / "central.db";
    options.online_window_s = 300;
    auto service = Service::Open(options, *PrivateKey::FromPem(key_pem), clock);
    REQUIRE(service);
    return std::move(*service);
  }
};

}  // namespace

TEST_CASE("service: installed serials survive a restart", "[central][rollout]") {
  RolloutWorld world;
  auto service = world.Open();
  REQUIRE(service->AddWorkstation("SVC-01", {"*"}));
  REQUIRE(service->AddWorkstation("SVC-02", {"*"}));
  const std::uint64_t current = service->Current()->serial;
  service->RecordContact("SVC-01", current, "staffgated/1");
  service->RecordInstalled("SVC-01", current, current);
  service->RecordContact("SVC-02", current, "staffgated/1");
  service->RecordInstalled("SVC-02", current - 1, current);
  REQUIRE(service->StoreEvents(
      "SVC-02", Json::array({Event("roster_rejected", kNow, "from central: bad_signature: x")})));
  auto summary = service->Rollout();
  CHECK(summary.online == 2);
  CHECK(summary.confirmed == 1);
  REQUIRE(service->FlushContacts());
  service.reset();
  world.clock.Advance(60);
  service = world.Open();
  summary = service->Rollout();
  REQUIRE(summary.workstations.size() == 2);
  CHECK(summary.workstations[0].member.rollout.installed_serial == current);
  CHECK(summary.workstations[1].member.rollout.rejecting);
  CHECK(summary.workstations[1].member.rollout.last_error == "from central: bad_signature: x");
  CHECK(summary.confirmed == 1);
  // Removed and registered again: a new machine, no record.
  REQUIRE(service->RemoveWorkstation("SVC-02"));
  REQUIRE(service->AddWorkstation("SVC-02", {"*"}));
  summary = service->Rollout();
  CHECK_FALSE(summary.workstations[1].member.rollout.installed_serial);
  CHECK_FALSE(summary.workstations[1].member.last_contact);
}

TEST_CASE("service: an offline serial above the central's is followed, once a minute, bounded",
          "[central][rollout]") {
  RolloutWorld world;
  auto service = world.Open();
  REQUIRE(service->AddWorkstation("SVC-01", {"*"}));
  const std::uint64_t before = service->Current()->serial;
  auto nothing = service->FollowInstalledSerials();
  REQUIRE(nothing);
  CHECK_FALSE(nothing->published);
  service->RecordInstalled("SVC-01", before + 1000, before);
  auto followed = service->FollowInstalledSerials();
  REQUIRE(followed);
  CHECK(followed->published);
  CHECK(followed->workstation == "SVC-01");
  CHECK(service->Current()->serial == before + 1001);
  // The serials stepped over are not the central's: one held there
  // confirms nothing, the next one does.
  service->RecordContact("SVC-01", std::uint64_t{0}, "staffgated/1");
  CHECK(service->Rollout(before).confirmed == 0);
  service->RecordInstalled("SVC-01", before + 1001, before + 1001);
  CHECK(service->Rollout(before).confirmed == 1);
  // Another offline roster within the minute waits for the next minute.
  service->RecordInstalled("SVC-01", before + 3000, before + 1001);
  REQUIRE_FALSE(service->FollowInstalledSerials()->published);
  world.clock.Advance(staffgate::central::kFollowIntervalS);
  REQUIRE(service->FollowInstalledSerials()->published);
  CHECK(service->Current()->serial == before + 3001);
  // Too far above is refused with one warning, and never followed.
  world.clock.Advance(staffgate::central::kFollowIntervalS);
  service->RecordInstalled("SVC-01", UINT64_MAX - 1, before + 3001);
  auto refused = service->FollowInstalledSerials();
  REQUIRE(refused);
  CHECK_FALSE(refused->published);
  CHECK(refused->warning.find("not followed") != std::string::npos);
  CHECK(service->FollowInstalledSerials()->warning.empty());  // Said once.
  CHECK(service->Current()->serial == before + 3001);
  // The stepped-over ranges survive a restart.
  service.reset();
  service = world.Open();
  CHECK(service->Current()->serial == before + 3001);
  CHECK(service->Rollout(before + 2000).workstations[0].confirmed == false);
}
