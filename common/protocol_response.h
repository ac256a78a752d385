// The replies of the agent socket protocol (docs/design.md §4), one struct
// per op; the requests are in common/protocol.h. Every line carries
// "v":1 and "ok"; ok:false lines are ErrorReply whatever the op.
#ifndef STAFFGATE_COMMON_PROTOCOL_RESPONSE_H_
#define STAFFGATE_COMMON_PROTOCOL_RESPONSE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/protocol_names.h"
#include "common/result.h"

namespace staffgate::common {

// ok:false. `error` is a stable word ("bad_request", "forbidden", "busy",
// "internal", "rejected", "not_configured", ...); `message` one sentence.
struct ErrorReply {
  std::string error;
  std::string message;
  std::string kind;  // roster_install "rejected" only: the ErrorKindName.
  bool operator==(const ErrorReply&) const = default;
};

// check, session_open, authenticate (docs/design.md §10: reason
// bad_credentials, locked_out or not_managed besides the table's).
struct DecisionReply {
  Decision decision = Decision::kDeny;
  Reason reason = Reason::kNoRoster;
  std::string message;       // One sentence for the person; may be empty.
  std::uint64_t serial = 0;  // Of the roster decided on; 0 without one.
  // A `check` in the session phase only (staffgatectl): the central lease
  // of the account. `lease` is "held_here", "held_elsewhere" (then
  // `lease_workstation` names the holders), "none", "unreachable",
  // "refused" or "no_central"; empty otherwise.
  std::string lease = {};
  std::string lease_workstation = {};
  bool operator==(const DecisionReply&) const = default;
};

struct SessionCloseReply {
  bool closed = false;  // False for an id the agent does not know.
  bool operator==(const SessionCloseReply&) const = default;
};

struct RosterSummary {
  std::uint64_t serial = 0;
  std::string issued_at, expires_at;  // RFC 3339.
  std::uint64_t employees = 0;
  std::string state;  // "valid" or "expired".
  bool operator==(const RosterSummary&) const = default;
};

// One configured central as the agent sees it (docs/design.md §12).
struct CentralEntry {
  std::string url;
  bool in_use = false;     // The one every call goes to now.
  bool down = false;       // Its last call found it down.
  std::string down_since;  // RFC 3339, when down.
  std::string last_error;  // Plain words, when down.
  bool operator==(const CentralEntry&) const = default;
};

struct StatusReply {
  bool enrolled = false;
  std::string workstation;
  std::string version;
  bool central_configured = false;
  std::uint64_t sessions = 0;           // Open sessions.
  std::optional<RosterSummary> roster;  // Null on the wire: none.
  std::optional<std::uint64_t> highest_serial;
  // From the central link, when the agent follows a central.
  std::optional<std::string> last_sync, last_sync_attempt, last_sync_result;
  std::optional<bool> central_reachable;
  std::optional<std::string> central_url;
  std::optional<std::uint64_t> outbox_depth;
  // Why the roster cannot be relied on (not saved; a cached roster older
  // than the serial enforced before a restart). Absent when all is well.
  std::optional<std::string> roster_problem;
  // Audit events lost since start: recorded nowhere, missing from the
  // local audit file, not queued for the central; allow events dropped
  // by the outbox cap; unreadable outbox lines quarantined.
  std::optional<std::uint64_t> audit_lost, audit_not_in_local_log, audit_not_queued;
  std::optional<std::uint64_t> outbox_dropped, outbox_quarantined;
  // Every configured central, in order; empty without one.
  std::vector<CentralEntry> centrals = {};
  bool operator==(const StatusReply&) const = default;
};

struct SessionEntry {
  std::string session, account, service, tty;
  std::int64_t pid = 0;
  std::string opened_at;
  // The central lease of the account, if one is held; empty otherwise.
  std::string lease, lease_expires_at;
  bool operator==(const SessionEntry&) const = default;
};

struct LeaseEntry {
  std::string account, lease, expires_at;
  bool operator==(const LeaseEntry&) const = default;
};

struct SessionsReply {
  std::vector<SessionEntry> sessions;
  bool truncated = false;  // More sessions than fit in one line.
  std::vector<LeaseEntry> leases;
  bool operator==(const SessionsReply&) const = default;
};

struct SyncReply {
  std::string result;  // Plain words: what the round did.
  bool operator==(const SyncReply&) const = default;
};

struct ReloadReply {
  std::string reloaded;  // The config file read.
  bool operator==(const ReloadReply&) const = default;
};

struct RosterInstallReply {
  bool installed = false;  // A newer roster is now in use.
  bool no_change = false;  // The same serial was already in use.
  std::uint64_t serial = 0;
  std::string warning;  // Installed in memory but not saved; may be empty.
  bool operator==(const RosterInstallReply&) const = default;
};

// chauthtok (and password_changed) done: {"ok":true}. A refused change is an ErrorReply with
// error "weak_password" or "bad_credentials" (the sentence to show the
// person in message), "not_managed" (pam_unix's business), "denied" (the
// roster refuses the account) or "unavailable" (no central).
struct ChauthtokReply {
  bool operator==(const ChauthtokReply&) const = default;
};

using Response =
    std::variant<ErrorReply, DecisionReply, SessionCloseReply, StatusReply, SessionsReply,
                 SyncReply, ReloadReply, RosterInstallReply, ChauthtokReply>;

// Parses the answer to a request of `op` (the line alone does not say
// which reply it is). ok:false gives ErrorReply for any op.
Result<Response> ParseResponse(Op op, std::string_view line);
// One line of JSON, without the trailing newline.
std::string SerializeResponse(const Response& response);

inline Response ErrorResponse(std::string error, std::string message) {
  return ErrorReply{std::move(error), std::move(message), {}};
}

}  // namespace staffgate::common

#endif  // STAFFGATE_COMMON_PROTOCOL_RESPONSE_H_
