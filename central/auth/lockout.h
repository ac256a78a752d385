// Fleet-wide lockout of staffgate passwords (docs/design.md §10):
// `failures` wrong passwords within `window_s` lock the employee's password
// for `lock_s`; while locked even the right password is refused. Pure
// decisions on an injected time, and a book of them by employee id.
#ifndef STAFFGATE_CENTRAL_AUTH_LOCKOUT_H_
#define STAFFGATE_CENTRAL_AUTH_LOCKOUT_H_

#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "central/model.h"
#include "common/time_util.h"

namespace staffgate::central {

struct LockoutPolicy {
  int failures = 10;                   // central.conf lockout_failures.
  common::UnixSeconds window_s = 300;  // central.conf lockout_window_s.
  common::UnixSeconds lock_s = 900;    // central.conf lockout_s.
};

// Whether `state` is locked at `now`.
bool IsLocked(const LockoutState& state, common::UnixSeconds now);
// Forgets failures older than the window and a lock that has run out.
void ExpireLockout(LockoutState& state, common::UnixSeconds now, const LockoutPolicy& policy);
// Records one failure at `now`. True when it starts a lock (the failures
// are then cleared: the lock's end starts a fresh window).
bool RecordFailure(LockoutState& state, common::UnixSeconds now, const LockoutPolicy& policy);

// The counters of every employee, by id. Changes are remembered for
// TakeDirty (the server writes them every 2 s). Thread-safe.
class LockoutBook {
 public:
  explicit LockoutBook(LockoutPolicy policy) : policy_(policy) {}
  void Load(const std::vector<LockoutRow>& rows);
  bool Locked(const std::string& id, common::UnixSeconds now);
  // The end of the current lock, if any.
  std::optional<common::UnixSeconds> LockedUntil(const std::string& id, common::UnixSeconds now);
  // One failure; true when it locks the password.
  bool Fail(const std::string& id, common::UnixSeconds now);
  // A right password: earlier failures no longer count.
  void Succeed(const std::string& id);
  // Clears failures and lock; true when there was any.
  bool Unlock(const std::string& id);
  // Rows changed since the last call (an empty state means: delete).
  std::vector<LockoutRow> TakeDirty();
  // Puts rows back that could not be written (unless changed meanwhile).
  void ReturnDirty(const std::vector<LockoutRow>& rows);

 private:
  LockoutPolicy policy_;
  std::mutex mu_;
  std::map<std::string, LockoutState> states_;
  std::set<std::string> dirty_;
};

}  // namespace staffgate::central

#endif  // STAFFGATE_CENTRAL_AUTH_LOCKOUT_H_
