// Service: session leases (docs/design.md §6). The LeaseBook decides in memory under
// lease_mu_ and the answer goes out at once; the row changes and audit
// events are queued and written by FlushLeases in one relaxed transaction.
// A login therefore never waits for the disk, nor for another request's
// fsync (events and admin changes commit with synchronous=FULL under mu_).
// A crash loses at most the writes since the last flush (2 s): agents
// renew every ttl/3 and acquire again on 404. An admin end keeps a
// tombstone (LeaseBook::Ended) and is flushed at once: the holder's next
// renewal gets 410 and ends the sessions instead of acquiring again.
#include <algorithm>
#include <utility>

#include "central/service.h"
#include "central/tokens.h"
#include "central/validation.h"

namespace staffgate::central {

using common::ErrorKind;
using common::Fail;
using common::Json;
using common::Result;

void Service::PruneLeasesLocked(common::UnixSeconds now) {
  std::vector<Lease> lapsed = leases_.Prune(now);
  if (lapsed.empty()) return;
  leases_lapsed_ += static_cast<std::uint64_t>(std::count_if(
      lapsed.begin(), lapsed.end(), [](const Lease& lease) { return lease.ended_at == 0; }));
  LeaseWrite write;
  write.kind = LeaseWrite::Kind::kDeleteLapsed;
  write.now = now;
  lease_writes_.push_back(std::move(write));
}

void Service::QueueLeaseEventLocked(const std::string& type, const Lease& lease, Json extra) {
  auto id = NewRandomHex(16);
  const std::int64_t now_ms = clock_.NowMs();
  Json event = {{"id", "central-" + (id ? *id : std::to_string(now_ms))},
                {"time", common::FormatRfc3339Ms(now_ms)},
                {"type", type},
                {"source", "central"},
                {"account", lease.account},
                {"workstation", lease.workstation}};
  if (!lease.id.empty()) event["lease"] = lease.id;
  for (const auto& [key, value] : extra.items()) event[key] = value;
  LeaseWrite write;
  write.kind = LeaseWrite::Kind::kEvent;
  write.lease = lease;
  write.event = std::move(event);
  write.time_ms = now_ms;
  lease_writes_.push_back(std::move(write));
}

Result<AcquireOutcome> Service::AcquireLease(const std::string& account,
                                             const std::string& workstation) {
  if (auto ok = CheckAccountName(account); !ok) return tl::unexpected(ok.error());
  if (auto ok = CheckLeaseAllowed(account, workstation); !ok) return tl::unexpected(ok.error());
  auto new_id = NewRandomHex(16);
  if (!new_id) return tl::unexpected(new_id.error());
  std::lock_guard<std::mutex> lock(lease_mu_);
  const common::UnixSeconds now = clock_.Now();
  PruneLeasesLocked(now);
  const std::uint32_t max = max_workstations_.load();
  AcquireOutcome out =
      leases_.Acquire(account, workstation, now, options_.lease_ttl_s, max, *new_id);
  LeaseWrite put;
  put.kind = LeaseWrite::Kind::kPut;
  put.lease = out.lease;
  switch (out.kind) {
    case AcquireKind::kCreated:
      lease_writes_.push_back(put);
      QueueLeaseEventLocked("lease_acquired", out.lease,
                            Json{{"decision", "allow"}, {"reason", "allowed"}});
      break;
    case AcquireKind::kRenewed:
      lease_writes_.push_back(put);
      break;
    case AcquireKind::kRefused: {
      Lease wanted;
      wanted.account = account;
      wanted.workstation = workstation;
      QueueLeaseEventLocked("lease_refused", wanted,
                            Json{{"decision", "deny"},
                                 {"reason", "in_use_elsewhere"},
                                 {"holder", out.holder},
                                 {"max_workstations_per_account", max}});
      break;
    }
  }
  if (out.kind != AcquireKind::kRefused) leases_.Put(out.lease);
  return out;
}

Result<Lease> Service::RenewLease(const std::string& id, const std::string& workstation) {
  std::lock_guard<std::mutex> lock(lease_mu_);
  const common::UnixSeconds now = clock_.Now();
  auto owned = leases_.Owned(id, workstation, now);
  if (!owned || owned->ended_at != 0) return owned;
  Lease renewed = LeaseBook::Renewed(*owned, now, options_.lease_ttl_s);
  LeaseWrite put;
  put.kind = LeaseWrite::Kind::kPut;
  put.lease = renewed;
  lease_writes_.push_back(std::move(put));
  leases_.Put(renewed);
  return renewed;
}

Result<Lease> Service::ReleaseLease(const std::string& id, const std::string& workstation) {
  std::lock_guard<std::mutex> lock(lease_mu_);
  auto owned = leases_.Owned(id, workstation, clock_.Now());
  if (!owned || owned->ended_at != 0) return owned;
  LeaseWrite del;
  del.kind = LeaseWrite::Kind::kDelete;
  del.id = id;
  lease_writes_.push_back(std::move(del));
  QueueLeaseEventLocked("lease_released", *owned, Json::object());
  leases_.Erase(id);
  return owned;
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
  std::vector<Lease> ended;
  {
    std::lock_guard<std::mutex> lock(lease_mu_);
    const common::UnixSeconds now = clock_.Now();
    ended = leases_.Select(selector, now);
    if (ended.empty()) {
      return Fail(ErrorKind::kNotFound, "no live session lease" + DescribeSelector(selector));
    }
    for (Lease& lease : ended) {
      lease_notices_.insert(lease.workstation);
      lease = LeaseBook::Ended(std::move(lease), now);
      LeaseWrite put;
      put.kind = LeaseWrite::Kind::kPut;
      put.lease = lease;
      lease_writes_.push_back(std::move(put));
      QueueLeaseEventLocked("lease_ended_by_admin", lease, Json::object());
      leases_.Put(lease);
    }
  }
  if (auto ok = FlushLeases(); !ok) return tl::unexpected(ok.error());
  Json before = Json::object(), after = Json::object();
  for (const Lease& lease : ended) {
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
    for (const Lease& lease : ended) listener(lease.workstation);
  }
  return ended;
}

void Service::SetLeaseEndListener(std::function<void(const std::string&)> listener) {
  std::lock_guard<std::mutex> lock(listener_mu_);
  lease_end_listener_ = std::move(listener);
}

bool Service::HasLeaseNotice(const std::string& workstation) const {
  std::lock_guard<std::mutex> lock(lease_mu_);
  return lease_notices_.contains(workstation);
}

bool Service::TakeLeaseNotice(const std::string& workstation) {
  std::lock_guard<std::mutex> lock(lease_mu_);
  return lease_notices_.erase(workstation) > 0;
}

Result<std::vector<Lease>> Service::Leases() {
  std::lock_guard<std::mutex> lock(lease_mu_);
  const common::UnixSeconds now = clock_.Now();
  PruneLeasesLocked(now);
  return leases_.Live(now);
}

Result<Service::LeaseView> Service::ViewLeases(const std::string& account,
                                               const std::string& workstation) {
  if (auto ok = CheckAccountName(account); !ok) return tl::unexpected(ok.error());
  if (auto ok = CheckLeaseAllowed(account, workstation); !ok) return tl::unexpected(ok.error());
  std::lock_guard<std::mutex> lock(lease_mu_);
  LeaseView view;
  for (Lease& lease :
       leases_.Select(LeaseSelector{std::nullopt, account, std::nullopt}, clock_.Now())) {
    if (lease.workstation == workstation) {
      view.here = std::move(lease);
    } else {
      view.elsewhere.push_back(lease.workstation);
    }
  }
  return view;
}

std::size_t Service::LiveLeaseCount() const {
  std::lock_guard<std::mutex> lock(lease_mu_);
  return leases_.CountLive(clock_.Now());
}

Result<void> Service::FlushLeases(Flush mode) {
  auto db_lock = LockForFlush(mode);
  if (!db_lock.owns_lock()) return common::Ok();  // The writes wait in lease_writes_.
  std::vector<LeaseWrite> writes;
  {
    std::lock_guard<std::mutex> lock(lease_mu_);
    writes.swap(lease_writes_);
  }
  if (writes.empty()) return common::Ok();
  std::vector<const LeaseWrite*> events;
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
          ok = store_->DeleteLapsedLeases(w.now);
          break;
        case LeaseWrite::Kind::kEvent:
          events.push_back(&w);
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
    std::lock_guard<std::mutex> lock(lease_mu_);
    if (writes.size() + lease_writes_.size() <= kMaxPendingLeaseWrites) {
      writes.insert(writes.end(), std::make_move_iterator(lease_writes_.begin()),
                    std::make_move_iterator(lease_writes_.end()));
      lease_writes_.swap(writes);
    } else {
      for (const LeaseWrite& w : writes) events_lost_ += w.kind == LeaseWrite::Kind::kEvent ? 1 : 0;
    }
    return rows;
  }
  if (events.empty()) return common::Ok();
  // The central's own lease events: stored like a workstation's (no quota),
  // or counted as lost when the event store refuses them.
  std::lock_guard<std::mutex> lock(events_mu_);
  auto lose_all = [&](Result<void> why) {
    events_lost_ += events.size();
    return why;
  };
  if (EventStorageHealth h = EventStorageLocked(); !h.accepting) {
    return lose_all(Fail(ErrorKind::kIo, "lease events lost: " + h.problem));
  }
  auto txn = Transaction::Begin(events_->db(), Durability::kRelaxed);
  if (!txn) return lose_all(tl::unexpected(txn.error()));
  for (const LeaseWrite* w : events) {
    auto inserted = events_->Insert(w->event, w->lease.workstation, w->time_ms, w->time_ms);
    if (!inserted) return lose_all(tl::unexpected(inserted.error()));
    if (*inserted == InsertOutcome::kFull) {
      return lose_all(Fail(ErrorKind::kIo, "lease events lost: the event store is full"));
    }
  }
  if (auto ok = txn->Commit(); !ok) return lose_all(ok);
  return common::Ok();
}

}  // namespace staffgate::central
