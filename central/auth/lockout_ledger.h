// Where the lockout counters of staffgate passwords live (docs/design.md
// §10, §12): in the central's memory, written every 2 s (MemoryLockouts,
// over the pure LockoutBook), or, on a database other centrals share, in
// the database itself (SharedLockouts), so the failures an attacker spreads
// over several centrals count against one limit. Thread-safe.
#ifndef STAFFGATE_CENTRAL_AUTH_LOCKOUT_LEDGER_H_
#define STAFFGATE_CENTRAL_AUTH_LOCKOUT_LEDGER_H_

#include <optional>
#include <string>
#include <vector>

#include "central/auth/lockout.h"
#include "central/model.h"
#include "common/result.h"
#include "common/time_util.h"

namespace staffgate::central {

class LockoutLedger {
 public:
  virtual ~LockoutLedger() = default;
  // `now` is the central's clock; a shared ledger uses the database's.
  // Errors (shared only): kIo, kUnavailable (nothing recorded: the caller
  // answers 503 and the agent asks again or checks offline).
  // The end of `id`'s current lock, if any.
  virtual common::Result<std::optional<common::UnixSeconds>> LockedUntil(
      const std::string& id, common::UnixSeconds now) = 0;
  // One failure; true when it locks the password.
  virtual common::Result<bool> Fail(const std::string& id, common::UnixSeconds now) = 0;
  // A right password: earlier failures no longer count. Returns false when
  // the password is locked after all (failures through other centrals
  // locked it since the caller's check): the caller refuses it then.
  virtual common::Result<bool> Succeed(const std::string& id, common::UnixSeconds now) = 0;
  // Clears failures and lock; true when there were any.
  virtual common::Result<bool> Unlock(const std::string& id) = 0;
  // The rows to write since the last call, and those put back after a
  // failed write (memory only: a shared ledger has written them already).
  virtual std::vector<LockoutRow> TakeDirty() { return {}; }
  virtual void ReturnDirty(const std::vector<LockoutRow>& /*rows*/) {}
};

// The counters in memory (LockoutBook); never fails.
class MemoryLockouts final : public LockoutLedger {
 public:
  MemoryLockouts(LockoutPolicy policy, const std::vector<LockoutRow>& rows) : book_(policy) {
    book_.Load(rows);
  }
  common::Result<std::optional<common::UnixSeconds>> LockedUntil(const std::string& id,
                                                                 common::UnixSeconds now) override {
    return book_.LockedUntil(id, now);
  }
  common::Result<bool> Fail(const std::string& id, common::UnixSeconds now) override {
    return book_.Fail(id, now);
  }
  common::Result<bool> Succeed(const std::string& id, common::UnixSeconds now) override {
    book_.Succeed(id);
    return !book_.Locked(id, now);
  }
  common::Result<bool> Unlock(const std::string& id) override { return book_.Unlock(id); }
  std::vector<LockoutRow> TakeDirty() override { return book_.TakeDirty(); }
  void ReturnDirty(const std::vector<LockoutRow>& rows) override { book_.ReturnDirty(rows); }

 private:
  LockoutBook book_;
};

}  // namespace staffgate::central

#endif  // STAFFGATE_CENTRAL_AUTH_LOCKOUT_LEDGER_H_
