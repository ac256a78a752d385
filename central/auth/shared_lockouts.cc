#include "central/auth/shared_lockouts.h"

#include <utility>

#include "central/database.h"
#include "central/store.h"

namespace staffgate::central {

using common::Result;

SharedLockouts::SharedLockouts(std::unique_ptr<Store> store, LockoutPolicy policy)
    : store_(std::move(store)), policy_(policy) {}

SharedLockouts::~SharedLockouts() = default;

Result<std::unique_ptr<SharedLockouts>> SharedLockouts::Open(const std::string& uri,
                                                             LockoutPolicy policy) {
  auto store = Store::Open(uri);
  if (!store) return tl::unexpected(store.error());
  return std::unique_ptr<SharedLockouts>(new SharedLockouts(std::move(*store), policy));
}

Result<SharedLockouts::Held> SharedLockouts::Hold(const std::string& id, Durability durability) {
  auto txn = Transaction::Begin(store_->db(), durability);
  if (!txn) return tl::unexpected(txn.error());
  if (auto bounded = store_->BoundLockWait(); !bounded) {
    return tl::unexpected(bounded.error());
  }
  auto clock = store_->LockEmployeeLockout(id);
  if (!clock) return tl::unexpected(clock.error());
  auto state = store_->LoadLockout(id);
  if (!state) return tl::unexpected(state.error());
  ExpireLockout(*state, *clock, policy_);
  return Held{std::move(*txn), std::move(*state), *clock};
}

Result<void> SharedLockouts::WriteBack(const std::string& id, Held& held) {
  if (auto ok = store_->PutLockout(LockoutRow{id, held.state}); !ok) {
    return tl::unexpected(ok.error());
  }
  return held.txn.Commit();
}

Result<std::optional<common::UnixSeconds>> SharedLockouts::LockedUntil(
    const std::string& id, common::UnixSeconds /*now*/) {
  std::lock_guard<std::mutex> lock(mu_);
  auto now = store_->DatabaseNow();
  if (!now) return tl::unexpected(now.error());
  auto state = store_->LoadLockout(id);
  if (!state) return tl::unexpected(state.error());
  if (!IsLocked(*state, *now)) return std::optional<common::UnixSeconds>();
  return state->locked_until;
}

Result<bool> SharedLockouts::Fail(const std::string& id, common::UnixSeconds /*now*/) {
  std::lock_guard<std::mutex> lock(mu_);
  auto held = Hold(id, Durability::kSynced);
  if (!held) return tl::unexpected(held.error());
  const bool locked = RecordFailure(held->state, held->now, policy_);
  if (auto ok = WriteBack(id, *held); !ok) return tl::unexpected(ok.error());
  return locked;
}

Result<bool> SharedLockouts::Succeed(const std::string& id, common::UnixSeconds /*now*/) {
  std::lock_guard<std::mutex> lock(mu_);
  auto held = Hold(id, Durability::kRelaxed);
  if (!held) return tl::unexpected(held.error());
  // Under the lock: failures through other centrals may have locked it
  // since the caller looked.
  if (IsLocked(held->state, held->now)) return false;
  if (held->state.failures.empty()) return true;  // Nothing to forget.
  held->state.failures.clear();
  if (auto ok = WriteBack(id, *held); !ok) return tl::unexpected(ok.error());
  return true;
}

Result<bool> SharedLockouts::Unlock(const std::string& id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto held = Hold(id, Durability::kSynced);
  if (!held) return tl::unexpected(held.error());
  const bool any = !held->state.failures.empty() || held->state.locked_until.has_value();
  held->state = LockoutState{};
  if (auto ok = WriteBack(id, *held); !ok) return tl::unexpected(ok.error());
  return any;
}

}  // namespace staffgate::central
