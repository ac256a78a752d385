// Service: session leases (docs/design.md §6). The LeaseDesk decides in
// memory after the Service's account checks and the answer goes out at
// once; the row changes and audit events are queued and written by
// FlushLeases in one relaxed transaction. A login therefore never waits for
// the disk, nor for another request's fsync (events and admin changes
// commit with synchronous=FULL under mu_). A crash loses at most the writes
// since the last flush (2 s): agents renew every ttl/3 and acquire again on
// 404. An admin end keeps a tombstone (LeaseBook::Ended) and is flushed at
// once: the holder's next renewal gets 410 and ends the sessions instead of
// acquiring again. On a database other centrals share, SharedLeaseDesk
// decides in the database instead (docs/design.md §12).
#include <utility>

#include "central/service.h"
#include "central/tokens.h"
#include "central/validation.h"

namespace staffgate::central {

using common::ErrorKind;
using common::Fail;
using common::Json;
using common::Result;

Result<AcquireOutcome> Service::AcquireLease(const std::string& account,
                                             const std::string& workstation) {
  if (auto ok = CheckAccountName(account); !ok) return tl::unexpected(ok.error());
  if (auto ok = CheckLeaseAllowed(account, workstation); !ok) return tl::unexpected(ok.error());
  auto new_id = NewRandomHex(16);
  if (!new_id) return tl::unexpected(new_id.error());
  return lease_decider_->Acquire(account, workstation, options_.lease_ttl_s,
                                 max_workstations_.load(), *new_id);
}

Result<Lease> Service::RenewLease(const std::string& id, const std::string& workstation) {
  return lease_decider_->Renew(id, workstation, options_.lease_ttl_s);
}

Result<Lease> Service::ReleaseLease(const std::string& id, const std::string& workstation) {
  return lease_decider_->Release(id, workstation);
}

namespace {

// kInvalidInput when `selector` selects nothing by construction: no field,
// or a blank one (never "every lease").
Result<void> CheckSelector(const LeaseSelector& selector) {
  if (!selector.id && !selector.account && !selector.workstation) {
    return Fail(ErrorKind::kInvalidInput,
                "say which session leases to end: a lease id, an account or a workstation");
  }
  for (const auto& [name, value] :
       {std::pair{"id", &selector.id}, std::pair{"account", &selector.account},
        std::pair{"workstation", &selector.workstation}}) {
    if (value->has_value() && (*value)->find_first_not_of(" \t") == std::string::npos) {
      return Fail(ErrorKind::kInvalidInput,
                  std::string("the ") + name + " to end leases of is blank");
    }
  }
  return common::Ok();
}

std::string DescribeSelector(const LeaseSelector& selector) {
  std::string out;
  if (selector.id) out += " with id '" + selector.id->substr(0, 64) + "'";
  if (selector.account) out += " of account '" + selector.account->substr(0, 64) + "'";
  if (selector.workstation) out += " on workstation '" + selector.workstation->substr(0, 64) + "'";
  return out;
}

}  // namespace

Result<std::vector<Lease>> Service::EndLeases(const LeaseSelector& selector) {
  if (auto ok = CheckSelector(selector); !ok) return tl::unexpected(ok.error());
  auto ended = lease_decider_->End(selector, DescribeSelector(selector));
  if (!ended) return ended;
  if (auto ok = FlushLeases(); !ok) return tl::unexpected(ok.error());
  Json before = Json::object();
  Json after = Json::object();
  for (const Lease& lease : *ended) {
    before["sessions"][lease.id] = {{"account", lease.account}, {"workstation", lease.workstation}};
    after["sessions"][lease.id] = nullptr;
  }
  std::string target;  // "account=asmith workstation=WS-1": the selectors given.
  for (const auto& [name, value] :
       {std::pair{"id", &selector.id}, std::pair{"account", &selector.account},
        std::pair{"workstation", &selector.workstation}}) {
    if (*value) target += (target.empty() ? "" : " ") + std::string(name) + "=" + **value;
  }
  if (auto ok = Journal({"sessions.end", target}, std::move(before), std::move(after)); !ok) {
    return tl::unexpected(ok.error());
  }
  std::function<void(const std::string&)> listener;
  {
    std::lock_guard<std::mutex> lock(listener_mu_);
    listener = lease_end_listener_;
  }
  if (listener) {
    for (const Lease& lease : *ended) listener(lease.workstation);
  }
  return ended;
}

void Service::SetLeaseEndListener(std::function<void(const std::string&)> listener) {
  std::lock_guard<std::mutex> lock(listener_mu_);
  lease_end_listener_ = std::move(listener);
}

Result<std::vector<Lease>> Service::Leases() { return lease_decider_->Select(LeaseSelector{}); }

Result<std::size_t> Service::LiveLeaseCount() {
  if (!shared_leases_) return leases_.CountLive();
  auto live = lease_decider_->Select(LeaseSelector{});
  if (!live) return tl::unexpected(live.error());
  return live->size();
}

Result<LeaseView> Service::ViewLeases(const std::string& account, const std::string& workstation) {
  if (auto ok = CheckAccountName(account); !ok) return tl::unexpected(ok.error());
  if (auto ok = CheckLeaseAllowed(account, workstation); !ok) return tl::unexpected(ok.error());
  const LeaseSelector of_account{std::nullopt, account, std::nullopt};
  auto live = lease_decider_->Select(of_account);
  if (!live) return tl::unexpected(live.error());
  LeaseView view;
  for (Lease& lease : *live) {
    if (lease.workstation == workstation) {
      view.here = std::move(lease);
    } else {
      view.elsewhere.push_back(lease.workstation);
    }
  }
  return view;
}

Result<void> Service::FlushLeases(Flush mode) {
  auto db_lock = LockForFlush(mode);
  if (!db_lock.owns_lock()) return common::Ok();  // The writes wait in lease_writes_.
  std::vector<LeaseWrite> writes = leases_.TakeWrites();
  if (writes.empty()) return common::Ok();
  std::vector<CentralEvent> events;
  Result<void> rows = [&]() -> Result<void> {
    auto txn = Transaction::Begin(store_->db(), Durability::kRelaxed);
    if (!txn) return tl::unexpected(txn.error());
    for (const LeaseWrite& w : writes) {
      Result<void> ok = common::Ok();
      switch (w.kind) {
        case LeaseWrite::Kind::kPut:
          ok = store_->PutLease(w.lease);
          break;
        case LeaseWrite::Kind::kDelete:
          ok = store_->DeleteLease(w.id);
          break;
        case LeaseWrite::Kind::kDeleteLapsed:
          if (auto gone = store_->DeleteLapsedLeases(w.now); !gone)
            ok = tl::unexpected(gone.error());
          break;
        case LeaseWrite::Kind::kEvent:
          events.push_back(CentralEvent{w.event, w.lease.workstation, w.time_ms});
          break;
      }
      if (!ok) return ok;
    }
    return txn->Commit();
  }();
  db_lock.unlock();
  if (!rows) {
    // Nothing is dropped: the writes go back in front of newer ones and
    // the next flush tries again (bounded, so a dead disk cannot eat memory).
    events_.CountLost(leases_.Requeue(std::move(writes)));
    return rows;
  }
  // The central's own lease events: stored like a workstation's (no quota),
  // or counted as lost when the event store refuses them.
  return events_.StoreCentral(events);
}

}  // namespace staffgate::central
