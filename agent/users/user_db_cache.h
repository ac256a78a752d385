// A short-lived cache in front of a UserDb's uid lookups. Every request
// needs the account's uid (row 1, caller rules), and an NSS lookup costs
// dozens of system calls (files + systemd modules on Debian), which
// dominated the agent's per-decision cost. Entries, including "no such
// account", live for `ttl_ms` (default 5 s, like a very short nscd): a new
// or renumbered account is seen within that time. Password-change days
// are never cached, so a reset takes effect at the very next login.
// Thread-safe.
#ifndef STAFFGATE_AGENT_USERS_USER_DB_CACHE_H_
#define STAFFGATE_AGENT_USERS_USER_DB_CACHE_H_

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "agent/users/user_db.h"
#include "common/time_util.h"

namespace staffgate::agent {

class CachingUserDb : public UserDb {
 public:
  static constexpr std::int64_t kDefaultTtlMs = 5000;
  static constexpr std::size_t kDefaultMaxEntries = 8192;

  // `inner` and `clock` must outlive the cache.
  CachingUserDb(const UserDb& inner, const common::Clock& clock,
                std::int64_t ttl_ms = kDefaultTtlMs, std::size_t max_entries = kDefaultMaxEntries)
      : inner_(inner), clock_(clock), ttl_ms_(ttl_ms), max_entries_(max_entries) {}

  std::optional<uid_t> UidOf(const std::string& account) const override;
  std::optional<std::int64_t> PasswordChangedDay(const std::string& account) const override {
    return inner_.PasswordChangedDay(account);
  }
  // Forgets everything (SIGHUP).
  void Clear();

 private:
  struct Entry {
    std::optional<uid_t> uid;
    std::int64_t expires_ms = 0;
  };
  const UserDb& inner_;
  const common::Clock& clock_;
  const std::int64_t ttl_ms_;
  const std::size_t max_entries_;
  mutable std::mutex mu_;
  mutable std::unordered_map<std::string, Entry> entries_;
};

}  // namespace staffgate::agent

#endif  // STAFFGATE_AGENT_USERS_USER_DB_CACHE_H_
