// Local account facts the decision needs: an account's uid (passwd) and
// when its password was last changed (shadow). An interface so decision
// and caller-rule tests need no real users; SystemUserDb asks NSS.
#ifndef STAFFGATE_AGENT_USERS_USER_DB_H_
#define STAFFGATE_AGENT_USERS_USER_DB_H_

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace staffgate::agent {

class UserDb {
 public:
  virtual ~UserDb() = default;
  // The uid of `account`, or nullopt when it has no passwd entry (or the
  // lookup failed: the caller treats both as "not a local account").
  // Thread-safe.
  virtual std::optional<uid_t> UidOf(const std::string& account) const = 0;
  // shadow's sp_lstchg for `account`: days since 1970-01-01 (UTC) of the
  // last password change. nullopt when there is no shadow entry or it is
  // unreadable (non-root agent without nss_wrapper). Thread-safe.
  virtual std::optional<std::int64_t> PasswordChangedDay(const std::string& account) const = 0;
};

// getpwnam_r for uids; getspnam under a process-wide mutex for shadow,
// because nss_wrapper (used by the tests) wraps getspnam but not
// getspnam_r, and getspnam is not reentrant.
class SystemUserDb : public UserDb {
 public:
  std::optional<uid_t> UidOf(const std::string& account) const override;
  std::optional<std::int64_t> PasswordChangedDay(const std::string& account) const override;
};

// A fixed table, for tests and benchmarks.
class StaticUserDb : public UserDb {
 public:
  struct Entry {
    uid_t uid = 0;
    std::optional<std::int64_t> changed_day;  // nullopt: no shadow entry.
  };
  void Add(const std::string& account, uid_t uid, std::optional<std::int64_t> changed_day = {}) {
    entries_[account] = Entry{uid, changed_day};
  }
  std::optional<uid_t> UidOf(const std::string& account) const override;
  std::optional<std::int64_t> PasswordChangedDay(const std::string& account) const override;

 private:
  std::map<std::string, Entry> entries_;
};

}  // namespace staffgate::agent

#endif  // STAFFGATE_AGENT_USERS_USER_DB_H_
