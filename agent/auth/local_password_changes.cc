#include "agent/auth/local_password_changes.h"

#include <algorithm>

namespace staffgate::agent {
namespace {

constexpr common::UnixSeconds kSecondsPerDay = 86400;

}  // namespace

void LocalPasswordChanges::Record(const std::string& account, common::UnixSeconds at) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = at_.find(account);
  if (it != at_.end()) {
    it->second = std::max(it->second, at);
    return;
  }
  if (max_ == 0) return;
  if (at_.size() >= max_) {
    at_.erase(std::min_element(at_.begin(), at_.end(),
                               [](const auto& a, const auto& b) { return a.second < b.second; }));
  }
  at_.emplace(account, at);
}

std::optional<common::UnixSeconds> LocalPasswordChanges::LastChange(
    const std::string& account) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = at_.find(account);
  if (it == at_.end()) return std::nullopt;
  return it->second;
}

std::optional<common::UnixSeconds> LocalPasswordChangedAt(
    std::optional<std::int64_t> shadow_day, std::optional<common::UnixSeconds> exact) {
  std::optional<common::UnixSeconds> day_start;
  if (shadow_day && *shadow_day > 0) day_start = *shadow_day * kSecondsPerDay;
  if (!exact) return day_start;
  // A later shadow day is a later change made some other way.
  return std::max(*exact, day_start.value_or(*exact));
}

}  // namespace staffgate::agent
