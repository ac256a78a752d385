// The agent's one audit sink: every event goes to the local audit file and,
// when the agent follows a central, to the durable outbox (docs/design.md §7) with
// the same id, so the central can tell a resend from a new event.
#ifndef STAFFGATE_AGENT_AUDIT_FANOUT_H_
#define STAFFGATE_AGENT_AUDIT_FANOUT_H_

#include <memory>
#include <mutex>

#include "agent/audit/audit_log.h"
#include "agent/sync/central_link.h"

namespace staffgate::agent {

class AuditFanout : public AuditSink {
 public:
  // `local` must outlive the fanout.
  explicit AuditFanout(AuditLog& local) : local_(local) {}

  // Assigns the id once, then records into both. Thread-safe, never throws.
  void Record(const AuditEvent& event) override;
  // Null: local file only. Events recorded while no link is set are not
  // queued for the central later (they stay in the local file).
  void SetLink(std::shared_ptr<CentralLink> link);

 private:
  AuditLog& local_;
  std::mutex mu_;  // Guards link_ (the pointer, not the link).
  std::shared_ptr<CentralLink> link_;
};

}  // namespace staffgate::agent

#endif  // STAFFGATE_AGENT_AUDIT_FANOUT_H_
