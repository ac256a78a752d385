// Exact times of local password changes (pam_unix), told by the module's
// password phase (op password_changed). Shadow keeps whole days, so a
// change made on the day of a credentials reset would otherwise not count
// (docs/design.md §3 row 10). Kept in memory: the central learns the
// change from the audit event and clears the reset, which every later
// roster carries. Bounded (the oldest record goes first). Thread-safe.
#ifndef STAFFGATE_AGENT_AUTH_LOCAL_PASSWORD_CHANGES_H_
#define STAFFGATE_AGENT_AUTH_LOCAL_PASSWORD_CHANGES_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "common/time_util.h"

namespace staffgate::agent {

class LocalPasswordChanges {
 public:
  explicit LocalPasswordChanges(std::size_t max_accounts = 4096) : max_(max_accounts) {}

  // `account` changed its password at `at` (a later time replaces an
  // earlier one; an earlier one is ignored).
  void Record(const std::string& account, common::UnixSeconds at);
  // The last change recorded for `account`, if any.
  std::optional<common::UnixSeconds> LastChange(const std::string& account) const;

 private:
  std::size_t max_;
  mutable std::mutex mu_;
  std::map<std::string, common::UnixSeconds> at_;
};

// The time `account`'s local password last changed: the exact time when
// one is recorded, else the start of shadow's day `shadow_day` (days since
// the epoch; <= 0 or absent: unknown). nullopt when neither is known.
std::optional<common::UnixSeconds> LocalPasswordChangedAt(std::optional<std::int64_t> shadow_day,
                                                          std::optional<common::UnixSeconds> exact);

}  // namespace staffgate::agent

#endif  // STAFFGATE_AGENT_AUTH_LOCAL_PASSWORD_CHANGES_H_
