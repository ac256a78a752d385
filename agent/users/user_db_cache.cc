#include "agent/users/user_db_cache.h"

namespace staffgate::agent {

std::optional<uid_t> CachingUserDb::UidOf(const std::string& account) const {
  const std::int64_t now = clock_.NowMs();
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = entries_.find(account);
    if (it != entries_.end() && it->second.expires_ms > now) return it->second.uid;
  }
  // Looked up outside the lock: a slow NSS source must not serialise
  // every other lookup behind it.
  std::optional<uid_t> uid = inner_.UidOf(account);
  std::lock_guard<std::mutex> lock(mu_);
  // A full cache is simply dropped: cheaper and simpler than LRU, and
  // only a flood of distinct names can fill it.
  if (entries_.size() >= max_entries_) entries_.clear();
  entries_[account] = Entry{uid, now + ttl_ms_};
  return uid;
}

void CachingUserDb::Clear() {
  std::lock_guard<std::mutex> lock(mu_);
  entries_.clear();
}

}  // namespace staffgate::agent
