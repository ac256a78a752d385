#include <catch2/catch.hpp>
#include <deque>
#include <future>
#include <string>
#include <utility>
#include <vector>

#include "agent/sync/backoff.h"
#include "agent/sync/central_selector.h"
#include "agent/sync/sync_loop.h"

namespace {

using staffgate::agent::Backoff;
using staffgate::agent::CentralSelector;
using staffgate::agent::FetchRequest;
using staffgate::agent::FetchResult;
using staffgate::agent::RosterSource;
using staffgate::agent::SyncLoop;
using staffgate::agent::SyncStatus;
using staffgate::agent::SyncTarget;
using staffgate::common::ErrorKind;
using staffgate::common::Fail;
using staffgate::common::FakeClock;
using staffgate::common::Result;

// Answers Fetch from a script; when the script runs out, answers
// kUnavailable. Records every call.
class ScriptedSource : public RosterSource {
 public:
  std::deque<Result<FetchResult>> answers;
  std::vector<std::pair<std::optional<std::uint64_t>, int>> calls;

  Result<FetchResult> Fetch(const FetchRequest& request) override {
    calls.emplace_back(request.current_serial, request.wait_s);
    if (answers.empty()) return Fail(ErrorKind::kUnavailable, "script ended");
    auto next = answers.front();
    answers.pop_front();
    return next;
  }
};

// A roster store that takes an envelope "serial N" as roster N: installs
// it when N is above the current serial, answers "no change" otherwise,
// and refuses anything else as badly signed.
class SerialTarget : public SyncTarget {
 public:
  std::optional<std::uint64_t> serial;
  std::vector<std::string> offered;

  std::optional<std::uint64_t> CurrentSerial() const override { return serial; }
  Result<bool> InstallFromCentral(const std::string& envelope) override {
    offered.push_back(envelope);
    if (envelope.rfind("serial ", 0) != 0) {
      return Fail(ErrorKind::kBadSignature, "no valid signature from a trusted key");
    }
    const std::uint64_t n = std::stoull(envelope.substr(7));
    if (serial && n <= *serial) return false;
    serial = n;
    return true;
  }
};

FetchResult Roster(std::uint64_t serial) {
  return FetchResult{false, "serial " + std::to_string(serial), false, {}};
}
FetchResult NotModified() { return FetchResult{true, {}, false, {}}; }

void Quiet(int /*unused*/, const std::string& /*unused*/) {}

// A sync loop over a scripted source and a serial target with one
// central, on a fake clock starting at `now`.
struct LoopWorld {
  explicit LoopWorld(std::int64_t now) : clock(now) {}
  ScriptedSource source;
  SerialTarget target;
  FakeClock clock;
  CentralSelector selector{{"https://central.test"}, clock, Quiet, 1};
  SyncLoop loop{source, target, selector, clock, Quiet};
};

}  // namespace

TEST_CASE("backoff grows with jitter between 1 s and 60 s and resets", "[sync]") {
  Backoff backoff(std::chrono::seconds(1), std::chrono::seconds(60), 42);
  std::int64_t max_seen = 0;
  for (int i = 0; i < 50; ++i) {
    auto d = backoff.Next();
    REQUIRE(d >= std::chrono::seconds(1));
    REQUIRE(d <= std::chrono::seconds(60));
    if (i < 3) REQUIRE(d <= std::chrono::seconds(1 << i));
    max_seen = std::max<std::int64_t>(max_seen, d.count());
  }
  REQUIRE(max_seen > 10000);  // It did grow well past the floor.
  backoff.Reset();
  REQUIRE(backoff.Next() == std::chrono::seconds(1));
}

TEST_CASE(
    "sync round: asks without waiting until it holds a roster, then long-polls from the "
    "serial the target holds",
    "[sync]") {
  LoopWorld world(1000);
  auto& [source, target, clock, selector, loop] = world;

  source.answers.emplace_back(Roster(42));
  auto first = loop.RunOnce(55);
  REQUIRE(first);
  CHECK(*first == "installed serial 42");
  CHECK(target.offered == std::vector<std::string>{"serial 42"});
  CHECK(source.calls.at(0) == std::make_pair(std::optional<std::uint64_t>(), 0));

  clock.Advance(10);
  source.answers.emplace_back(NotModified());
  auto second = loop.RunOnce(55);
  REQUIRE(second);
  CHECK(*second == "up to date");
  CHECK(source.calls.at(1) == std::make_pair(std::optional<std::uint64_t>(42), 55));
  CHECK(target.offered.size() == 1);  // A 304 installs nothing.
  CHECK(loop.Status().central_reachable);
  CHECK(loop.Status().last_success == 1010);
  CHECK(loop.Status().last_result == "up to date");

  // A roster installed by other means (staffgatectl install): the next
  // round asks from that serial, not from the one the loop installed.
  target.serial = 50;
  source.answers.emplace_back(NotModified());
  REQUIRE(loop.RunOnce(7));
  CHECK(source.calls.at(2) == std::make_pair(std::optional<std::uint64_t>(50), 7));
}

TEST_CASE("sync round: an envelope the target already has is up to date", "[sync]") {
  LoopWorld world(1000);
  auto& [source, target, clock, selector, loop] = world;
  target.serial = 9;
  source.answers.emplace_back(Roster(9));
  auto same = loop.RunOnce(55);
  REQUIRE(same);
  CHECK(*same == "up to date");
  CHECK(target.offered == std::vector<std::string>{"serial 9"});
  CHECK(loop.Status().last_success == 1000);
}

TEST_CASE("sync round: errors are reported in plain words and keep the roster", "[sync]") {
  LoopWorld world(2000);
  auto& [source, target, clock, selector, loop] = world;
  target.serial = 5;
  source.answers.emplace_back(NotModified());
  REQUIRE(loop.RunOnce(55));
  CHECK(loop.Status().last_success == 2000);
  clock.Advance(30);

  SECTION("a central that cannot be reached") {
    for (ErrorKind kind : {ErrorKind::kUnavailable, ErrorKind::kTimeout}) {
      source.answers.emplace_back(Fail(kind, "cannot reach the central: Couldn't connect"));
      auto down = loop.RunOnce(55);
      REQUIRE_FALSE(down);
      CHECK(down.error().kind == kind);
      SyncStatus status = loop.Status();
      CHECK(status.answered);
      CHECK_FALSE(status.central_reachable);
      CHECK(status.last_result == "cannot reach the central: Couldn't connect");
      CHECK(status.last_attempt == 2030);
      CHECK(status.last_success == 2000);  // The last round that worked.
    }
  }
  SECTION("a central that answers, but wrongly, is reachable") {
    source.answers.emplace_back(
        Fail(ErrorKind::kPermission, "the central refused the token (401)"));
    auto refused = loop.RunOnce(55);
    REQUIRE_FALSE(refused);
    CHECK(refused.error().kind == ErrorKind::kPermission);
    CHECK(loop.Status().central_reachable);
    CHECK(loop.Status().last_result == "the central refused the token (401)");
  }
  SECTION("a rejected roster keeps the old serial for the next round") {
    source.answers.emplace_back(FetchResult{false, "TAMPERED", false, {}});
    auto rejected = loop.RunOnce(55);
    REQUIRE_FALSE(rejected);
    CHECK(rejected.error().kind == ErrorKind::kBadSignature);
    CHECK(rejected.error().message ==
          "roster from the central rejected: no valid signature from a trusted key");
    CHECK(loop.Status().last_result == rejected.error().message);
    CHECK(loop.Status().central_reachable);
    CHECK(loop.Status().last_success == 2000);

    source.answers.emplace_back(NotModified());
    REQUIRE(loop.RunOnce(55));
    CHECK(source.calls.back() == std::make_pair(std::optional<std::uint64_t>(5), 55));
  }
}

TEST_CASE("sync thread: the first round does not wait, later rounds long-poll, failures are logged",
          "[sync]") {
  ScriptedSource source;
  SerialTarget target;
  target.serial = 5;
  FakeClock clock(3000);
  // Written by the loop's thread; read after Stop has joined it.
  std::vector<std::string> logs;
  std::promise<void> failure_logged;
  auto log = [&](int, const std::string& line) {
    logs.push_back(line);
    if (logs.size() == 1) failure_logged.set_value();
  };
  CentralSelector selector({"https://central.test"}, clock, Quiet, 1);
  SyncLoop loop(source, target, selector, clock, log, /*wait_s=*/30);
  source.answers.emplace_back(NotModified());  // Not logged: nothing happened.
  source.answers.emplace_back(Fail(ErrorKind::kUnavailable, "cannot reach the central"));

  loop.Start();
  failure_logged.get_future().wait();  // The loop now backs off for at least 1 s...
  loop.Stop();                         // ...which Stop cuts short.

  REQUIRE(source.calls.size() >= 2);
  CHECK(source.calls[0] == std::make_pair(std::optional<std::uint64_t>(5), 0));
  CHECK(source.calls[1] == std::make_pair(std::optional<std::uint64_t>(5), 30));
  REQUIRE_FALSE(logs.empty());
  CHECK_THAT(logs.front(),
             Catch::StartsWith("sync failed: cannot reach the central (retrying in "));
  CHECK(loop.Status().answered);
}

TEST_CASE("sync plan: an unreachable central is probed within 3 s, an answering one backs off",
          "[sync]") {
  using staffgate::agent::kUnreachableProbe;
  using staffgate::agent::PlanNextRound;
  using std::chrono::milliseconds;
  Backoff backoff(std::chrono::seconds(1), std::chrono::seconds(60), 7);
  const Result<std::string> down = Fail(ErrorKind::kUnavailable, "connection refused");
  const Result<std::string> slow = Fail(ErrorKind::kTimeout, "central did not answer in time");
  for (int i = 0; i < 20; ++i) {
    auto next = PlanNextRound(down, false, milliseconds(5), backoff);
    CHECK(next.delay <= kUnreachableProbe);
    CHECK(next.delay >= milliseconds(1000));
    // The round after a failure does not long-poll: `status` learns at
    // once that the central is back.
    CHECK(next.quick);
  }
  milliseconds longest(0);
  for (int i = 0; i < 20; ++i) {
    longest = std::max(longest, PlanNextRound(slow, false, milliseconds(5), backoff).delay);
  }
  CHECK(longest > kUnreachableProbe);  // Overload gets the whole backoff.
  // A success resets the backoff and goes back to long-polling.
  auto ok = PlanNextRound(std::string("up to date"), true, milliseconds(5), backoff);
  CHECK_FALSE(ok.quick);
  CHECK(ok.delay == milliseconds(0));
  CHECK(backoff.failures() == 0);
  // A long-poll answered 304 at once waits out the rest of a second.
  auto fast = PlanNextRound(std::string("up to date"), false, milliseconds(200), backoff);
  CHECK(fast.delay == milliseconds(800));
}

TEST_CASE(
    "sync round: the central's name for the token is handed over before the install, and a "
    "refused name fails the round with its sentence while the roster still installs",
    "[sync]") {
  LoopWorld world(1000);
  auto& [source, target, clock, selector, loop] = world;
  std::vector<std::pair<std::string, std::size_t>> told;  // Name, rosters offered by then.
  std::string refuse;
  loop.OnIdentity([&](const std::string& name) -> Result<void> {
    told.emplace_back(name, world.target.offered.size());  // A binding cannot be captured.
    if (name == refuse) return Fail(ErrorKind::kConfig, "names differ");
    return staffgate::common::Ok();
  });

  FetchResult named = Roster(3);
  named.workstation = "SVC-03";
  source.answers.emplace_back(named);
  auto first = loop.RunOnce(0);
  REQUIRE(first);
  CHECK(told == std::vector<std::pair<std::string, std::size_t>>{{"SVC-03", 0}});

  refuse = "SVC-03";
  named = Roster(4);
  named.workstation = "SVC-03";
  source.answers.emplace_back(named);
  auto second = loop.RunOnce(0);
  REQUIRE_FALSE(second);
  CHECK(second.error().message == "names differ");
  CHECK(target.serial == 4U);  // Revocations keep arriving.
  CHECK(loop.Status().last_result == "names differ");

  source.answers.emplace_back(NotModified());  // An answer that names no one.
  REQUIRE(loop.RunOnce(0));
  CHECK(told.size() == 2);
}
