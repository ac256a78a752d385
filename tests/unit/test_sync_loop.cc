#include <catch2/catch.hpp>

#include <deque>
#include <vector>

#include "agent/sync/backoff.h"
#include "agent/sync/sync_loop.h"

namespace {

using staffgate::agent::Backoff;
using staffgate::agent::FetchResult;
using staffgate::agent::RosterSource;
using staffgate::agent::SyncLoop;
using staffgate::agent::SyncTarget;
using staffgate::common::ErrorKind;
using staffgate::common::Fail;
using staffgate::common::FakeClock;
using staffgate::common::Result;

class ScriptedSource : public RosterSource {
 public:
  std::deque<Result<FetchResult>> answers;
  std::vector<std::pair<std::optional<std::uint64_t>, int>> calls;
  Result<FetchResult> Fetch(std::optional<std::uint64_t> serial, int wait_s) override {
    calls.emplace_back(serial, wait_s);
    auto next = answers.front();
    answers.pop_front();
    return next;
  }
};

class RecordingTarget : public SyncTarget {
 public:
  std::optional<std::uint64_t> serial;
  std::vector<std::string> installed;
  bool reject = false;
  std::optional<std::uint64_t> CurrentSerial() const override { return serial; }
  Result<bool> InstallFromCentral(const std::string& envelope) override {
    if (reject) return Fail(ErrorKind::kBadSignature, "no valid signature from a trusted key");
    installed.push_back(envelope);
    serial = serial.value_or(0) + 1;
    return true;
  }
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

TEST_CASE("sync round: installs a new roster, reports 304 as up to date", "[sync]") {
  ScriptedSource source;
  RecordingTarget target;
  FakeClock clock(1000);
  SyncLoop loop(source, target, clock, [](int, const std::string&) {});

  source.answers.push_back(FetchResult{false, "ENVELOPE-1"});
  auto first = loop.RunOnce(55);
  REQUIRE(first);
  REQUIRE(*first == "installed serial 1");
  // No roster yet: no long-poll wait on the first request.
  REQUIRE(source.calls[0].first == std::nullopt);
  REQUIRE(source.calls[0].second == 0);

  source.answers.push_back(FetchResult{true, {}});
  auto second = loop.RunOnce(55);
  REQUIRE(second);
  REQUIRE(*second == "up to date");
  REQUIRE(source.calls[1].first == 1u);
  REQUIRE(source.calls[1].second == 55);
  REQUIRE(loop.Status().central_reachable);
  REQUIRE(loop.Status().last_success == 1000);
}

TEST_CASE("sync round: errors are reported in plain words and keep the roster", "[sync]") {
  ScriptedSource source;
  RecordingTarget target;
  target.serial = 5;
  FakeClock clock(2000);
  SyncLoop loop(source, target, clock, [](int, const std::string&) {});

  source.answers.push_back(Fail(ErrorKind::kUnavailable, "cannot reach the central: Couldn't connect"));
  auto down = loop.RunOnce(55);
  REQUIRE_FALSE(down);
  REQUIRE_FALSE(loop.Status().central_reachable);
  REQUIRE(loop.Status().last_result.find("cannot reach") != std::string::npos);

  target.reject = true;
  source.answers.push_back(FetchResult{false, "TAMPERED"});
  auto rejected = loop.RunOnce(55);
  REQUIRE_FALSE(rejected);
  REQUIRE(rejected.error().kind == ErrorKind::kBadSignature);
  REQUIRE(loop.Status().last_result.find("rejected") != std::string::npos);
  REQUIRE(loop.Status().central_reachable);
  REQUIRE(target.serial == 5u);
}
