// Service: session leases (issue 5). The LeaseBook decides, SQLite records
// (lease row and audit event in one transaction), then the book is updated,
// so an answered acquisition survives a crash and a failed write changes
// nothing a client could have seen.
#include "central/service.h"
#include "central/tokens.h"
#include "central/validation.h"

namespace staffgate::central {

using common::ErrorKind;
using common::Fail;
using common::Json;
using common::Result;

Result<void> Service::PruneLeasesLocked(common::UnixSeconds now) {
  std::vector<Lease> lapsed = leases_.Prune(now);
  if (lapsed.empty()) return common::Ok();
  leases_lapsed_ += lapsed.size();
  return store_->DeleteLapsedLeases(now);
}

Result<void> Service::LeaseEventLocked(const std::string& type, const Lease& lease, Json extra) {
  auto id = NewRandomHex(16);
  if (!id) return tl::unexpected(id.error());
  const std::int64_t now_ms = clock_.NowMs();
  Json event = {{"id", "central-" + *id},
                {"time", common::FormatRfc3339Ms(now_ms)},
                {"type", type},
                {"source", "central"},
                {"account", lease.account},
                {"workstation", lease.workstation}};
  if (!lease.id.empty()) event["lease"] = lease.id;
  for (auto& [key, value] : extra.items()) event[key] = value;
  auto inserted = store_->InsertEvent(event, lease.workstation, now_ms);
  if (!inserted) return tl::unexpected(inserted.error());
  return common::Ok();
}

Result<AcquireOutcome> Service::AcquireLease(const std::string& account, const std::string& workstation) {
  if (auto ok = CheckAccountName(account); !ok) return tl::unexpected(ok.error());
  auto new_id = NewRandomHex(16);
  if (!new_id) return tl::unexpected(new_id.error());
  std::lock_guard<std::mutex> lock(mu_);
  const common::UnixSeconds now = clock_.Now();
  auto txn = Transaction::Begin(store_->db(), Durability::kRelaxed);
  if (!txn) return tl::unexpected(txn.error());
  if (auto ok = PruneLeasesLocked(now); !ok) return tl::unexpected(ok.error());
  AcquireOutcome out = leases_.Acquire(account, workstation, now, options_.lease_ttl_s,
                                       state_.max_workstations_per_account, *new_id);
  switch (out.kind) {
    case AcquireKind::kCreated: {
      if (auto ok = store_->PutLease(out.lease); !ok) return tl::unexpected(ok.error());
      auto ok = LeaseEventLocked("lease_acquired", out.lease, Json{{"decision", "allow"}, {"reason", "allowed"}});
      if (!ok) return tl::unexpected(ok.error());
      break;
    }
    case AcquireKind::kRenewed:
      if (auto ok = store_->PutLease(out.lease); !ok) return tl::unexpected(ok.error());
      break;
    case AcquireKind::kRefused: {
      Lease wanted;
      wanted.account = account;
      wanted.workstation = workstation;
      auto ok = LeaseEventLocked("lease_refused", wanted,
                                 Json{{"decision", "deny"}, {"reason", "in_use_elsewhere"},
                                      {"holder", out.holder},
                                      {"max_workstations_per_account", state_.max_workstations_per_account}});
      if (!ok) return tl::unexpected(ok.error());
      break;
    }
  }
  if (auto ok = txn->Commit(); !ok) return tl::unexpected(ok.error());
  if (out.kind != AcquireKind::kRefused) leases_.Put(out.lease);
  return out;
}

Result<Lease> Service::RenewLease(const std::string& id, const std::string& workstation) {
  std::lock_guard<std::mutex> lock(mu_);
  const common::UnixSeconds now = clock_.Now();
  auto owned = leases_.Owned(id, workstation, now);
  if (!owned) return owned;
  Lease renewed = LeaseBook::Renewed(*owned, now, options_.lease_ttl_s);
  auto txn = Transaction::Begin(store_->db(), Durability::kRelaxed);
  if (!txn) return tl::unexpected(txn.error());
  if (auto ok = store_->PutLease(renewed); !ok) return tl::unexpected(ok.error());
  if (auto ok = txn->Commit(); !ok) return tl::unexpected(ok.error());
  leases_.Put(renewed);
  return renewed;
}

Result<void> Service::ReleaseLease(const std::string& id, const std::string& workstation) {
  std::lock_guard<std::mutex> lock(mu_);
  auto owned = leases_.Owned(id, workstation, clock_.Now());
  if (!owned) return tl::unexpected(owned.error());
  auto txn = Transaction::Begin(store_->db(), Durability::kRelaxed);
  if (!txn) return tl::unexpected(txn.error());
  if (auto ok = store_->DeleteLease(id); !ok) return ok;
  if (auto ok = LeaseEventLocked("lease_released", *owned, Json::object()); !ok) return ok;
  if (auto ok = txn->Commit(); !ok) return ok;
  leases_.Erase(id);
  return common::Ok();
}

Result<Lease> Service::EndLease(const std::string& id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto lease = leases_.Find(id, clock_.Now());
  if (!lease) return lease;
  auto txn = Transaction::Begin(store_->db());
  if (!txn) return tl::unexpected(txn.error());
  if (auto ok = store_->DeleteLease(id); !ok) return tl::unexpected(ok.error());
  if (auto ok = LeaseEventLocked("lease_ended_by_admin", *lease, Json::object()); !ok) {
    return tl::unexpected(ok.error());
  }
  if (auto ok = txn->Commit(); !ok) return tl::unexpected(ok.error());
  leases_.Erase(id);
  return lease;
}

Result<std::vector<Lease>> Service::Leases() {
  std::lock_guard<std::mutex> lock(mu_);
  const common::UnixSeconds now = clock_.Now();
  // One DELETE statement (atomic on its own), and only when something lapsed.
  if (auto ok = PruneLeasesLocked(now); !ok) return tl::unexpected(ok.error());
  return leases_.Live(now);
}

std::size_t Service::LiveLeaseCount() const {
  std::lock_guard<std::mutex> lock(mu_);
  return leases_.CountLive(clock_.Now());
}

}  // namespace staffgate::central
