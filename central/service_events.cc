// Service: audit events from workstations (quota, cap, clamp, retention)
// and the lease rules that check an account before it gets a lease.
// Events live in their own database (event_store.h) under events_mu_, so a
// flood of events, or a full event store, never fails an employee change.
#include <sys/statvfs.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <limits>

#include "central/service.h"

namespace staffgate::central {

using common::ErrorKind;
using common::Fail;
using common::Json;
using common::Result;

namespace {

constexpr std::int64_t kStoreFullRetryS = 300;
// The cap is checked before a batch; this much slack is left for the
// batch itself (SQLite's max_page_count stops it hard at the cap).
constexpr std::uint64_t kCapSlackBytes = 64UL * 1024;

std::string Mib(std::uint64_t bytes) { return std::to_string(bytes >> 20) + " MiB"; }

}  // namespace

EventStorageHealth Service::EventStorageLocked() {
  EventStorageHealth h;
  h.max_bytes = options_.events_max_bytes;
  h.min_free_bytes = options_.events_min_free_bytes;
  auto used = events_->UsedBytes();
  if (!used) {
    h.accepting = false;
    h.problem = "the event store does not answer: " + used.error().message;
    return h;
  }
  h.used_bytes = *used;
  struct statvfs vfs {};
  const std::string dir = std::filesystem::path(events_->path()).parent_path().string();
  if (!events_->local()) {
    // The database server's disk is its administrator's to watch.
    h.free_bytes = std::numeric_limits<std::uint64_t>::max();
  } else if (::statvfs(dir.empty() ? "." : dir.c_str(), &vfs) == 0) {
    h.free_bytes = static_cast<std::uint64_t>(vfs.f_bavail) * vfs.f_frsize;
  } else {
    h.accepting = false;
    h.problem =
        "cannot measure free space for the event store: " + std::string(std::strerror(errno));
    return h;
  }
  if (h.max_bytes > 0 && h.used_bytes + kCapSlackBytes >= h.max_bytes) {
    h.accepting = false;
    h.problem = "the event store is full (" + Mib(h.used_bytes) + " of events_max_bytes " +
                Mib(h.max_bytes) + "); events are refused until retention frees space";
  } else if (h.free_bytes < h.min_free_bytes) {
    h.accepting = false;
    h.problem = "less than events_min_free_bytes (" + Mib(h.min_free_bytes) +
                ") free on the disk of " + events_->path() + " (" + Mib(h.free_bytes) +
                " free); events are refused so employee changes keep room";
  }
  return h;
}

EventStorageHealth Service::EventStorage() {
  std::lock_guard<std::mutex> lock(events_mu_);
  return EventStorageLocked();
}

Result<EventBatchResult> Service::StoreEvents(const std::string& workstation, const Json& batch) {
  if (!batch.is_array())
    return Fail(ErrorKind::kInvalidInput, "the body must be a JSON array of events");
  if (batch.size() > kMaxEventsPerBatch) {
    return Fail(ErrorKind::kTooLarge,
                "more than " + std::to_string(kMaxEventsPerBatch) + " events in one batch");
  }
  // Rollout records learn from the roster events even when the batch is
  // refused below: the agent keeps it and sends it again (idempotent).
  NoteRosterEvents(workstation, batch);
  EventBatchResult result;
  const std::int64_t now_ms = clock_.NowMs();
  if (auto wait = quota_.RetryAfter(workstation, now_ms)) {
    result.refusal = EventBatchResult::Refusal::kQuota;
    result.retry_after_s = *wait;
    result.message = "workstation " + workstation + " is over its event quota (" +
                     std::to_string(options_.events_per_workstation_per_hour) +
                     " an hour); keep the events and retry later";
    return result;
  }
  std::unique_lock<std::mutex> lock(events_mu_);
  // Password changes stored for the first time (a batch sent again must not
  // end a reset made since, service_password_changes.cc).
  Json first_changes = Json::array();
  auto refuse_full = [&](std::string message) {
    EventBatchResult full;
    full.refusal = EventBatchResult::Refusal::kStoreFull;
    full.retry_after_s = kStoreFullRetryS;
    full.message = std::move(message);
    return full;
  };
  if (EventStorageHealth h = EventStorageLocked(); !h.accepting) return refuse_full(h.problem);
  auto txn = Transaction::Begin(events_->db());
  if (!txn) return tl::unexpected(txn.error());
  for (const Json& event : batch) {
    auto id = event.is_object() ? event.find("id") : event.end();
    if (!event.is_object() || id == event.end() || !id->is_string() ||
        id->get_ref<const std::string&>().empty() ||
        id->get_ref<const std::string&>().size() > kMaxEventIdBytes) {
      ++result.rejected;  // Counted, not fatal: one bad event must not block the outbox.
      continue;
    }
    std::int64_t time_ms = EventTimeMs(event).value_or(now_ms);
    if (time_ms > now_ms + kMaxEventAheadMs) {
      time_ms = now_ms;  // A workstation's clock must not push others' events out of view.
      ++result.clamped;
    }
    // Stamped here, so a workstation cannot pass its events off as the
    // central's own (lease events, docs/design.md §6).
    Json stamped = event;
    stamped["source"] = "agent";
    auto inserted = events_->Insert(stamped, workstation, time_ms, now_ms);
    if (!inserted) return tl::unexpected(inserted.error());
    if (*inserted == InsertOutcome::kFull) {
      return refuse_full("the event store reached events_max_bytes (" +
                         Mib(options_.events_max_bytes) +
                         "); events are refused until retention frees space");
    }
    ++(*inserted == InsertOutcome::kInserted ? result.accepted : result.duplicates);
    if (*inserted == InsertOutcome::kInserted && IsPasswordChange(event)) {
      first_changes.push_back(event);
    }
  }
  if (auto ok = txn->Commit(); !ok) return tl::unexpected(ok.error());
  quota_.Charge(workstation, result.accepted, now_ms);
  lock.unlock();  // Clearing a reset publishes, and records its own event.
  if (auto noted = NotePasswordChanges(workstation, first_changes); !noted) {
    return tl::unexpected(noted.error());
  }
  return result;
}

Result<std::vector<Json>> Service::Events(const EventQuery& query) {
  (void)FlushLeases();  // So the lease events decided so far are listed too.
  std::lock_guard<std::mutex> lock(events_mu_);
  return events_->Query(query);
}

Result<std::int64_t> Service::PruneEvents(std::int64_t max_rows) {
  const std::int64_t before_ms = clock_.NowMs() - options_.events_retention_days * 86400LL * 1000;
  std::lock_guard<std::mutex> lock(events_mu_);
  auto txn = Transaction::Begin(events_->db(), Durability::kRelaxed);
  if (!txn) return tl::unexpected(txn.error());
  auto deleted = events_->PruneReceivedBefore(before_ms, max_rows);
  if (!deleted) return deleted;
  if (auto ok = txn->Commit(); !ok) return tl::unexpected(ok.error());
  return deleted;
}

std::shared_ptr<const Service::Snapshot> Service::BuildSnapshot(const State& state) {
  auto snap = std::make_shared<Snapshot>();
  snap->state = state;
  snap->by_account.reserve(state.employees.size());
  for (const auto& [id, e] : snap->state.employees) {
    for (const std::string& account : e.accounts) snap->by_account[account] = &e;
  }
  snap->next_due = NextDue(snap->state);
  return snap;
}

std::shared_ptr<const Service::Snapshot> Service::CurrentSnapshot() const {
  std::lock_guard<std::mutex> lock(current_mu_);
  return snapshot_;
}

Result<void> Service::CheckLeaseAllowed(const std::string& account,
                                        const std::string& workstation) const {
  std::shared_ptr<const Snapshot> snap = CurrentSnapshot();
  if (!snap) return Fail(ErrorKind::kInternal, "no state loaded");
  if (snap->state.shared_accounts.contains(account)) {
    return Fail(ErrorKind::kForbidden, "'" + account + "' is a shared account: no session lease");
  }
  auto it = snap->by_account.find(account);
  if (it == snap->by_account.end()) {
    return Fail(ErrorKind::kForbidden,
                "no employee has the account '" + account + "': no session lease");
  }
  const EmployeeRecord& e = *it->second;
  if (e.status != common::EmployeeStatus::kActive) {
    return Fail(ErrorKind::kForbidden, "the employee of account '" + account + "' is " +
                                           std::string(common::EmployeeStatusName(e.status)) +
                                           ": no session lease");
  }
  static const std::vector<std::string> kNoGroups;
  auto ws = snap->state.workstations.find(workstation);
  if (!common::GroupsPermit(e.groups,
                            ws == snap->state.workstations.end() ? kNoGroups : ws->second.groups)) {
    return Fail(ErrorKind::kForbidden, "account '" + account +
                                           "' is not permitted on workstation " + workstation +
                                           ": no session lease");
  }
  return common::Ok();
}

}  // namespace staffgate::central
