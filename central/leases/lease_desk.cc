#include "central/leases/lease_desk.h"

#include <algorithm>
#include <iterator>
#include <utility>

#include "central/tokens.h"

namespace staffgate::central {

using common::Json;
using common::Result;

void LeaseDesk::Load(const std::vector<Lease>& leases) {
  std::lock_guard<std::mutex> lock(mu_);
  book_.Load(leases);
}

void LeaseDesk::PruneLocked(common::UnixSeconds now) {
  std::vector<Lease> pruned = book_.Prune(now);
  if (pruned.empty()) return;
  // Tombstones are pruned too; only leases nobody ended count as lapsed.
  lapsed_ += static_cast<std::uint64_t>(std::count_if(
      pruned.begin(), pruned.end(), [](const Lease& lease) { return lease.ended_at == 0; }));
  LeaseWrite write;
  write.kind = LeaseWrite::Kind::kDeleteLapsed;
  write.now = now;
  writes_.push_back(std::move(write));
}

void LeaseDesk::QueuePutLocked(const Lease& lease) {
  LeaseWrite put;
  put.kind = LeaseWrite::Kind::kPut;
  put.lease = lease;
  writes_.push_back(std::move(put));
}

void LeaseDesk::QueueEventLocked(const std::string& type, const Lease& subject, Json extra) {
  auto id = NewRandomHex(16);
  const std::int64_t now_ms = clock_.NowMs();
  Json event = {{"id", "central-" + (id ? *id : std::to_string(now_ms))},
                {"time", common::FormatRfc3339Ms(now_ms)},
                {"type", type},
                {"source", "central"},
                {"account", subject.account},
                {"workstation", subject.workstation}};
  if (!subject.id.empty()) event["lease"] = subject.id;
  for (const auto& [key, value] : extra.items()) event[key] = value;
  LeaseWrite write;
  write.kind = LeaseWrite::Kind::kEvent;
  write.lease = subject;
  write.event = std::move(event);
  write.time_ms = now_ms;
  writes_.push_back(std::move(write));
}

void LeaseDesk::QueueEvent(const std::string& type, const Lease& subject, Json extra) {
  std::lock_guard<std::mutex> lock(mu_);
  QueueEventLocked(type, subject, std::move(extra));
}

void LeaseDesk::QueueAcquireEventLocked(const std::string& account, const std::string& workstation,
                                        const AcquireOutcome& outcome,
                                        std::uint32_t max_workstations) {
  if (outcome.kind == AcquireKind::kCreated) {
    QueueEventLocked("lease_acquired", outcome.lease,
                     Json{{"decision", "allow"}, {"reason", "allowed"}});
  } else if (outcome.kind == AcquireKind::kRefused) {
    Lease wanted;
    wanted.account = account;
    wanted.workstation = workstation;
    QueueEventLocked("lease_refused", wanted,
                     Json{{"decision", "deny"},
                          {"reason", "in_use_elsewhere"},
                          {"holder", outcome.holder},
                          {"max_workstations_per_account", max_workstations}});
  }
}

void LeaseDesk::QueueAcquireEvent(const std::string& account, const std::string& workstation,
                                  const AcquireOutcome& outcome, std::uint32_t max_workstations) {
  std::lock_guard<std::mutex> lock(mu_);
  QueueAcquireEventLocked(account, workstation, outcome, max_workstations);
}

Result<AcquireOutcome> LeaseDesk::Acquire(const std::string& account,
                                          const std::string& workstation, common::UnixSeconds ttl_s,
                                          std::uint32_t max_workstations,
                                          const std::string& new_id) {
  std::lock_guard<std::mutex> lock(mu_);
  const common::UnixSeconds now = clock_.Now();
  PruneLocked(now);
  AcquireOutcome out = book_.Acquire(account, workstation, now, ttl_s, max_workstations, new_id);
  if (out.kind != AcquireKind::kRefused) {
    QueuePutLocked(out.lease);
    book_.Put(out.lease);
  }
  QueueAcquireEventLocked(account, workstation, out, max_workstations);
  return out;
}

Result<Lease> LeaseDesk::Renew(const std::string& id, const std::string& workstation,
                               common::UnixSeconds ttl_s) {
  std::lock_guard<std::mutex> lock(mu_);
  const common::UnixSeconds now = clock_.Now();
  auto owned = book_.Owned(id, workstation, now);
  if (!owned || owned->ended_at != 0) return owned;
  Lease renewed = LeaseBook::Renewed(*owned, now, ttl_s);
  QueuePutLocked(renewed);
  book_.Put(renewed);
  return renewed;
}

Result<Lease> LeaseDesk::Release(const std::string& id, const std::string& workstation) {
  std::lock_guard<std::mutex> lock(mu_);
  auto owned = book_.Owned(id, workstation, clock_.Now());
  if (!owned || owned->ended_at != 0) return owned;
  LeaseWrite del;
  del.kind = LeaseWrite::Kind::kDelete;
  del.id = id;
  writes_.push_back(std::move(del));
  QueueEventLocked("lease_released", *owned, Json::object());
  book_.Erase(id);
  return owned;
}

Result<std::vector<Lease>> LeaseDesk::End(const LeaseSelector& selector,
                                          const std::string& describe) {
  std::lock_guard<std::mutex> lock(mu_);
  const common::UnixSeconds now = clock_.Now();
  std::vector<Lease> ended = book_.Select(selector, now);
  if (ended.empty()) {
    return common::Fail(common::ErrorKind::kNotFound, "no live session lease" + describe);
  }
  for (Lease& lease : ended) {
    notices_.insert(lease.workstation);
    lease = LeaseBook::Ended(std::move(lease), now);
    QueuePutLocked(lease);
    QueueEventLocked("lease_ended_by_admin", lease, Json::object());
    book_.Put(lease);
  }
  return ended;
}

std::vector<Lease> LeaseDesk::Live() {
  std::lock_guard<std::mutex> lock(mu_);
  const common::UnixSeconds now = clock_.Now();
  PruneLocked(now);
  return book_.Live(now);
}

Result<std::vector<Lease>> LeaseDesk::Select(const LeaseSelector& selector) {
  if (!selector.id && !selector.account && !selector.workstation) return Live();
  std::lock_guard<std::mutex> lock(mu_);
  return book_.Select(selector, clock_.Now());
}

std::size_t LeaseDesk::CountLive() const {
  std::lock_guard<std::mutex> lock(mu_);
  return book_.CountLive(clock_.Now());
}

bool LeaseDesk::HasNotice(const std::string& workstation) const {
  std::lock_guard<std::mutex> lock(mu_);
  return notices_.contains(workstation);
}

void LeaseDesk::AddNotice(const std::string& workstation) {
  std::lock_guard<std::mutex> lock(mu_);
  notices_.insert(workstation);
}

bool LeaseDesk::TakeNotice(const std::string& workstation) {
  std::lock_guard<std::mutex> lock(mu_);
  return notices_.erase(workstation) > 0;
}

std::vector<LeaseWrite> LeaseDesk::TakeWrites() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<LeaseWrite> taken;
  taken.swap(writes_);
  return taken;
}

std::uint64_t LeaseDesk::Requeue(std::vector<LeaseWrite> writes) {
  std::lock_guard<std::mutex> lock(mu_);
  if (writes.size() + writes_.size() <= kMaxPendingWrites) {
    writes.insert(writes.end(), std::make_move_iterator(writes_.begin()),
                  std::make_move_iterator(writes_.end()));
    writes_.swap(writes);
    return 0;
  }
  return static_cast<std::uint64_t>(std::count_if(writes.begin(), writes.end(), [](const auto& w) {
    return w.kind == LeaseWrite::Kind::kEvent;
  }));
}

}  // namespace staffgate::central
