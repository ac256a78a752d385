// The agent's one audit sink: every event goes to the local audit file and,
// when the agent follows a central, to the durable outbox (docs/design.md
// §7) with the same id, so the central can tell a resend from a new event.
//
// Identical decisions are coalesced first (decision_coalescer.h), so both
// destinations get the same, counted stream: the local file is on the
// same disk as the outbox and a flood must fill neither.
//
// An event the central records itself (AuditEvent::central_records) goes
// to the local file only.
//
// Every event is accounted for: one that a destination could not take is
// counted (Losses, shown by `staffgatectl status`), logged in words that
// say where it still is, if anywhere, and once both destinations work
// again an `audit_lost` event records how many were lost and when.
#ifndef STAFFGATE_AGENT_AUDIT_FANOUT_H_
#define STAFFGATE_AGENT_AUDIT_FANOUT_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>

#include "agent/audit/audit_log.h"
#include "agent/audit/decision_coalescer.h"
#include "common/log.h"

namespace staffgate::agent {

// Where events go besides the local file (the central link's outbox).
class EventQueue {
 public:
  virtual ~EventQueue() = default;
  // Queues one serialised event. Errors: kIo (disk full). Thread-safe.
  virtual common::Result<void> Enqueue(const std::string& event_json) = 0;
};

struct AuditLosses {
  std::uint64_t lost = 0;              // Recorded nowhere.
  std::uint64_t not_in_local_log = 0;  // Missing from the local file (maybe queued).
  std::uint64_t not_queued = 0;        // Never reach the central (maybe in the file).
};

class AuditFanout : public AuditSink {
 public:
  // `local` must outlive the fanout. `log` may be empty.
  AuditFanout(AuditLog& local, common::LogFn log, DecisionCoalescer::Options options = {})
      : local_(local), log_(std::move(log)), coalescer_(options) {}

  // Coalesces, assigns each recorded event its id once, then records it
  // into both destinations. Thread-safe, never throws.
  void Record(const AuditEvent& event) override;
  // Records the summaries of coalescing windows ended by `now_ms` (the
  // agent calls it every second; INT64_MAX at shutdown).
  void Flush(std::int64_t now_ms);
  // Null: local file only. Events recorded while no link is set are not
  // queued for the central later (they stay in the local file).
  void SetLink(std::shared_ptr<EventQueue> link);
  AuditLosses Losses() const;

 private:
  void Write(AuditEvent event);
  // Counts and reports what `event` (just written) could not reach.
  void Account(bool local_ok, bool queue_ok, bool queue_wanted, const std::string& why,
               const AuditEvent& event);

  AuditLog& local_;
  common::LogFn log_;
  std::mutex coalesce_mu_;  // Guards coalescer_.
  DecisionCoalescer coalescer_;
  mutable std::mutex mu_;  // Guards link_ (the pointer, not the link) and the counts.
  std::shared_ptr<EventQueue> link_;
  AuditLosses losses_;
  std::uint64_t failures_ = 0;    // Events with any loss, for rate-limited logging.
  std::uint64_t unreported_ = 0;  // Lost entirely since the last audit_lost event.
  std::int64_t unreported_since_ms_ = 0;
};

}  // namespace staffgate::agent

#endif  // STAFFGATE_AGENT_AUDIT_FANOUT_H_
