#include "central/leases/shared_lease_desk.h"

#include <utility>

#include "central/database.h"
#include "central/store.h"

namespace staffgate::central {

using common::Json;
using common::Result;

SharedLeaseDesk::SharedLeaseDesk(std::unique_ptr<Store> store, LeaseDesk& local,
                                 common::UnixSeconds now)
    : store_(std::move(store)), local_(local), ended_seen_(now) {}

SharedLeaseDesk::~SharedLeaseDesk() = default;

Result<std::unique_ptr<SharedLeaseDesk>> SharedLeaseDesk::Open(const std::string& uri,
                                                               LeaseDesk& local) {
  auto store = Store::Open(uri);
  if (!store) return tl::unexpected(store.error());
  auto now = (*store)->DatabaseNow();
  if (!now) return tl::unexpected(now.error());
  return std::unique_ptr<SharedLeaseDesk>(new SharedLeaseDesk(std::move(*store), local, *now));
}

Result<LeaseBook> SharedLeaseDesk::LockedRows(const LeaseSelector& selector,
                                              common::UnixSeconds* now) {
  // Past the bound, kUnavailable: the agent applies lease_unreachable.
  if (auto bounded = store_->BoundLockWait(); !bounded) {
    return tl::unexpected(bounded.error());
  }
  auto clock = selector.account && !selector.id ? store_->LockAccountLeases(*selector.account)
                                                : store_->DatabaseNow();
  if (!clock) return tl::unexpected(clock.error());
  *now = *clock;
  auto rows = store_->SelectLeases(selector, /*lock=*/true);
  if (!rows) return tl::unexpected(rows.error());
  LeaseBook book;
  book.Load(*rows);
  return book;
}

Result<AcquireOutcome> SharedLeaseDesk::Acquire(const std::string& account,
                                                const std::string& workstation,
                                                common::UnixSeconds ttl_s,
                                                std::uint32_t max_workstations,
                                                const std::string& new_id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto txn = Transaction::Begin(store_->db(), Durability::kRelaxed);
  if (!txn) return tl::unexpected(txn.error());
  common::UnixSeconds now = 0;
  auto book = LockedRows(LeaseSelector{std::nullopt, account, std::nullopt}, &now);
  if (!book) return tl::unexpected(book.error());
  // An account's lapsed rows go when it is next asked about; the central
  // that removes them counts them.
  std::uint64_t lapsed = 0;
  for (const Lease& gone : book->Prune(now)) {
    if (auto ok = store_->DeleteLease(gone.id); !ok) return tl::unexpected(ok.error());
    if (gone.ended_at == 0) ++lapsed;
  }
  AcquireOutcome out = book->Acquire(account, workstation, now, ttl_s, max_workstations, new_id);
  if (out.kind != AcquireKind::kRefused) {
    if (auto ok = store_->PutLease(out.lease); !ok) return tl::unexpected(ok.error());
  }
  if (auto ok = txn->Commit(); !ok) return tl::unexpected(ok.error());
  local_.CountLapsed(lapsed);
  // The event only once the decision holds.
  local_.QueueAcquireEvent(account, workstation, out, max_workstations);
  return out;
}

Result<Lease> SharedLeaseDesk::ChangeOwned(const std::string& id, const std::string& workstation,
                                           const OwnedChange& change) {
  std::lock_guard<std::mutex> lock(mu_);
  auto txn = Transaction::Begin(store_->db(), Durability::kRelaxed);
  if (!txn) return tl::unexpected(txn.error());
  common::UnixSeconds now = 0;
  auto book = LockedRows(LeaseSelector{id, std::nullopt, std::nullopt}, &now);
  if (!book) return tl::unexpected(book.error());
  auto owned = book->Owned(id, workstation, now);
  if (!owned || owned->ended_at != 0) return owned;
  auto changed = change(*owned, now);
  if (!changed) return changed;
  if (auto ok = txn->Commit(); !ok) return tl::unexpected(ok.error());
  return changed;
}

Result<Lease> SharedLeaseDesk::Renew(const std::string& id, const std::string& workstation,
                                     common::UnixSeconds ttl_s) {
  return ChangeOwned(id, workstation, [&](const Lease& owned, common::UnixSeconds now) {
    Lease renewed = LeaseBook::Renewed(owned, now, ttl_s);
    if (auto ok = store_->PutLease(renewed); !ok) return Result<Lease>(tl::unexpected(ok.error()));
    return Result<Lease>(renewed);
  });
}

Result<Lease> SharedLeaseDesk::Release(const std::string& id, const std::string& workstation) {
  auto released = ChangeOwned(id, workstation, [&](const Lease& owned, common::UnixSeconds) {
    if (auto ok = store_->DeleteLease(id); !ok) return Result<Lease>(tl::unexpected(ok.error()));
    return Result<Lease>(owned);
  });
  if (released && released->ended_at == 0) {
    local_.QueueEvent("lease_released", *released, Json::object());
  }
  return released;
}

Result<std::vector<Lease>> SharedLeaseDesk::End(const LeaseSelector& selector,
                                                const std::string& describe) {
  std::lock_guard<std::mutex> lock(mu_);
  // Synced: the holder's next renewal, on whichever central, must find
  // the tombstone.
  auto txn = Transaction::Begin(store_->db());
  if (!txn) return tl::unexpected(txn.error());
  common::UnixSeconds now = 0;
  auto book = LockedRows(selector, &now);
  if (!book) return tl::unexpected(book.error());
  std::vector<Lease> ended = book->Select(selector, now);
  if (ended.empty()) {
    return common::Fail(common::ErrorKind::kNotFound, "no live session lease" + describe);
  }
  for (Lease& lease : ended) {
    lease = LeaseBook::Ended(std::move(lease), now);
    if (auto ok = store_->PutLease(lease); !ok) return tl::unexpected(ok.error());
  }
  // The other centrals tell their holders' held polls (at the commit).
  if (auto ok = store_->NotifyCentrals(kLeasesChannel); !ok) return tl::unexpected(ok.error());
  if (auto ok = txn->Commit(); !ok) return tl::unexpected(ok.error());
  for (const Lease& lease : ended) ended_here_.emplace(lease.id, lease.ended_at);
  for (const Lease& lease : ended) {
    local_.AddNotice(lease.workstation);
    local_.QueueEvent("lease_ended_by_admin", lease, Json::object());
  }
  return ended;
}

Result<std::vector<Lease>> SharedLeaseDesk::TakeEndedElsewhere() {
  std::lock_guard<std::mutex> lock(mu_);
  auto now = store_->DatabaseNow();
  if (!now) return tl::unexpected(now.error());
  // From the second of the last look on: an end in that same second is
  // seen twice rather than not at all.
  auto ended = store_->LeasesEndedSince(ended_seen_);
  if (!ended) return tl::unexpected(ended.error());
  ended_seen_ = *now;
  std::erase_if(*ended, [&](const Lease& lease) { return ended_here_.contains(lease.id); });
  // What ended before this look's second is never looked at again.
  std::erase_if(ended_here_, [&](const auto& item) { return item.second < ended_seen_; });
  return ended;
}

Result<std::vector<Lease>> SharedLeaseDesk::Select(const LeaseSelector& selector) {
  std::lock_guard<std::mutex> lock(mu_);
  auto now = store_->DatabaseNow();
  if (!now) return tl::unexpected(now.error());
  if (!selector.id && !selector.account && !selector.workstation) {
    // The whole list (the admin's, /metrics): every account's lapsed rows
    // go, also of accounts nobody asks about again.
    auto gone = store_->DeleteLapsedLeases(*now);
    if (!gone) return tl::unexpected(gone.error());
    local_.CountLapsed(*gone);
  }
  auto rows = store_->SelectLeases(selector, /*lock=*/false);
  if (!rows) return tl::unexpected(rows.error());
  LeaseBook book;
  book.Load(*rows);
  return book.Select(selector, *now);
}

}  // namespace staffgate::central
