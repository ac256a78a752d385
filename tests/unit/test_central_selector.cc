// Failover between several centrals (docs/design.md §12): the
// CentralSelector every call goes through and CallCentral's one retry on
// the next central, on a clock set by hand and with scripted centrals (no
// sleeping, no network). The sync loop's rounds: test_sync_failover.cc.
#include <catch2/catch.hpp>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "agent/sync/central_calls.h"
#include "agent/sync/central_selector.h"
#include "agent/sync/sync_loop.h"
#include "failover_world.h"

namespace {

using staffgate::agent::CallCentral;
using staffgate::agent::CentralChoice;
using staffgate::agent::CentralDown;
using staffgate::agent::CentralSelector;
using staffgate::agent::CentralState;
using staffgate::agent::HoldSeconds;
using staffgate::agent::kMinRetryMs;
using staffgate::common::ErrorKind;
using staffgate::common::Fail;
using staffgate::common::HttpsResponse;
using staffgate::common::Result;
using std::chrono::milliseconds;
using namespace failover_world;  // NOLINT(google-build-using-namespace)

}  // namespace

TEST_CASE("central selector: the first central is used while it answers", "[failover]") {
  MsClock clock;
  CentralSelector selector({kA, std::string(kB) + "/"}, clock, {}, 1);
  CHECK(selector.Active().url == kA);
  selector.Succeeded(0);
  selector.Succeeded(1);
  CHECK(selector.Active().index == 0);
  CHECK_FALSE(selector.DueProbe());
  CHECK_FALSE(selector.UntilProbe());
  const auto states = selector.States();
  REQUIRE(states.size() == 2);
  CHECK(states[1].url == kB);  // Trailing slashes dropped.
  CHECK(states[0].in_use);
  CHECK_FALSE(states[1].in_use);
}

TEST_CASE("central selector: a dead central is left at once and the next one used by every call",
          "[failover]") {
  MsClock clock;
  Logged log;
  CentralSelector selector({kA, kB, kC}, clock, log.fn(), 7);
  CHECK(selector.Failed(0, kRefused));  // Moved to one not known down: try again now.
  CentralChoice now = selector.Active();
  CHECK(now.url == kB);
  CHECK_FALSE(now.down);
  REQUIRE(log.lines.size() == 2);
  CHECK(log.lines[0] == "central https://a.test:8443 is down: " + kRefused);
  CHECK(log.lines[1] ==
        "now using the central at https://b.test:8443 (https://a.test:8443 is "
        "down: " +
            kRefused + ")");

  const std::int64_t failed_at = clock.ms;
  clock.Advance(milliseconds(500));
  const auto states = selector.States();
  CHECK(states[0].down);
  CHECK_FALSE(states[0].in_use);
  CHECK(states[0].down_since_ms == failed_at);
  CHECK(states[0].last_error == kRefused);
  CHECK(states[1].in_use);
  CHECK_FALSE(states[1].down);
  CHECK(states[1].last_error.empty());
  CHECK_FALSE(states[2].down);
}

TEST_CASE(
    "central selector: the first central is retried after 2-30 s by the probe alone, and used "
    "again once it answers",
    "[failover]") {
  MsClock clock;
  Logged log;
  CentralSelector selector({kA, kB}, clock, log.fn(), 3);
  selector.Failed(0, kRefused);
  auto until = selector.UntilProbe();
  REQUIRE(until);
  CHECK(*until >= CentralSelector::kRetryFloor);
  CHECK(*until <= CentralSelector::kRetryCeiling);
  CHECK_FALSE(selector.DueProbe());
  clock.Advance(*until);
  // Due: the sync loop probes it, while every other call stays on B.
  auto probe = selector.DueProbe();
  REQUIRE(probe);
  CHECK(probe->url == kA);
  CHECK(selector.Active().url == kB);

  // Still down: the next retry is later, and the wait grows, capped at 30 s.
  milliseconds longest{0};
  for (int i = 0; i < 30; ++i) {
    CHECK_FALSE(selector.Failed(0, "still refused"));  // B stays in use: nothing to retry now.
    auto wait = selector.UntilProbe();
    REQUIRE(wait);
    CHECK(*wait >= CentralSelector::kRetryFloor);
    CHECK(*wait <= CentralSelector::kRetryCeiling);
    longest = std::max(longest, *wait);
    clock.Advance(*wait);
  }
  CHECK(longest > milliseconds(10000));
  const std::int64_t since = selector.States()[0].down_since_ms;
  CHECK(selector.States()[0].last_error == "still refused");

  // Back: A is in use again and nothing is down.
  log.lines.clear();
  selector.Succeeded(0);
  CHECK(selector.Active().url == kA);
  CHECK_FALSE(selector.UntilProbe());
  CHECK_FALSE(selector.States()[0].down);
  CHECK(selector.States()[0].down_since_ms == 0);
  CHECK(since < clock.ms);
  CHECK(log.lines == std::vector<std::string>{
                         "now using the central at https://a.test:8443 (https://a.test:8443 "
                         "answers again)"});
  // A new outage starts its backoff from the floor again.
  selector.Failed(0, kRefused);
  CHECK(*selector.UntilProbe() <= milliseconds(2000));
}

TEST_CASE("central selector: with every central down, calls go to the one due first",
          "[failover]") {
  MsClock clock;
  CentralSelector selector({kA, kB}, clock, {}, 11);
  CHECK(selector.Failed(0, kRefused));
  CHECK_FALSE(selector.Failed(1, kRefused));  // Nothing up left: no retry at once.
  CentralChoice now = selector.Active();
  CHECK(now.down);
  clock.Advance(CentralSelector::kRetryFloor);
  // The floor has passed for both: the first in order is asked.
  CHECK(selector.Active().url == kA);
  CHECK_FALSE(selector.DueProbe());  // Nothing preferred over the one in use.
  selector.Succeeded(1);
  CHECK(selector.Active().url == kB);
  CHECK(selector.DueProbe()->url == kA);
  // One central: no failover, no probes; failures are the sync backoff's.
  CentralSelector one({kA}, clock, {}, 1);
  CHECK_FALSE(one.Failed(0, kRefused));
  CHECK(one.Active().url == kA);
  CHECK_FALSE(one.DueProbe());
  CHECK_FALSE(one.UntilProbe());
}

TEST_CASE("central selector: what counts as a central down", "[failover]") {
  CHECK(CentralDown(staffgate::common::Error{ErrorKind::kUnavailable, "refused"}));
  CHECK(CentralDown(staffgate::common::Error{ErrorKind::kTimeout, "no handshake"}));
  CHECK_FALSE(CentralDown(staffgate::common::Error{ErrorKind::kPermission, "401"}));
  CHECK_FALSE(CentralDown(staffgate::common::Error{ErrorKind::kTooLarge, "huge"}));
  CHECK(CentralDown(500L));
  CHECK(CentralDown(503L));
  CHECK_FALSE(CentralDown(507L));  // Its event store is full: a quota, not an outage.
  CHECK_FALSE(CentralDown(429L));
  CHECK_FALSE(CentralDown(409L));
  CHECK_FALSE(CentralDown(202L));
}

TEST_CASE("long-poll hold: cut short at the preferred central's retry, never below 1 s",
          "[failover]") {
  CHECK(HoldSeconds(55, std::nullopt) == 55);
  CHECK(HoldSeconds(55, milliseconds(7200)) == 8);
  CHECK(HoldSeconds(55, milliseconds(0)) == 1);
  CHECK(HoldSeconds(55, milliseconds(90000)) == 55);
  CHECK(HoldSeconds(0, milliseconds(7200)) == 0);  // A quick round stays quick.
}

namespace {

// Centrals by URL: each answers from its own script, then as `fallback`.
struct ScriptedCentrals {
  explicit ScriptedCentrals(MsClock& c) : clock(&c) {}
  MsClock* clock;
  std::map<std::string, std::vector<Result<HttpsResponse>>> answers;
  std::map<std::string, milliseconds> takes;       // Time a call spends there.
  std::vector<std::pair<std::string, int>> calls;  // URL, deadline.

  Result<HttpsResponse> Send(const std::string& url, int deadline_ms) {
    calls.emplace_back(url, deadline_ms);
    if (auto t = takes.find(url); t != takes.end()) {
      clock->Advance(std::min(t->second, milliseconds(deadline_ms)));
    }
    auto& script = answers[url];
    if (script.empty()) return Fail(ErrorKind::kUnavailable, "script ended");
    auto next = script.front();
    script.erase(script.begin());
    return next;
  }
};

HttpsResponse Status(long code) {
  HttpsResponse r;
  r.status = code;
  return r;
}

}  // namespace

TEST_CASE(
    "short calls: a refused central is asked no more, the next one answers within the same "
    "call",
    "[failover]") {
  MsClock clock;
  CentralSelector selector({kA, kB}, clock, {}, 5);
  ScriptedCentrals centrals(clock);
  centrals.answers[kA] = {Fail(ErrorKind::kUnavailable, kRefused)};
  centrals.answers[kB] = {Status(201), Status(200)};
  auto send = [&](const std::string& url, int ms) { return centrals.Send(url, ms); };
  auto first = CallCentral(selector, send, 1200, clock);
  REQUIRE(first);
  CHECK(first->status == 201);
  REQUIRE(centrals.calls.size() == 2);
  CHECK(centrals.calls[0] == std::make_pair(std::string(kA), 800));   // Two thirds: B is left.
  CHECK(centrals.calls[1] == std::make_pair(std::string(kB), 1200));  // The rest (none spent).
  // The next call goes straight to B.
  REQUIRE(CallCentral(selector, send, 1200, clock));
  CHECK(centrals.calls.back().first == kB);
  CHECK(centrals.calls.size() == 3);
}

TEST_CASE(
    "short calls: a hung central costs two thirds of the deadline, and no retry when too "
    "little is left",
    "[failover]") {
  MsClock clock;
  CentralSelector selector({kA, kB}, clock, {}, 5);
  ScriptedCentrals centrals(clock);
  auto send = [&](const std::string& url, int ms) { return centrals.Send(url, ms); };
  SECTION("enough left: B answers") {
    centrals.takes[kA] = milliseconds(60000);  // Never answers: the deadline ends it.
    centrals.answers[kA] = {Fail(ErrorKind::kTimeout, "central did not complete the connection")};
    centrals.answers[kB] = {Status(200)};
    auto r = CallCentral(selector, send, 1400, clock);
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(centrals.calls == std::vector<std::pair<std::string, int>>{{kA, 933}, {kB, 467}});
  }
  SECTION("too little left: the failure is the answer, and the next call goes to B") {
    centrals.takes[kA] = milliseconds(60000);
    centrals.answers[kA] = {Fail(ErrorKind::kTimeout, "central did not complete the connection")};
    centrals.answers[kB] = {Status(200)};
    auto r = CallCentral(selector, send, 300, clock);
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == ErrorKind::kTimeout);
    CHECK(centrals.calls.size() == 1);
    CHECK(300 - 200 < kMinRetryMs);
    CHECK(selector.Active().url == kB);
  }
  SECTION("an answer is never a reason to fail over, a 503 is") {
    centrals.answers[kA] = {Status(409), Status(503)};
    centrals.answers[kB] = {Status(201)};
    CHECK(CallCentral(selector, send, 1200, clock)->status == 409);
    CHECK(selector.Active().url == kA);
    CHECK(CallCentral(selector, send, 1200, clock)->status == 201);
    CHECK(selector.Active().url == kB);
    CHECK(selector.States()[0].last_error == "it answered HTTP 503");
  }
  SECTION("one central gets the whole deadline") {
    CentralSelector one({kA}, clock, {}, 1);
    centrals.answers[kA] = {Status(200)};
    REQUIRE(CallCentral(one, send, 1200, clock));
    CHECK(centrals.calls == std::vector<std::pair<std::string, int>>{{kA, 1200}});
  }
}
