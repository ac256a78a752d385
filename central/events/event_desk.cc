#include "central/events/event_desk.h"

#include <sys/statvfs.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <limits>
#include <utility>

namespace staffgate::central {
namespace {

using common::ErrorKind;
using common::Fail;
using common::Json;
using common::Result;

constexpr std::int64_t kStoreFullRetryS = 300;
// The cap is checked before a batch; this much slack is left for the
// batch itself (SQLite's max_page_count stops it hard at the cap).
constexpr std::uint64_t kCapSlackBytes = 64UL * 1024;

std::string Mib(std::uint64_t bytes) { return std::to_string(bytes >> 20) + " MiB"; }

EventBatchResult Refused(EventBatchResult::Refusal why, std::int64_t retry_after_s,
                         std::string message) {
  EventBatchResult out;
  out.refusal = why;
  out.retry_after_s = retry_after_s;
  out.message = std::move(message);
  return out;
}

// The event's id when it is one the store takes (a non-empty string of at
// most kMaxEventIdBytes), else nullptr.
const std::string* StorableId(const Json& event) {
  if (!event.is_object()) return nullptr;
  auto id = event.find("id");
  if (id == event.end() || !id->is_string()) return nullptr;
  const auto& text = id->get_ref<const std::string&>();
  return text.empty() || text.size() > kMaxEventIdBytes ? nullptr : &text;
}

}  // namespace

EventDesk::EventDesk(std::unique_ptr<EventStore> store, const ServiceOptions& options,
                     const common::Clock& clock)
    : options_(options),
      clock_(clock),
      store_(std::move(store)),
      quota_(options.events_per_workstation_per_hour) {}

Result<void> EventDesk::CheckBatch(const Json& batch) {
  if (!batch.is_array()) {
    return Fail(ErrorKind::kInvalidInput, "the body must be a JSON array of events");
  }
  if (batch.size() > kMaxEventsPerBatch) {
    return Fail(ErrorKind::kTooLarge,
                "more than " + std::to_string(kMaxEventsPerBatch) + " events in one batch");
  }
  return common::Ok();
}

EventStorageHealth EventDesk::HealthLocked() {
  EventStorageHealth h;
  h.max_bytes = options_.events_max_bytes;
  h.min_free_bytes = options_.events_min_free_bytes;
  auto used = store_->UsedBytes();
  if (!used) {
    h.accepting = false;
    h.problem = "the event store does not answer: " + used.error().message;
    return h;
  }
  h.used_bytes = *used;
  struct statvfs vfs {};
  const std::string dir = std::filesystem::path(store_->path()).parent_path().string();
  if (!store_->local()) {
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
                ") free on the disk of " + store_->path() + " (" + Mib(h.free_bytes) +
                " free); events are refused so employee changes keep room";
  }
  return h;
}

EventStorageHealth EventDesk::Health() {
  std::lock_guard<std::mutex> lock(mu_);
  return HealthLocked();
}

Result<EventBatchResult> EventDesk::StoreBatch(const std::string& workstation, const Json& batch,
                                               Json& first_changes) {
  EventBatchResult result;
  const std::int64_t now_ms = clock_.NowMs();
  std::lock_guard<std::mutex> lock(mu_);
  if (auto wait = quota_.RetryAfter(workstation, now_ms)) {
    return Refused(EventBatchResult::Refusal::kQuota, *wait,
                   "workstation " + workstation + " is over its event quota (" +
                       std::to_string(options_.events_per_workstation_per_hour) +
                       " an hour); keep the events and retry later");
  }
  if (EventStorageHealth h = HealthLocked(); !h.accepting) {
    return Refused(EventBatchResult::Refusal::kStoreFull, kStoreFullRetryS, h.problem);
  }
  auto txn = Transaction::Begin(store_->db());
  if (!txn) return tl::unexpected(txn.error());
  Json changes = Json::array();
  for (const Json& event : batch) {
    if (StorableId(event) == nullptr) {
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
    auto inserted = store_->Insert(stamped, workstation, time_ms, now_ms);
    if (!inserted) return tl::unexpected(inserted.error());
    if (*inserted == InsertOutcome::kFull) {
      return Refused(EventBatchResult::Refusal::kStoreFull, kStoreFullRetryS,
                     "the event store reached events_max_bytes (" + Mib(options_.events_max_bytes) +
                         "); events are refused until retention frees space");
    }
    ++(*inserted == InsertOutcome::kInserted ? result.accepted : result.duplicates);
    if (*inserted == InsertOutcome::kInserted && IsPasswordChange(event)) changes.push_back(event);
  }
  if (auto ok = txn->Commit(); !ok) return tl::unexpected(ok.error());
  quota_.Charge(workstation, result.accepted, now_ms);
  first_changes = std::move(changes);
  return result;
}

Result<void> EventDesk::StoreCentral(const std::vector<CentralEvent>& events) {
  if (events.empty()) return common::Ok();
  std::lock_guard<std::mutex> lock(mu_);
  auto lose_all = [&](Result<void> why) {
    lost_ += events.size();
    return why;
  };
  if (EventStorageHealth h = HealthLocked(); !h.accepting) {
    return lose_all(Fail(ErrorKind::kIo, "central events lost: " + h.problem));
  }
  auto txn = Transaction::Begin(store_->db(), Durability::kRelaxed);
  if (!txn) return lose_all(tl::unexpected(txn.error()));
  for (const CentralEvent& e : events) {
    auto inserted = store_->Insert(e.event, e.workstation, e.time_ms, e.time_ms);
    if (!inserted) return lose_all(tl::unexpected(inserted.error()));
    if (*inserted == InsertOutcome::kFull) {
      return lose_all(Fail(ErrorKind::kIo, "central events lost: the event store is full"));
    }
  }
  if (auto ok = txn->Commit(); !ok) return lose_all(ok);
  return common::Ok();
}

Result<std::vector<Json>> EventDesk::Query(const EventQuery& query) {
  std::lock_guard<std::mutex> lock(mu_);
  return store_->Query(query);
}

Result<std::int64_t> EventDesk::Prune(std::int64_t max_rows) {
  const std::int64_t before_ms = clock_.NowMs() - options_.events_retention_days * 86400LL * 1000;
  std::lock_guard<std::mutex> lock(mu_);
  auto txn = Transaction::Begin(store_->db(), Durability::kRelaxed);
  if (!txn) return tl::unexpected(txn.error());
  auto deleted = store_->PruneReceivedBefore(before_ms, max_rows);
  if (!deleted) return deleted;
  if (auto ok = txn->Commit(); !ok) return tl::unexpected(ok.error());
  return deleted;
}

}  // namespace staffgate::central
