// The closed vocabularies of the agent socket protocol (docs/design.md §4):
// ops, phases, decisions and reasons, with their wire names. Every name
// maps to exactly one value and back; parsing an unknown name is
// std::nullopt (ParseReason aside: see Reason::kUnrecognized).
#ifndef STAFFGATE_COMMON_PROTOCOL_NAMES_H_
#define STAFFGATE_COMMON_PROTOCOL_NAMES_H_

#include <optional>
#include <string_view>

namespace staffgate::common {

// Every op the agent accepts. The order is that of the Request variant
// (common/protocol.h).
enum class Op {
  kCheck,
  kSessionOpen,
  kSessionClose,
  kStatus,
  // Root-only, for staffgatectl.
  kSessions,
  kSync,
  kReload,
  kRosterInstall,
  // Staffgate passwords (docs/design.md §10); caller rules as check.
  kAuthenticate,
  kChauthtok,
  // The module's password phase after a local change (pam_unix) succeeded:
  // the agent records the exact time (shadow keeps whole days). Root or
  // the agent's own uid only.
  kPasswordChanged,
};
enum class Phase { kAuth, kAccount, kSession };
// How the module reacts: see the PAM return-code table in docs/design.md §3.
enum class Decision { kAllow, kDeny, kIgnore, kResetRequired };

// Why: the decision table of docs/design.md §3 (rows 1-11), the session
// lease (row 9) and the staffgate passwords of §10.
enum class Reason {
  kExempt,
  kNotEnrolled,
  kNoRoster,
  kRosterExpired,
  kSharedAccount,
  kUnknownAccount,
  kTerminated,
  kSuspended,
  kNotStarted,
  kExpired,
  kNotPermittedHere,
  kInUseElsewhere,
  kLeaseUnverified,
  kCredentialsResetRequired,
  kAllowed,
  kBadCredentials,
  kLockedOut,
  kNotManaged,
  // A name this build does not know (a newer agent): the decision still
  // says what to do, so the answer is not malformed.
  kUnrecognized,
};

std::string_view OpName(Op op);
std::string_view PhaseName(Phase phase);
std::string_view DecisionName(Decision decision);
std::string_view ReasonName(Reason reason);
std::optional<Op> ParseOp(std::string_view name);
std::optional<Phase> ParsePhase(std::string_view name);
std::optional<Decision> ParseDecision(std::string_view name);
// Never nullopt for a name: kUnrecognized for one this build lacks.
Reason ParseReason(std::string_view name);

// Where the agent answers an op (agent/socket/socket_server.h):
//  kFast: inline on the event loop (check, session_*, status: microseconds
//         of CPU, or a bounded lease call);
//  kSlow: the single admin worker, in order (roster_install verifying a
//         large roster, sync, reload);
//  kPassword: the bounded password pool (authenticate, chauthtok wait on
//         the central and on argon2id), so neither checks nor admin ops
//         wait behind a sign-in, and a flood of sign-ins is refused "busy"
//         rather than queued without end.
enum class OpLane { kFast, kSlow, kPassword };
OpLane LaneOf(Op op);
// LaneOf(op) != kFast: the agent answers it off its event loops.
bool IsSlowOp(Op op);
// authenticate, chauthtok: requests that carry a password.
bool IsPasswordOp(Op op);

}  // namespace staffgate::common

#endif  // STAFFGATE_COMMON_PROTOCOL_NAMES_H_
