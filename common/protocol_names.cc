#include "common/protocol_names.h"

#include <array>
#include <utility>

namespace staffgate::common {
namespace {

// One table per vocabulary, indexed by the enum: the name and the value
// can never drift apart, and each lookup both ways reads the same table.
constexpr std::array kOpNames = {
    "check",  "session_open",   "session_close", "status",    "sessions",        "sync",
    "reload", "roster_install", "authenticate",  "chauthtok", "password_changed"};
constexpr std::array kPhaseNames = {"auth", "account", "session"};
constexpr std::array kDecisionNames = {"allow", "deny", "ignore", "reset_required"};
constexpr std::array kReasonNames = {"exempt",
                                     "not_enrolled",
                                     "no_roster",
                                     "roster_expired",
                                     "shared_account",
                                     "unknown_account",
                                     "terminated",
                                     "suspended",
                                     "not_started",
                                     "expired",
                                     "not_permitted_here",
                                     "in_use_elsewhere",
                                     "lease_unverified",
                                     "credentials_reset_required",
                                     "allowed",
                                     "bad_credentials",
                                     "locked_out",
                                     "not_managed",
                                     "unrecognized"};
static_assert(kOpNames.size() == static_cast<std::size_t>(Op::kPasswordChanged) + 1);
static_assert(kPhaseNames.size() == static_cast<std::size_t>(Phase::kSession) + 1);
static_assert(kDecisionNames.size() == static_cast<std::size_t>(Decision::kResetRequired) + 1);
static_assert(kReasonNames.size() == static_cast<std::size_t>(Reason::kUnrecognized) + 1);

// `fallback` only for a value outside the enum (a bug): fail closed.
template <typename Enum, std::size_t N>
std::string_view NameOf(const std::array<const char*, N>& names, Enum value, Enum fallback) {
  auto index = static_cast<std::size_t>(value);
  return names[index < N ? index : static_cast<std::size_t>(fallback)];
}

template <typename Enum, std::size_t N>
std::optional<Enum> ValueOf(const std::array<const char*, N>& names, std::string_view name) {
  for (std::size_t i = 0; i < N; ++i) {
    if (name == names[i]) return static_cast<Enum>(i);
  }
  return std::nullopt;
}

}  // namespace

std::string_view OpName(Op op) { return NameOf(kOpNames, op, Op::kStatus); }
std::string_view PhaseName(Phase phase) { return NameOf(kPhaseNames, phase, Phase::kAccount); }
std::string_view DecisionName(Decision decision) {
  return NameOf(kDecisionNames, decision, Decision::kDeny);
}
std::string_view ReasonName(Reason reason) {
  return NameOf(kReasonNames, reason, Reason::kNoRoster);
}

std::optional<Op> ParseOp(std::string_view name) { return ValueOf<Op>(kOpNames, name); }
std::optional<Phase> ParsePhase(std::string_view name) { return ValueOf<Phase>(kPhaseNames, name); }
std::optional<Decision> ParseDecision(std::string_view name) {
  return ValueOf<Decision>(kDecisionNames, name);
}
Reason ParseReason(std::string_view name) {
  return ValueOf<Reason>(kReasonNames, name).value_or(Reason::kUnrecognized);
}

OpLane LaneOf(Op op) {
  switch (op) {
    case Op::kRosterInstall:
    case Op::kSync:
    case Op::kReload:
      return OpLane::kSlow;
    case Op::kAuthenticate:
    case Op::kChauthtok:
      return OpLane::kPassword;
    default:
      return OpLane::kFast;
  }
}

bool IsSlowOp(Op op) { return LaneOf(op) != OpLane::kFast; }

bool IsPasswordOp(Op op) { return LaneOf(op) == OpLane::kPassword; }

}  // namespace staffgate::common
