// Failover in the sync loop (docs/design.md §12): a long-poll held to its
// end is no hang, a dead central is left at once and the first one probed
// and taken back, on a clock set by hand (no sleeping, no network).
#include <catch2/catch.hpp>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "agent/sync/central_selector.h"
#include "agent/sync/sync_loop.h"
#include "failover_world.h"

namespace {

using staffgate::agent::CentralSelector;
using staffgate::agent::FetchRequest;
using staffgate::agent::FetchResult;
using staffgate::agent::HoldSeconds;
using staffgate::agent::RosterSource;
using staffgate::agent::SyncLoop;
using staffgate::agent::SyncTarget;
using staffgate::common::ErrorKind;
using staffgate::common::Fail;
using staffgate::common::Result;
using namespace failover_world;  // NOLINT(google-build-using-namespace)

}  // namespace

namespace {

// Roster answers by central; a hold advances the clock by the wait. The
// test scripts `answers` and reads `calls`, hence public.
// NOLINTBEGIN(cppcoreguidelines-non-private-member-variables-in-classes)
class CentralsSource : public RosterSource {
 public:
  explicit CentralsSource(MsClock& clock) : clock_(clock) {}
  std::map<std::string, std::vector<Result<FetchResult>>> answers;
  std::vector<FetchRequest> calls;

  Result<FetchResult> Fetch(const FetchRequest& request) override {
    calls.push_back(request);
    auto& script = answers[request.central_url];
    if (script.empty()) return Fail(ErrorKind::kUnavailable, kRefused);
    auto next = script.front();
    script.erase(script.begin());
    if (next && next->not_modified) clock_.Advance(std::chrono::seconds(request.wait_s));
    return next;
  }

 private:
  MsClock& clock_;
};
// NOLINTEND(cppcoreguidelines-non-private-member-variables-in-classes)

class Serials : public SyncTarget {
 public:
  std::optional<std::uint64_t> serial = 7;
  std::optional<std::uint64_t> CurrentSerial() const override { return serial; }
  Result<bool> InstallFromCentral(const std::string& envelope) override {
    serial = std::stoull(envelope);
    return true;
  }
};

FetchResult Unchanged() { return FetchResult{true, {}, false, {}}; }
FetchResult Roster(std::uint64_t serial) {
  return FetchResult{false, std::to_string(serial), false, {}};
}

}  // namespace

TEST_CASE(
    "sync rounds: a long-poll held to its end is no hang, a dead central is left for the next "
    "at once, and the first is probed and taken back",
    "[failover]") {
  using staffgate::agent::PlanNextRound;
  MsClock clock;
  CentralsSource source(clock);
  Serials target;
  CentralSelector selector({kA, kB}, clock, {}, 9);
  SyncLoop loop(source, target, selector, clock, {});
  staffgate::agent::Backoff backoff(std::chrono::seconds(1), std::chrono::seconds(60), 1);

  // A held 55 s and answered 304: A is fine.
  source.answers[kA] = {Unchanged()};
  REQUIRE(loop.RunOnce(55));
  CHECK(source.calls.back().wait_s == 55);
  CHECK(selector.Active().url == kA);
  CHECK_FALSE(selector.States()[0].down);

  // A dies (kill -9: the held request is reset): the next round is on B,
  // at once, without the backoff.
  source.answers[kA] = {Fail(ErrorKind::kUnavailable, "cannot reach the central: Recv failure")};
  auto died = loop.RunOnce(55);
  REQUIRE_FALSE(died);
  CHECK(selector.Active().url == kB);
  auto next = PlanNextRound(died, false, milliseconds(3), backoff, /*failed_over=*/true);
  CHECK(next.delay == milliseconds(0));
  CHECK(next.quick);
  CHECK(backoff.failures() == 0);

  // B has what was published meanwhile.
  source.answers[kB] = {Roster(8), Unchanged()};
  auto on_b = loop.RunOnce(0);
  REQUIRE(on_b);
  CHECK(*on_b == "installed serial 8");
  CHECK(source.calls.back().central_url == kB);
  CHECK(loop.Status().central_url == kB);
  CHECK(loop.Status().central_reachable);

  // The hold on B ends at A's retry time; then A is probed, briefly.
  const int hold = HoldSeconds(55, selector.UntilProbe());
  CHECK(hold >= 2);
  CHECK(hold <= 30);
  REQUIRE(loop.RunOnce(hold));
  auto due = selector.DueProbe();
  REQUIRE(due);
  CHECK(due->url == kA);
  CHECK_FALSE(loop.Probe(*due));  // Still dead.
  CHECK(source.calls.back().probe);
  CHECK(source.calls.back().central_url == kA);
  CHECK(selector.Active().url == kB);
  CHECK_FALSE(selector.DueProbe());

  // A is back: the probe answers and every call moves back to it.
  clock.Advance(*selector.UntilProbe());
  source.answers[kA] = {Unchanged(), Unchanged()};
  REQUIRE(loop.Probe(*selector.DueProbe()));
  CHECK(selector.Active().url == kA);
  REQUIRE(loop.RunOnce(0));
  CHECK(source.calls.back().central_url == kA);
  CHECK(source.calls.back().current_serial == 8U);
}

TEST_CASE("sync rounds: an answer that is an error (401, a rejected roster) keeps the central",
          "[failover]") {
  MsClock clock;
  CentralsSource source(clock);
  Serials target;
  CentralSelector selector({kA, kB}, clock, {}, 9);
  SyncLoop loop(source, target, selector, clock, {});
  source.answers[kA] = {Fail(ErrorKind::kPermission, "the central refused this token (HTTP 401)")};
  REQUIRE_FALSE(loop.RunOnce(55));
  CHECK(selector.Active().url == kA);
  CHECK_FALSE(selector.States()[0].down);
}
