#include "agent/decision.h"

#include <algorithm>

namespace staffgate::agent {
namespace {

using common::Decision;

Verdict Make(Decision decision, Reason reason, std::uint64_t serial = 0) {
  Verdict v;
  v.decision = decision;
  v.reason = reason;
  v.serial = serial;
  return v;
}

bool IsExempt(const DecisionInput& input, const DecisionContext& ctx) {
  const auto& exempt = ctx.config->exempt_accounts;
  if (std::find(exempt.begin(), exempt.end(), input.account) != exempt.end()) return true;
  auto uid = ctx.users->UidOf(input.account);
  return uid && *uid < ctx.config->min_uid;
}

bool ResetRequired(const DecisionInput& input, const common::Employee& employee,
                   const DecisionContext& ctx) {
  if (!employee.credentials_reset_after) return false;
  // A staffgate password (docs/design.md §10): the central's change time.
  if (employee.credentials_changed_at) {
    return *employee.credentials_reset_after > *employee.credentials_changed_at;
  }
  // The local password: shadow's day, or the exact time the module's
  // password phase told (a change on the day of the reset counts).
  auto changed = LocalPasswordChangedAt(
      ctx.users->PasswordChangedDay(input.account),
      ctx.local_changes != nullptr ? ctx.local_changes->LastChange(input.account) : std::nullopt);
  if (!changed) return false;  // Unknown: see the header.
  return *employee.credentials_reset_after > *changed;
}

}  // namespace

Verdict Decide(const DecisionInput& input, const DecisionContext& ctx) {
  const AgentConfig& config = *ctx.config;
  // 1
  if (IsExempt(input, ctx)) return Make(Decision::kIgnore, Reason::kExempt);
  // 2
  if (config.trusted_keys.empty()) return Make(Decision::kIgnore, Reason::kNotEnrolled);
  // 3
  const common::Roster* roster = ctx.roster;
  if (roster == nullptr) return Make(Decision::kDeny, Reason::kNoRoster);
  const std::uint64_t serial = roster->serial;
  if (roster->expires_at <= ctx.now) return Make(Decision::kDeny, Reason::kRosterExpired, serial);
  // 4
  if (roster->IsShared(input.account)) return Make(Decision::kDeny, Reason::kSharedAccount, serial);
  // 5
  const common::Employee* employee = roster->FindEmployee(input.account);
  if (employee == nullptr && config.unknown_accounts == UnknownAccounts::kIgnore &&
      ctx.roster_uids != nullptr) {
    // Another passwd name for a roster account's uid is that account: the
    // uid is what the session runs as.
    if (auto alias = ctx.roster_uids->RosterAccountOf(input.account, *roster, *ctx.users)) {
      if (roster->IsShared(*alias)) return Make(Decision::kDeny, Reason::kSharedAccount, serial);
      employee = roster->FindEmployee(*alias);
      if (employee == nullptr) return Make(Decision::kDeny, Reason::kUnknownAccount, serial);
    }
  }
  if (employee == nullptr) {
    Decision d =
        config.unknown_accounts == UnknownAccounts::kIgnore ? Decision::kIgnore : Decision::kDeny;
    return Make(d, Reason::kUnknownAccount, serial);
  }
  // 6, 7
  if (employee->status == common::EmployeeStatus::kTerminated) {
    return Make(Decision::kDeny, Reason::kTerminated, serial);
  }
  if (employee->status == common::EmployeeStatus::kSuspended) {
    return Make(Decision::kDeny, Reason::kSuspended, serial);
  }
  // 7a, 7b: scheduled changes (docs/design.md §11) on this agent's own clock,
  // so an offline workstation refuses a leaver at valid_until on time.
  if (employee->valid_from && *employee->valid_from > ctx.now) {
    return Make(Decision::kDeny, Reason::kNotStarted, serial);
  }
  if (employee->valid_until && *employee->valid_until <= ctx.now) {
    return Make(Decision::kDeny, Reason::kExpired, serial);
  }
  // 8
  if (!common::GroupsPermit(employee->groups, roster->GroupsOf(config.workstation))) {
    return Make(Decision::kDeny, Reason::kNotPermittedHere, serial);
  }
  // 9
  if (input.phase == common::Phase::kSession && ctx.session_gate != nullptr) {
    GateAnswer gate = ctx.session_gate->Admit(input, *roster);
    if (gate.kind == GateAnswer::Kind::kHeldElsewhere) {
      Verdict v = Make(Decision::kDeny, Reason::kInUseElsewhere, serial);
      v.other_workstation = gate.workstation;
      return v;
    }
    if (gate.kind == GateAnswer::Kind::kUnverified) {
      return Make(Decision::kDeny, Reason::kLeaseUnverified, serial);
    }
  }
  // 10
  if (ResetRequired(input, *employee, ctx)) {
    return Make(Decision::kResetRequired, Reason::kCredentialsResetRequired, serial);
  }
  // 11
  return Make(Decision::kAllow, Reason::kAllowed, serial);
}

}  // namespace staffgate::agent
