#include "agent/socket/connection_quota.h"

#include <algorithm>

namespace staffgate::agent {

ConnectionQuota::Verdict ConnectionQuota::Acquire(uid_t uid) {
  std::lock_guard<std::mutex> lock(mu_);
  if (total_ >= limits_.max_connections) return Verdict::kFull;
  if (uid != 0) {
    // At most half kept back, so a small limit still serves users.
    const std::size_t reserve = std::min(limits_.root_reserve, limits_.max_connections / 2);
    if (non_root_ >= limits_.max_connections - reserve) return Verdict::kFull;
    std::size_t& mine = per_uid_[uid];
    if (mine >= limits_.per_uid) {
      if (mine == 0) per_uid_.erase(uid);
      return Verdict::kUidFull;
    }
    ++mine;
    ++non_root_;
  }
  ++total_;
  return Verdict::kAdmitted;
}

void ConnectionQuota::Release(uid_t uid) {
  std::lock_guard<std::mutex> lock(mu_);
  if (total_ > 0) --total_;
  if (uid == 0) return;
  if (non_root_ > 0) --non_root_;
  auto it = per_uid_.find(uid);
  if (it == per_uid_.end()) return;
  if (--it->second == 0) per_uid_.erase(it);
}

std::size_t ConnectionsWithinFdLimit(std::size_t wanted, std::uint64_t fd_limit) {
  if (fd_limit <= kFdHeadroom) return 1;
  return static_cast<std::size_t>(std::min<std::uint64_t>(wanted, fd_limit - kFdHeadroom));
}

std::size_t ConnectionQuota::Total() const {
  std::lock_guard<std::mutex> lock(mu_);
  return total_;
}

}  // namespace staffgate::agent
