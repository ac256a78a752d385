#include "agent/messages.h"

namespace staffgate::agent {
namespace {

// Account names reach us from the login prompt: keep the quoted echo short
// and printable so a message can never carry terminal escapes.
std::string Printable(const std::string& account) {
  std::string out;
  for (char c : account.substr(0, 32)) {
    auto u = static_cast<unsigned char>(c);
    out += (u >= 0x20 && u < 0x7f) ? c : '?';
  }
  return out;
}

}  // namespace

std::string MessageFor(const Verdict& verdict, const std::string& account) {
  using common::Decision;
  if (verdict.decision == Decision::kAllow || verdict.decision == Decision::kIgnore) return "";
  switch (verdict.reason) {
    case Reason::kNoRoster:
      return "Sign-in is unavailable: this workstation has no staff list yet. "
             "Please contact IT support.";
    case Reason::kRosterExpired:
      return "Sign-in is unavailable: this workstation's staff list is out of date. "
             "Please contact IT support.";
    case Reason::kSharedAccount:
      return "'" + Printable(account) + "' is a shared account. Sign in with your own account.";
    case Reason::kUnknownAccount:
      return "This account is not registered to an employee. Please contact your manager.";
    case Reason::kTerminated:
      return "This account has been deactivated. Please contact your manager.";
    case Reason::kSuspended:
      return "This account is suspended. Please contact your manager.";
    case Reason::kNotStarted:
      return "This account is not active yet. Please contact your manager.";
    // A scheduled leaver whose time has come: the same words as terminated.
    case Reason::kExpired:
      return "This account has been deactivated. Please contact your manager.";
    case Reason::kNotPermittedHere:
      return "This account may not sign in on this workstation. "
             "Please use a workstation of your department.";
    case Reason::kInUseElsewhere:
      if (verdict.other_workstation.empty()) {
        return "You are signed in on another workstation. Sign out there first.";
      }
      return "You are signed in on " + Printable(verdict.other_workstation) +
             ". Sign out there first.";
    case Reason::kLeaseUnverified:
      return "Sign-in cannot be confirmed right now (the staffgate central service is "
             "unreachable). Please try again in a minute or contact IT.";
    case Reason::kCredentialsResetRequired:
      return "Your password must be changed before you can continue. "
             "Please choose a new password now.";
    case Reason::kBadCredentials:
      return "The password is not correct.";
    case Reason::kLockedOut:
      return "Too many wrong passwords. Please wait a few minutes and try again, "
             "or contact IT support.";
    // The general sentence: allowed and exempt are never refusals, the
    // others are not decided by this agent's table yet.
    case Reason::kExempt:
    case Reason::kNotEnrolled:
    case Reason::kAllowed:
    case Reason::kNotManaged:
    case Reason::kUnrecognized:
      break;
  }
  return "Sign-in was refused. Please contact your manager.";
}

}  // namespace staffgate::agent
