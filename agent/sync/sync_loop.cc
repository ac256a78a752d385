#include "agent/sync/sync_loop.h"

#include <syslog.h>

#include <algorithm>

#include "agent/sync/central_calls.h"
#include "common/thread.h"

namespace staffgate::agent {

SyncLoop::SyncLoop(RosterSource& source, SyncTarget& target, CentralSelector& selector,
                   const common::Clock& clock, common::LogFn log, int wait_s)
    : source_(source),
      target_(target),
      selector_(selector),
      clock_(clock),
      log_(std::move(log)),
      wait_s_(wait_s),
      backoff_(std::chrono::seconds(1), std::chrono::seconds(60),
               static_cast<std::uint64_t>(clock.NowMs())) {
  status_.configured = true;
}

SyncLoop::~SyncLoop() { Stop(); }

void SyncLoop::Start() {
  stop_ = false;
  thread_ = common::StartGuardedThread("sync-loop", log_, [this] { Run(); });
}

void SyncLoop::Stop() {
  stop_ = true;
  Wake();
  if (thread_.joinable()) thread_.join();
}

void SyncLoop::Wake() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    wake_ = true;
  }
  cv_.notify_all();
}

SyncStatus SyncLoop::Status() const {
  std::lock_guard<std::mutex> lock(mu_);
  return status_;
}

common::Result<std::string> SyncLoop::RunOnce(int wait_s) { return RunRound(wait_s).outcome; }

bool SyncLoop::Probe(const CentralChoice& central) {
  auto fetched = source_.Fetch(FetchRequest{central.url, target_.CurrentSerial(), 0, true});
  if (fetched || !CentralDown(fetched.error())) {
    selector_.Succeeded(central.index);
    return true;
  }
  if (!stop_) selector_.Failed(central.index, fetched.error().message);
  return false;
}

SyncLoop::Round SyncLoop::RunRound(int wait_s) {
  const CentralChoice central = selector_.Active();
  {
    std::lock_guard<std::mutex> lock(mu_);
    status_.last_attempt = clock_.Now();
    status_.central_url = central.url;
  }
  auto current = target_.CurrentSerial();
  // Without a roster there is nothing to wait for: ask for the current one.
  auto fetched = source_.Fetch(FetchRequest{central.url, current, current ? wait_s : 0, false});
  bool failed_over = false;
  if (fetched || !CentralDown(fetched.error())) {
    selector_.Succeeded(central.index);
  } else if (!stop_) {  // A transfer aborted by Stop says nothing of the central.
    failed_over = selector_.Failed(central.index, fetched.error().message);
  }
  common::Result<std::string> outcome;
  bool reachable = false;
  if (fetched && fetched->lease_ended && lease_ended_) lease_ended_();
  // Before installing: the new roster is read with this token's name.
  common::Result<void> who = common::Ok();
  if (fetched && !fetched->workstation.empty() && identity_) who = identity_(fetched->workstation);
  if (!fetched) {
    reachable = fetched.error().kind != common::ErrorKind::kUnavailable &&
                fetched.error().kind != common::ErrorKind::kTimeout;
    outcome = tl::unexpected(fetched.error());
  } else if (fetched->not_modified) {
    reachable = true;
    outcome = std::string("up to date");
  } else {
    reachable = true;
    auto installed = target_.InstallFromCentral(fetched->envelope);
    if (!installed) {
      outcome = common::Fail(installed.error().kind,
                             "roster from the central rejected: " + installed.error().message);
    } else {
      auto serial = target_.CurrentSerial();
      outcome = *installed ? "installed serial " + std::to_string(serial.value_or(0))
                           : std::string("up to date");
    }
  }
  if (!who) outcome = tl::unexpected(who.error());
  std::lock_guard<std::mutex> lock(mu_);
  status_.answered = true;
  status_.central_reachable = reachable;
  if (outcome) {
    status_.last_success = clock_.Now();
    status_.last_result = *outcome;
  } else {
    status_.last_result = outcome.error().message;
  }
  return Round{std::move(outcome), failed_over};
}

int HoldSeconds(int wait_s, std::optional<std::chrono::milliseconds> until_probe) {
  if (!until_probe || wait_s <= 0) return wait_s;
  const auto until_s = static_cast<int>((until_probe->count() + 999) / 1000);
  return std::max(1, std::min(wait_s, until_s));
}

NextRound PlanNextRound(const common::Result<std::string>& outcome, bool was_quick,
                        std::chrono::milliseconds spent, Backoff& backoff, bool failed_over) {
  NextRound next;
  if (outcome) {
    backoff.Reset();
    // A central that answers 304 at once instead of holding the request
    // must not turn the long-poll into a busy loop.
    if (*outcome == "up to date" && !was_quick && spent < std::chrono::seconds(1)) {
      next.delay = std::chrono::seconds(1) - spent;
    }
    return next;
  }
  next.quick = true;
  if (failed_over) return next;  // Another central, believed up: ask it now.
  next.delay = backoff.Next();
  if (outcome.error().kind == common::ErrorKind::kUnavailable) {
    next.delay = std::min(next.delay, kUnreachableProbe);
  }
  return next;
}

void SyncLoop::Run() {
  std::string last_error;
  // The first round asks without waiting, so `status` knows at once
  // whether the central answers instead of after a whole long-poll.
  bool quick = true;
  while (!stop_) {
    // A preferred central's retry time came: ask it before holding again.
    if (auto preferred = selector_.DueProbe()) {
      if (Probe(*preferred)) quick = true;  // Moved back: learn its state at once.
      if (stop_) break;
    }
    auto started = std::chrono::steady_clock::now();
    auto [outcome, failed_over] =
        RunRound(quick ? 0 : HoldSeconds(wait_s_, selector_.UntilProbe()));
    if (stop_) break;
    auto spent = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);
    const NextRound next = PlanNextRound(outcome, quick, spent, backoff_, failed_over);
    quick = next.quick;
    if (failed_over) {
      last_error.clear();  // The selector said which central is down and which is next.
    } else if (outcome) {
      if (!last_error.empty()) log_(LOG_NOTICE, "sync with the central restored");
      last_error.clear();
      if (*outcome != "up to date") log_(LOG_INFO, "sync: " + *outcome);
    } else {
      // Log a changed error at once, a repeated one only now and then.
      if (outcome.error().message != last_error || backoff_.failures() % 10 == 0) {
        log_(LOG_WARNING, "sync failed: " + outcome.error().message + " (retrying in " +
                              std::to_string(next.delay.count() / 1000) + " s)");
      }
      last_error = outcome.error().message;
    }
    if (next.delay.count() > 0) {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait_for(lock, next.delay, [this] { return wake_ || stop_.load(); });
      wake_ = false;
    }
  }
}

}  // namespace staffgate::agent
