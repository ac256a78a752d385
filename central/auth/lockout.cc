#include "central/auth/lockout.h"

#include <algorithm>

namespace staffgate::central {

bool IsLocked(const LockoutState& state, common::UnixSeconds now) {
  return state.locked_until && now < *state.locked_until;
}

void ExpireLockout(LockoutState& state, common::UnixSeconds now, const LockoutPolicy& policy) {
  if (state.locked_until && now >= *state.locked_until) state.locked_until.reset();
  auto& f = state.failures;
  f.erase(f.begin(), std::find_if(f.begin(), f.end(), [&](common::UnixSeconds t) {
            return t > now - policy.window_s;
          }));
}

bool RecordFailure(LockoutState& state, common::UnixSeconds now, const LockoutPolicy& policy) {
  ExpireLockout(state, now, policy);
  if (IsLocked(state, now)) return false;
  state.failures.push_back(now);
  if (static_cast<int>(state.failures.size()) < policy.failures) return false;
  state.failures.clear();
  state.locked_until = now + policy.lock_s;
  return true;
}

void LockoutBook::Load(const std::vector<LockoutRow>& rows) {
  std::lock_guard<std::mutex> lock(mu_);
  for (const LockoutRow& row : rows) states_[row.employee_id] = row.state;
}

bool LockoutBook::Locked(const std::string& id, common::UnixSeconds now) {
  return LockedUntil(id, now).has_value();
}

std::optional<common::UnixSeconds> LockoutBook::LockedUntil(const std::string& id,
                                                            common::UnixSeconds now) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = states_.find(id);
  if (it == states_.end() || !IsLocked(it->second, now)) return std::nullopt;
  return it->second.locked_until;
}

bool LockoutBook::Fail(const std::string& id, common::UnixSeconds now) {
  std::lock_guard<std::mutex> lock(mu_);
  dirty_.insert(id);
  return RecordFailure(states_[id], now, policy_);
}

void LockoutBook::Succeed(const std::string& id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = states_.find(id);
  if (it == states_.end() || it->second.failures.empty()) return;
  it->second.failures.clear();
  dirty_.insert(id);
}

bool LockoutBook::Unlock(const std::string& id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = states_.find(id);
  if (it == states_.end()) return false;
  const bool any = !it->second.failures.empty() || it->second.locked_until.has_value();
  states_.erase(it);
  dirty_.insert(id);
  return any;
}

std::vector<LockoutRow> LockoutBook::TakeDirty() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<LockoutRow> out;
  for (const std::string& id : dirty_) {
    auto it = states_.find(id);
    out.push_back(LockoutRow{id, it == states_.end() ? LockoutState{} : it->second});
    // Empty states are kept out of memory once written as deletions.
    if (it != states_.end() && it->second.failures.empty() && !it->second.locked_until) {
      states_.erase(it);
    }
  }
  dirty_.clear();
  return out;
}

void LockoutBook::ReturnDirty(const std::vector<LockoutRow>& rows) {
  std::lock_guard<std::mutex> lock(mu_);
  for (const LockoutRow& row : rows) dirty_.insert(row.employee_id);
}

}  // namespace staffgate::central
