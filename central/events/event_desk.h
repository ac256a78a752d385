// The central's audit events while it runs (docs/design.md §13): the event
// store (event_store.h) behind its own lock, the per-workstation quota, the
// store's caps (events_max_bytes, events_min_free_bytes) and retention.
//
// Events have their own database and lock, so a flood of events, or a full
// event store, never holds the employee database nor fails an employee
// change. The desk stores and reads; what an event means to the rest of the
// central (rollout records, password changes) is the Service's business.
//
// Thread-safe: every method takes the desk's own lock, never held while
// calling out.
#ifndef STAFFGATE_CENTRAL_EVENTS_EVENT_DESK_H_
#define STAFFGATE_CENTRAL_EVENTS_EVENT_DESK_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "central/event_quota.h"
#include "central/event_store.h"
#include "central/service_types.h"
#include "common/json_util.h"
#include "common/result.h"
#include "common/time_util.h"

namespace staffgate::central {

// One of the central's own events (leases, scheduled changes, password
// checks): stored without a quota, attributed to `workstation`.
struct CentralEvent {
  common::Json event;  // The whole event, with its id.
  std::string workstation;
  std::int64_t time_ms = 0;
};

class EventDesk {
 public:
  // `store` is owned; `clock` must outlive the desk. The options give the
  // caps, the quota and the retention.
  EventDesk(std::unique_ptr<EventStore> store, const ServiceOptions& options,
            const common::Clock& clock);
  EventDesk(const EventDesk&) = delete;
  EventDesk& operator=(const EventDesk&) = delete;
  ~EventDesk() = default;

  // kInvalidInput unless `batch` is a JSON array; kTooLarge above
  // kMaxEventsPerBatch. Nothing is stored by this check.
  static common::Result<void> CheckBatch(const common::Json& batch);

  // Stores a checked batch from `workstation`, idempotent by id, each event
  // stamped "source":"agent" and clamped to the central's clock. Refused
  // whole (result.refusal, nothing stored) when the workstation is over its
  // quota or the store is full. `first_changes` receives the
  // password_changed events stored for the first time. Errors: kIo.
  common::Result<EventBatchResult> StoreBatch(const std::string& workstation,
                                              const common::Json& batch,
                                              common::Json& first_changes);
  // Stores the central's own events (no quota), in one relaxed
  // transaction. When the store refuses them they are counted in Lost()
  // and the error says why. Errors: kIo.
  common::Result<void> StoreCentral(const std::vector<CentralEvent>& events);
  // Counts central events dropped before they reached the desk.
  void CountLost(std::uint64_t events) { lost_ += events; }
  std::uint64_t Lost() const { return lost_.load(); }

  common::Result<std::vector<common::Json>> Query(const EventQuery& query);
  // Whether the store takes events (caps and free disk space).
  EventStorageHealth Health();
  // Deletes up to `max_rows` events received more than
  // events_retention_days ago; returns how many. Errors: kIo.
  common::Result<std::int64_t> Prune(std::int64_t max_rows);

 private:
  EventStorageHealth HealthLocked();

  const ServiceOptions options_;
  const common::Clock& clock_;
  std::mutex mu_;  // Guards store_, quota_.
  std::unique_ptr<EventStore> store_;
  EventQuota quota_;
  std::atomic<std::uint64_t> lost_{0};
};

}  // namespace staffgate::central

#endif  // STAFFGATE_CENTRAL_EVENTS_EVENT_DESK_H_
