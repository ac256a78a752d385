// Audit events (docs/design.md §7): one JSON object per line in the
// local audit file. Events carry account names, decisions and serials,
// never tokens or anything from the password stack.
//
// AuditSink is the seam for more destinations (the central outbox of
// agent/sync/event_outbox.h): the agent records each event once into every sink.
#ifndef STAFFGATE_AGENT_AUDIT_LOG_H_
#define STAFFGATE_AGENT_AUDIT_LOG_H_

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "common/json_util.h"
#include "common/log.h"
#include "common/result.h"
#include "common/unique_fd.h"

namespace staffgate::agent {

// Every kind of event the agent records; the enum is the list. The wire
// name (AuditTypeName) is the "type" field of the audit line and of the
// event sent to the central.
enum class AuditType {
  kDecision,            // A check answered (any phase).
  kSessionOpen,         // A session_open answered.
  kSessionClose,        // A tracked session closed (by the module or reaped).
  kSessionsTerminated,  // Sessions ended after a revocation.
  kRosterInstalled,
  kRosterRejected,
  kAgentStart,
  kAgentStop,
  kConfigReloaded,
  kLeaseAcquired,  // Session leases at the central (row 9).
  kLeaseRefused,
  kLeaseUnverified,
  kLeaseLost,
  kLeaseReleased,
  kNssIdentitySkipped,  // A roster identity left out of the NSS snapshot (clash).
  kAuditLost,           // Events the disk could not take (count), reported once it can.
  kRosterNotSaved,      // A roster enforced in memory could not be saved to disk.
  kOutboxQuarantine,    // Unreadable outbox lines moved aside (count).
  kAuthenticate,        // A staffgate password checked (detail: online, offline, ...).
  kChauthtok,           // A staffgate password change asked for.
  kPasswordChanged,     // A local password changed (the module's password phase).
};

// "decision", "session_open", ..., "lease_released", "nss_identity_skipped", "audit_lost",
// "roster_not_saved", "outbox_quarantine", "authenticate", "chauthtok", "password_changed".
std::string_view AuditTypeName(AuditType type);

struct AuditEvent {
  std::string id;  // Random and unique (NewEventId); filled by Record if empty.
  std::int64_t time_ms = 0;
  std::string workstation;
  AuditType type = AuditType::kDecision;
  std::string account, phase, service, tty, rhost;
  std::string decision, reason;
  std::optional<std::uint64_t> serial;
  std::string detail;  // Plain words for roster and agent events.
  // How many events this one stands for: identical decisions counted
  // (decision_coalescer.h), or events lost (audit_lost).
  std::optional<std::uint64_t> count;
  // The central records this event itself (a lease event it answered,
  // docs/design.md §6): written to the local file only, never queued, so
  // the central lists it once.
  bool central_records = false;

  // The JSON object written for this event (empty fields left out, except
  // the identifying ones).
  common::Json ToJson() const;
};

// 128 random bits as a UUID-v4 string.
std::string NewEventId();

class AuditSink {
 public:
  virtual ~AuditSink() = default;
  // Must be thread-safe and must not throw; failures are logged by the sink.
  virtual void Record(const AuditEvent& event) = 0;
};

// Appends to a file opened O_APPEND|O_NOFOLLOW (created 0640, parent
// directory created 0750 when missing): a symlink planted in the audit
// directory is refused, never written through. One write(2) per event. If
// the file cannot be opened or written, the event is lost, never retried
// (an audit disk problem must not stop logins): AppendLine says so and the
// caller accounts for it (AuditFanout); Record logs it, rate-limited.
class AuditLog : public AuditSink {
 public:
  AuditLog(std::string path, common::LogFn log);
  ~AuditLog() override;
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  // Opens the file. Errors: kIo (the agent still runs, see above).
  common::Result<void> Open();
  // Reopens, possibly at a new path (SIGHUP: log rotation, config change).
  common::Result<void> Reopen(const std::string& path);
  void Record(const AuditEvent& event) override;
  // Appends one already serialised event (no newline inside). Errors:
  // kIo, naming the file (the event is not in the file).
  common::Result<void> AppendLine(std::string line);

 private:
  common::Result<void> OpenLocked();

  std::mutex mu_;
  std::string path_;
  common::LogFn log_;
  common::UniqueFd fd_;
  std::int64_t failures_ = 0;
};

}  // namespace staffgate::agent

#endif  // STAFFGATE_AGENT_AUDIT_LOG_H_
