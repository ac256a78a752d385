#include "central/event_quota.h"

#include <algorithm>
#include <cmath>

namespace staffgate::central {

EventQuota::Bucket& EventQuota::RefilledLocked(const std::string& workstation,
                                               std::int64_t now_ms) {
  const auto capacity = static_cast<double>(per_hour_);
  auto [it, fresh] = buckets_.try_emplace(workstation, Bucket{capacity, now_ms});
  Bucket& b = it->second;
  if (!fresh && now_ms > b.at_ms) {
    b.tokens =
        std::min(capacity, b.tokens + capacity * static_cast<double>(now_ms - b.at_ms) / 3.6e6);
    b.at_ms = now_ms;
  }
  return b;
}

std::optional<std::int64_t> EventQuota::RetryAfter(const std::string& workstation,
                                                   std::int64_t now_ms) {
  if (per_hour_ == 0) return std::nullopt;
  std::lock_guard<std::mutex> lock(mu_);
  const Bucket& b = RefilledLocked(workstation, now_ms);
  if (b.tokens >= 1) return std::nullopt;
  // Seconds until the bucket holds one event again.
  const double seconds = (1 - b.tokens) * 3600.0 / static_cast<double>(per_hour_);
  return std::max<std::int64_t>(1, static_cast<std::int64_t>(std::ceil(seconds)));
}

void EventQuota::Charge(const std::string& workstation, std::uint64_t events, std::int64_t now_ms) {
  if (per_hour_ == 0 || events == 0) return;
  std::lock_guard<std::mutex> lock(mu_);
  RefilledLocked(workstation, now_ms).tokens -= static_cast<double>(events);
}

}  // namespace staffgate::central
