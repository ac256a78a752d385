#include "agent/sync/backoff.h"

#include <algorithm>

namespace staffgate::agent {

Backoff::Backoff(Ms floor, Ms ceiling, std::uint64_t seed)
    : floor_(floor), ceiling_(std::max(floor, ceiling)), rng_(seed) {}

Backoff::Ms Backoff::Next() {
  std::int64_t upper = floor_.count();
  for (int i = 0; i < failures_ && upper < ceiling_.count(); ++i) upper *= 2;
  upper = std::min<std::int64_t>(upper, ceiling_.count());
  if (failures_ < 62) ++failures_;
  std::uniform_int_distribution<std::int64_t> dist(floor_.count(), upper);
  return Ms(dist(rng_));
}

}  // namespace staffgate::agent
