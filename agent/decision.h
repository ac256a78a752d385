// The decision table of docs/design.md §3, as a pure function: the same inputs
// always give the same verdict, with no I/O except the injected UserDb and
// the optional row-9 hook. Used for the auth, account and session phases
// alike.
//
// Choices the design leaves open, fixed here:
//  - Row 1: an account without a passwd entry is not exempt by uid; it
//    continues down the table (usually to unknown_account).
//  - Row 3: expiry is measured against `now` at decision time, so a cached
//    roster turns into roster_expired without any event.
//  - Rows 7a/7b: valid_from == now allows (the first second of the first
//    day), valid_until == now denies (the leaver's last second has gone).
//  - Row 10: with the roster's credentials_changed_at (staffgate
//    passwords, docs/design.md §10) a reset is required iff
//    credentials_reset_after > credentials_changed_at. Without it, shadow's sp_lstchg counts days;
//    the change is taken to happen at the start of that UTC day, so a reset is required iff
//    credentials_reset_after > lstchg * 86400, unless the module's password
//    phase told the exact time of a later change (local_password_changes.h):
//    then that time counts, so a change on the day of the reset ends it. The
//    row is skipped when neither is known: no readable shadow entry or
//    lstchg <= 0 (0 means "change at next login" to shadow itself, negative
//    means unknown): we only demand a reset when we can tell it has not
//    happened.
#ifndef STAFFGATE_AGENT_DECISION_H_
#define STAFFGATE_AGENT_DECISION_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "agent/auth/local_password_changes.h"
#include "agent/config/agent_config.h"
#include "agent/roster/roster_uids.h"
#include "agent/users/user_db.h"
#include "common/protocol.h"
#include "common/roster.h"
#include "common/time_util.h"

namespace staffgate::agent {

// The reasons (and their wire names) are the protocol's: the module and
// staffgatectl read the same enum.
using common::Reason;

struct DecisionInput {
  std::string account;
  common::Phase phase = common::Phase::kAccount;
  std::string service;
  std::string tty;
  std::string rhost;
};

// Row 9 (docs/design.md §3, session leases): asked only in the session phase, for an
// account that passed rows 1-8. Implementations may block (central lease
// call, bounded) and must be thread-safe.
struct GateAnswer {
  enum class Kind {
    kFree,           // Continue to row 10.
    kHeldElsewhere,  // Deny in_use_elsewhere, naming `workstation`.
    kUnverified,     // Central unreachable and lease_unreachable = "deny".
  };
  Kind kind = Kind::kFree;
  std::string workstation;
};

// The central lease of an account, for `staffgatectl check --phase
// session` (common::DecisionReply::lease).
struct LeaseState {
  std::string state;        // "held_here", "held_elsewhere", "none", "unreachable", ...
  std::string workstation;  // held_elsewhere: the holders, comma separated.
};

class SessionGate {
 public:
  virtual ~SessionGate() = default;
  virtual GateAnswer Admit(const DecisionInput& input, const common::Roster& roster) = 0;
  // Asks, changing nothing (may block like Admit). Default: no central.
  virtual LeaseState LeaseOf(const std::string& account) {
    (void)account;
    return {"no_central", ""};
  }
  // After an admitted session_open was recorded in the session table (or
  // could not be: table full), and after a session_close.
  virtual void SessionOpened(const std::string& account) { (void)account; }
  virtual void SessionClosed(const std::string& account) { (void)account; }
};

struct DecisionContext {
  const AgentConfig* config = nullptr;     // Required.
  const common::Roster* roster = nullptr;  // The last good roster, or null.
  const UserDb* users = nullptr;           // Required.
  common::UnixSeconds now = 0;
  SessionGate* session_gate = nullptr;  // Null: row 9 is skipped.
  // Row 5 with unknown_accounts = "ignore": an unknown name whose uid is a
  // roster account's is decided as that account. Null: by name only.
  RosterUidIndex* roster_uids = nullptr;
  // Row 10: exact times of local password changes. Null: shadow's day only.
  const LocalPasswordChanges* local_changes = nullptr;
};

struct Verdict {
  common::Decision decision = common::Decision::kDeny;
  Reason reason = Reason::kNoRoster;
  std::uint64_t serial = 0;       // Serial of the roster used; 0 without one.
  std::string other_workstation;  // Row 9 only, for the message.
};

// Walks rows 1-11 (with 7a and 7b) in order; the first match wins.
Verdict Decide(const DecisionInput& input, const DecisionContext& ctx);

}  // namespace staffgate::agent

#endif  // STAFFGATE_AGENT_DECISION_H_
