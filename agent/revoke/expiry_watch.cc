#include "agent/revoke/expiry_watch.h"

#include <algorithm>
#include <limits>

#include "agent/decision.h"
#include "common/thread.h"

namespace staffgate::agent {

std::vector<std::pair<common::UnixSeconds, std::size_t>> ExpiryDeadlines(
    const common::Roster& roster, common::UnixSeconds after) {
  std::vector<std::pair<common::UnixSeconds, std::size_t>> out;
  for (std::size_t i = 0; i < roster.employees.size(); ++i) {
    const auto& until = roster.employees[i].valid_until;
    if (until && *until > after) out.emplace_back(*until, i);
  }
  std::sort(out.begin(), out.end());
  return out;
}

ExpiryWatch::ExpiryWatch(Deps deps) : deps_(std::move(deps)) {}

ExpiryWatch::~ExpiryWatch() { Stop(); }

void ExpiryWatch::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (thread_.joinable()) return;
  stop_ = false;
  thread_ = common::StartGuardedThread("expiry-watch", deps_.log, [this] { Run(); });
}

void ExpiryWatch::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ExpiryWatch::RosterChanged(std::shared_ptr<const common::Roster> roster) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    roster_ = std::move(roster);
    // The second last ticked is planned again: a roster arriving within it
    // may carry a valid_until of that very second (row 7b refuses at it).
    const common::UnixSeconds after =
        handled_upto_ == std::numeric_limits<common::UnixSeconds>::min() ? handled_upto_
                                                                         : handled_upto_ - 1;
    deadlines_ = roster_ ? ExpiryDeadlines(*roster_, after)
                         : std::vector<std::pair<common::UnixSeconds, std::size_t>>{};
    next_ = 0;
    changed_ = true;
  }
  cv_.notify_all();
}

std::optional<common::UnixSeconds> ExpiryWatch::Tick() {
  std::vector<std::pair<std::string, std::string>> to_end;
  std::optional<common::UnixSeconds> next;
  {
    std::lock_guard<std::mutex> lock(mu_);
    const common::UnixSeconds now = deps_.clock->Now();
    auto config = deps_.config();
    DecisionContext ctx;
    ctx.config = config.get();
    ctx.roster = roster_.get();
    ctx.users = deps_.users;
    ctx.now = now;
    for (; next_ < deadlines_.size() && deadlines_[next_].first <= now; ++next_) {
      const common::Employee& employee = roster_->employees[deadlines_[next_].second];
      for (const std::string& account : employee.accounts) {
        DecisionInput input;
        input.account = account;
        input.service = "staffgated";
        if (Decide(input, ctx).reason != Reason::kExpired) continue;
        to_end.emplace_back(
            account, "valid_until " + common::FormatRfc3339(deadlines_[next_].first) + " passed");
      }
    }
    handled_upto_ = std::max(handled_upto_, now);
    if (next_ < deadlines_.size()) next = deadlines_[next_].first;
  }
  // Outside the lock: the Revoker only queues, but keep our lock short.
  for (const auto& [account, detail] : to_end) deps_.end(account, detail);
  return next;
}

void ExpiryWatch::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    changed_ = false;  // Tick below sees every change made before this.
    lock.unlock();
    std::optional<common::UnixSeconds> next = Tick();
    lock.lock();
    if (stop_) break;
    std::chrono::milliseconds sleep = kMaxSleep;
    if (next) {
      // Wake at the second itself (row 7b: valid_until == now refuses).
      const std::int64_t ms = *next * 1000 - deps_.clock->NowMs();
      sleep = std::clamp(std::chrono::milliseconds(ms), std::chrono::milliseconds(1),
                         std::chrono::milliseconds(kMaxSleep));
    }
    // A roster change notifies: its deadlines are planned on the next turn.
    // One made while Tick ran (unlocked) left changed_ set: no sleep then.
    cv_.wait_for(lock, sleep, [this] { return stop_ || changed_; });
  }
}

}  // namespace staffgate::agent
