#include "agent/auth/failure_limiter.h"

namespace staffgate::agent {

FailureLimiter::FailureLimiter(const common::Clock& clock, FailureLimits limits)
    : clock_(clock), limits_(limits) {}

void FailureLimiter::Expire(std::deque<common::UnixSeconds>& times, common::UnixSeconds now) const {
  while (!times.empty() && times.front() + limits_.window_s <= now) times.pop_front();
}

bool FailureLimiter::MayTry(const std::string& account) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = failures_.find(account);
  if (it == failures_.end()) return true;
  Expire(it->second, clock_.Now());
  if (it->second.empty()) {
    failures_.erase(it);
    return true;
  }
  return it->second.size() < limits_.max_failures;
}

void FailureLimiter::RecordFailure(const std::string& account) {
  std::lock_guard<std::mutex> lock(mu_);
  const common::UnixSeconds now = clock_.Now();
  if (failures_.size() >= limits_.max_accounts && !failures_.contains(account)) {
    // Drop entries whose window has passed; if none, the oldest failure.
    for (auto it = failures_.begin(); it != failures_.end();) {
      Expire(it->second, now);
      it = it->second.empty() ? failures_.erase(it) : std::next(it);
    }
    if (failures_.size() >= limits_.max_accounts) {
      auto oldest = failures_.begin();
      for (auto it = failures_.begin(); it != failures_.end(); ++it) {
        if (it->second.back() < oldest->second.back()) oldest = it;
      }
      failures_.erase(oldest);
    }
  }
  auto& times = failures_[account];
  Expire(times, now);
  times.push_back(now);
  while (times.size() > limits_.max_failures) times.pop_front();
}

void FailureLimiter::RecordSuccess(const std::string& account) {
  std::lock_guard<std::mutex> lock(mu_);
  failures_.erase(account);
}

}  // namespace staffgate::agent
