// RosterStore: docs/design.md §2 acceptance as the agent applies it, the cached
// roster.dsse across restarts, and crash leftovers.
#include <atomic>
#include <catch2/catch.hpp>
#include <fstream>
#include <future>
#include <thread>

#include "agent/roster/roster_store.h"
#include "common/file_util.h"
#include "test_agent_util.h"

namespace staffgate::agent {
namespace {

using common::ErrorKind;
using common::Json;
using testutil::Employee;
using testutil::kNow;

struct StoreFixture {
  testutil::TempDir dir;
  common::FakeClock clock{kNow};
  common::PrivateKey key = *common::PrivateKey::Generate();
  common::PrivateKey other_key = *common::PrivateKey::Generate();
  std::vector<std::string> logs;
  std::vector<std::string> events;  // "installed <serial>", "rejected"
  std::string last_rejection;       // Its detail.
  std::mutex mu;

  std::string state() const { return dir / "state"; }

  std::unique_ptr<RosterStore> MakeStore() {
    auto store = std::make_unique<RosterStore>(
        state(), clock,
        [this](int, const std::string& line) {
          std::lock_guard<std::mutex> lock(mu);
          logs.push_back(line);
        },
        RosterEvents{[this](std::uint64_t serial, const std::string&) {
                       std::lock_guard<std::mutex> lock(mu);
                       events.push_back("installed " + std::to_string(serial));
                     },
                     [this](const std::string& detail) {
                       std::lock_guard<std::mutex> lock(mu);
                       events.emplace_back("rejected");
                       last_rejection = detail;
                     },
                     {}});
    return store;
  }
  std::vector<common::PublicKey> Keys() const { return {key.Public()}; }
  std::string Envelope(std::uint64_t serial, common::UnixSeconds lifetime = 7L * 86400) const {
    return testutil::Sign(
        testutil::RosterPayload(serial, Json::array({Employee("E1", "active", {"asmith"})}), {},
                                Json::object(), kNow - 3600, lifetime),
        key);
  }
  std::string Cached() const {
    return common::ReadFileCapped(state() + "/roster.dsse", 1 << 20).value_or("");
  }
};

TEST_CASE("roster store: install newer, equal is no change, older is a rollback", "[agent]") {
  StoreFixture f;
  auto store = f.MakeStore();
  REQUIRE(store->Load(f.Keys()));
  CHECK(store->Current() == nullptr);
  CHECK_FALSE(store->HighestSerial());

  auto first = store->Install(f.Envelope(5), "test");
  REQUIRE(first);
  CHECK(first->installed);
  CHECK(store->Current()->serial == 5);
  CHECK(f.Cached() == f.Envelope(5));

  auto newer = store->Install(f.Envelope(7), "test");
  REQUIRE(newer);
  CHECK(newer->installed);
  CHECK(store->Current()->serial == 7);

  auto same = store->Install(f.Envelope(7), "test");
  REQUIRE(same);
  CHECK(same->no_change);
  CHECK_FALSE(same->installed);

  auto older = store->Install(f.Envelope(6), "test");
  REQUIRE_FALSE(older);
  CHECK(older.error().kind == ErrorKind::kRollback);
  CHECK(store->Current()->serial == 7);
  CHECK(f.Cached() == f.Envelope(7));
  // The installed callback fires for each newer roster only, with its serial.
  CHECK(f.events == std::vector<std::string>{"installed 5", "installed 7", "rejected"});
  // The source leads, so the central can tell its own rosters' rejections.
  CHECK(f.last_rejection.rfind("from test: rollback: ", 0) == 0);
}

TEST_CASE("roster store: expired, badly signed and garbage rosters never replace the good one",
          "[agent]") {
  StoreFixture f;
  auto store = f.MakeStore();
  REQUIRE(store->Load(f.Keys()));
  REQUIRE(store->Install(f.Envelope(5), "test"));

  auto expired = store->Install(f.Envelope(9, 3000), "test");  // expired 600 s ago
  REQUIRE_FALSE(expired);
  CHECK(expired.error().kind == ErrorKind::kExpired);

  std::string foreign = testutil::Sign(
      testutil::RosterPayload(9, Json::array({Employee("E1", "active", {"asmith"})})), f.other_key);
  auto bad_sig = store->Install(foreign, "test");
  REQUIRE_FALSE(bad_sig);
  CHECK(bad_sig.error().kind == ErrorKind::kBadSignature);

  std::string tampered = f.Envelope(9);
  auto pos = tampered.find(R"("payload":")") + 12;
  tampered[pos] = tampered[pos] == 'A' ? 'B' : 'A';
  auto bad = store->Install(tampered, "test");
  REQUIRE_FALSE(bad);

  auto garbage = store->Install("{not json", "test");
  REQUIRE_FALSE(garbage);
  CHECK(garbage.error().kind == ErrorKind::kInvalidInput);

  CHECK(store->Current()->serial == 5);
  CHECK(f.Cached() == f.Envelope(5));
  CHECK(std::count(f.events.begin(), f.events.end(), "rejected") == 4);
}

TEST_CASE("roster store: a restart verifies roster.dsse again and keeps the serial floor",
          "[agent]") {
  StoreFixture f;
  {
    auto store = f.MakeStore();
    REQUIRE(store->Load(f.Keys()));
    REQUIRE(store->Install(f.Envelope(8), "test"));
  }
  auto store = f.MakeStore();
  REQUIRE(store->Load(f.Keys()));
  REQUIRE(store->Current());
  CHECK(store->Current()->serial == 8);
  auto older = store->Install(f.Envelope(3), "test");
  REQUIRE_FALSE(older);
  CHECK(older.error().kind == ErrorKind::kRollback);

  SECTION("the cache is refused under other keys") {
    auto other = f.MakeStore();
    auto loaded = other->Load({f.other_key.Public()});
    REQUIRE_FALSE(loaded);
    CHECK(loaded.error().kind == ErrorKind::kBadSignature);
    CHECK(other->Current() == nullptr);
  }
}

TEST_CASE("roster store: a tampered roster.dsse at start is refused (no roster)", "[agent]") {
  StoreFixture f;
  {
    auto store = f.MakeStore();
    REQUIRE(store->Load(f.Keys()));
    REQUIRE(store->Install(f.Envelope(8), "test"));
  }
  std::string text = f.Cached();
  auto pos = text.find(R"("sig":")") + 8;
  text[pos] = text[pos] == 'A' ? 'B' : 'A';
  REQUIRE(common::WriteFileAtomic(f.state() + "/roster.dsse", text, 0644));
  auto store = f.MakeStore();
  auto loaded = store->Load(f.Keys());
  REQUIRE_FALSE(loaded);
  CHECK(store->Current() == nullptr);
  CHECK(std::count(f.events.begin(), f.events.end(), "rejected") == 1);
  // A good roster can be installed afterwards.
  REQUIRE(store->Install(f.Envelope(9), "test"));
  CHECK(store->Current()->serial == 9);
}

TEST_CASE("roster store: an expired cached roster still sets the rollback floor", "[agent]") {
  StoreFixture f;
  {
    auto store = f.MakeStore();
    REQUIRE(store->Load(f.Keys()));
    REQUIRE(store->Install(f.Envelope(10, 7200), "test"));
  }
  f.clock.Advance(7200);  // now past expires_at
  auto store = f.MakeStore();
  REQUIRE(store->Load(f.Keys()));
  REQUIRE(store->Current());
  CHECK(store->Current()->expires_at <= f.clock.Now());  // kept only so decisions say why
  CHECK(store->HighestSerial() == 10U);
  f.clock.Set(kNow);  // an older roster that would itself still be valid...
  auto older = store->Install(f.Envelope(9), "test");
  REQUIRE_FALSE(older);
  CHECK(older.error().kind == ErrorKind::kRollback);  // ...is a rollback
}

TEST_CASE(
    "roster store: a temp file left by an interrupted write is removed at start and the "
    "old roster kept",
    "[agent]") {
  StoreFixture f;
  {
    auto store = f.MakeStore();
    REQUIRE(store->Load(f.Keys()));
    REQUIRE(store->Install(f.Envelope(4), "test"));
  }
  // What a kill during WriteFileAtomic leaves: a partial temp file.
  const std::string leftover = f.state() + "/roster.dsse.tmp.4242.17";
  std::ofstream(leftover) << f.Envelope(5).substr(0, 40);
  auto store = f.MakeStore();
  REQUIRE(store->Load(f.Keys()));
  CHECK(store->Current()->serial == 4);
  CHECK(f.Cached() == f.Envelope(4));
  auto names = testutil::TempDir::List(f.state());
  // The temp file is gone; the recorded serial and the space reserved for
  // the next roster (roster_disk.h) stay.
  CHECK(names == std::vector<std::string>{"roster.dsse", "roster.reserve", "roster.serial"});
}

TEST_CASE("roster store: not enrolled verifies nothing", "[agent]") {
  StoreFixture f;
  {
    auto store = f.MakeStore();
    REQUIRE(store->Load(f.Keys()));
    REQUIRE(store->Install(f.Envelope(4), "test"));
  }
  auto store = f.MakeStore();
  REQUIRE(store->Load({}));
  CHECK(store->Current() == nullptr);
  CHECK_FALSE(store->Install(f.Envelope(5), "test"));
}

// Roster `serial` has `serial` employees E1..E<serial> with accounts
// u1..u<serial>: a reader can tell a whole roster from a mix of two.
std::string StaffedEnvelope(const StoreFixture& f, std::uint64_t serial) {
  Json employees = Json::array();
  for (std::uint64_t i = 1; i <= serial; ++i) {
    employees.push_back(Employee("E" + std::to_string(i), "active", {"u" + std::to_string(i)}));
  }
  return testutil::Sign(testutil::RosterPayload(serial, employees), f.key);
}

// A whole roster: every employee its payload names, indexed, and nothing else.
bool IsWhole(const common::Roster& roster) {
  if (roster.employees.size() != roster.serial || roster.account_index.size() != roster.serial) {
    return false;
  }
  for (std::uint64_t i = 1; i <= roster.serial; ++i) {
    const common::Employee* e = roster.FindEmployee("u" + std::to_string(i));
    if (e == nullptr || e->id != "E" + std::to_string(i)) return false;
  }
  return true;
}

TEST_CASE("roster store: readers see a whole roster while installs run", "[agent]") {
  StoreFixture f;
  auto store = f.MakeStore();
  REQUIRE(store->Load(f.Keys()));
  REQUIRE(store->Install(StaffedEnvelope(f, 1), "test"));
  std::vector<std::string> envelopes;
  for (std::uint64_t s = 2; s <= 40; ++s) envelopes.push_back(StaffedEnvelope(f, s));
  std::atomic<bool> done{false};
  std::promise<void> reading;
  std::uint64_t last_seen = 0;
  std::uint64_t reads = 0;
  bool monotonic = true;
  bool whole = true;
  std::thread reader([&] {
    for (bool first = true;; first = false) {
      const bool last = done.load();  // Read once more after the installs ended.
      auto roster = store->Current();
      ++reads;
      if (!roster || roster->serial < last_seen) monotonic = false;
      if (roster && !IsWhole(*roster)) whole = false;
      if (roster) last_seen = roster->serial;
      if (first) reading.set_value();
      if (last) break;
    }
  });
  reading.get_future().wait();  // Installs start only once the reader runs.
  for (const auto& e : envelopes) REQUIRE(store->Install(e, "test"));
  done = true;
  reader.join();
  CHECK(reads > 1);
  CHECK(monotonic);
  CHECK(whole);
  CHECK(last_seen == 40);
  REQUIRE(store->Current());
  CHECK(store->Current()->serial == 40);
  CHECK(IsWhole(*store->Current()));
}

}  // namespace
}  // namespace staffgate::agent
