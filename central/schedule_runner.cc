#include "central/schedule_runner.h"

#include <syslog.h>

#include <algorithm>

#include "common/thread.h"

namespace staffgate::central {
namespace {

constexpr std::chrono::milliseconds kMaxSleep{1000};
constexpr std::chrono::milliseconds kRetryAfterError{5000};

}  // namespace

ScheduleRunner::ScheduleRunner(Service& service, const common::Clock& clock, common::LogFn log)
    : service_(service), clock_(clock), log_(std::move(log)) {}

ScheduleRunner::~ScheduleRunner() { Stop(); }

void ScheduleRunner::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (thread_.joinable()) return;
  stop_ = false;
  thread_ = common::StartGuardedThread("scheduler", log_, [this] { Run(); });
}

void ScheduleRunner::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::chrono::milliseconds ScheduleRunner::RunOnce() {
  auto next = service_.NextScheduledChange();
  if (!next) return kMaxSleep;
  const std::int64_t now_ms = clock_.NowMs();
  const std::int64_t due_ms = *next * 1000;
  if (due_ms > now_ms) {
    return std::clamp(std::chrono::milliseconds(due_ms - now_ms), std::chrono::milliseconds(1),
                      kMaxSleep);
  }
  auto applied = service_.ApplyDueChanges();
  if (!applied) {
    log_(LOG_ERR, "cannot apply scheduled changes (retrying): " + applied.error().message);
    return kRetryAfterError;
  }
  for (const AppliedChange& change : *applied) {
    log_(LOG_NOTICE, "scheduled change for employee " + change.employee_id + ": " + change.change +
                         " (due " + common::FormatRfc3339(change.due) + ")" +
                         (change.status_changed || change.change == "started"
                              ? ""
                              : "; the status was already as strict"));
  }
  return std::chrono::milliseconds(1);  // Look again: more may have come due meanwhile.
}

void ScheduleRunner::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    lock.unlock();
    const std::chrono::milliseconds sleep = RunOnce();
    lock.lock();
    cv_.wait_for(lock, sleep, [this] { return stop_; });
  }
}

}  // namespace staffgate::central
