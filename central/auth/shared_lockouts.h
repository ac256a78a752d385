// Lockout counters kept in a database other centrals share (docs/design.md
// §12): each failure, success and unlock is one transaction on the
// ledger's own connection, under the employee's lockout lock that every
// central takes, on the database's clock. Ten wrong passwords spread over
// three centrals lock the password as ten on one would. Thread-safe: one
// statement sequence at a time per central (the mutex guards the
// connection); the database serialises the centrals.
#ifndef STAFFGATE_CENTRAL_AUTH_SHARED_LOCKOUTS_H_
#define STAFFGATE_CENTRAL_AUTH_SHARED_LOCKOUTS_H_

#include <memory>
#include <mutex>
#include <string>

#include "central/auth/lockout_ledger.h"
#include "central/database.h"

namespace staffgate::central {

class Store;

class SharedLockouts final : public LockoutLedger {
 public:
  // Opens a connection of its own to `uri`. Errors: as Store::Open.
  static common::Result<std::unique_ptr<SharedLockouts>> Open(const std::string& uri,
                                                              LockoutPolicy policy);
  SharedLockouts(const SharedLockouts&) = delete;
  SharedLockouts& operator=(const SharedLockouts&) = delete;
  ~SharedLockouts() override;

  common::Result<std::optional<common::UnixSeconds>> LockedUntil(const std::string& id,
                                                                 common::UnixSeconds now) override;
  common::Result<bool> Fail(const std::string& id, common::UnixSeconds now) override;
  common::Result<bool> Succeed(const std::string& id, common::UnixSeconds now) override;
  common::Result<bool> Unlock(const std::string& id) override;

 private:
  SharedLockouts(std::unique_ptr<Store> store, LockoutPolicy policy);
  // A transaction holding `id`'s lock, its counters (expired ones
  // dropped) and the database's clock.
  struct Held {
    Transaction txn;
    LockoutState state;
    common::UnixSeconds now = 0;
  };
  // With mu_ held: begins the transaction and waits for the lock.
  common::Result<Held> Hold(const std::string& id, Durability durability);
  // Stores held.state (an empty one deletes the row) and commits.
  common::Result<void> WriteBack(const std::string& id, Held& held);

  std::mutex mu_;  // Guards store_'s connection.
  std::unique_ptr<Store> store_;
  const LockoutPolicy policy_;
};

}  // namespace staffgate::central

#endif  // STAFFGATE_CENTRAL_AUTH_SHARED_LOCKOUTS_H_
