#include "agent/auth/password_service.h"

#include <algorithm>

#include "agent/messages.h"

namespace staffgate::agent {
namespace {

using common::Decision;

constexpr std::int64_t kSecondsPerDay = 86400;
// The longest central sentence passed on to the person (libpwquality's).
constexpr std::size_t kMaxShownBytes = 300;

constexpr char kUnreachableMessage[] =
    "The staffgate central service cannot be reached and this workstation keeps no offline "
    "sign-in for the account. Please try again later.";
constexpr char kChangeUnreachableMessage[] =
    "Your password cannot be changed while the staffgate central service is unreachable. "
    "Please try again later.";
constexpr char kNotManagedMessage[] = "staffgate does not keep this account's password.";

PasswordAnswer Decided(Decision decision, Reason reason, const std::string& account,
                       std::uint64_t serial, const char* how) {
  Verdict verdict;
  verdict.decision = decision;
  verdict.reason = reason;
  common::DecisionReply reply{decision, reason, MessageFor(verdict, account), serial};
  return PasswordAnswer{reply, std::string(common::DecisionName(decision)),
                        std::string(common::ReasonName(reason)), how};
}

PasswordAnswer Refused(const std::string& error, std::string message, const char* how) {
  return PasswordAnswer{common::ErrorResponse(error, std::move(message)), "refused", error, how};
}

bool NotManaged(const Verdict& verdict) {
  return verdict.decision == Decision::kIgnore || verdict.reason == Reason::kUnknownAccount;
}

// The central's sentence, kept to one short printable line.
std::string Shown(const std::string& text, const char* fallback) {
  std::string out = text.substr(0, kMaxShownBytes);
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  }
  return out.empty() ? fallback : out;
}

}  // namespace

PasswordService::PasswordService(PasswordDeps deps) : deps_(std::move(deps)) {}

PasswordAnswer PasswordService::Authenticate(const common::AuthenticateRequest& request,
                                             const Verdict& verdict, const common::Roster* roster,
                                             int offline_days) {
  const std::string& account = request.account;
  if (NotManaged(verdict)) {
    return Decided(Decision::kIgnore, Reason::kNotManaged, account, verdict.serial, "roster");
  }
  if (verdict.decision == Decision::kDeny) {
    return Decided(Decision::kDeny, verdict.reason, account, verdict.serial, "roster");
  }
  if (!deps_.limiter->MayTry(account)) {
    return Decided(Decision::kDeny, Reason::kLockedOut, account, verdict.serial, "local_limit");
  }
  std::shared_ptr<CentralAuth> central = deps_.central ? deps_.central() : nullptr;
  if (central == nullptr) return Offline(request, verdict, roster);
  const common::UnixSeconds now = deps_.clock->Now();
  const common::UnixSeconds failed_at = unreachable_at_.load();
  const int deadline_ms = failed_at != 0 && now - failed_at < kUnreachableMemoryS
                              ? kRetryDeadlineMs
                              : kVerifyDeadlineMs;
  VerifyOutcome outcome = central->Verify(
      common::VerifyRequest{account, request.password, request.service, request.rhost},
      deadline_ms);
  unreachable_at_.store(outcome.kind == VerifyOutcome::Kind::kUnreachable ? now : 0);
  switch (outcome.kind) {
    case VerifyOutcome::Kind::kAnswered:
      return Online(request, verdict, roster, offline_days, outcome.result);
    case VerifyOutcome::Kind::kUnreachable:
      deps_.log(LOG_NOTICE, "password check for '" + account + "' offline: " + outcome.error);
      return Offline(request, verdict, roster);
    case VerifyOutcome::Kind::kRefused:
      break;
  }
  deps_.log(LOG_ERR, "password check for '" + account + "': " + outcome.error);
  return Refused("unavailable",
                 "The staffgate central service refused the sign-in check. "
                 "Please contact IT support.",
                 "online");
}

PasswordAnswer PasswordService::Online(const common::AuthenticateRequest& request,
                                       const Verdict& verdict, const common::Roster* roster,
                                       int offline_days, common::VerifyResult result) {
  const std::string& account = request.account;
  switch (result) {
    case common::VerifyResult::kOk:
      deps_.limiter->RecordSuccess(account);
      if (verdict.decision == Decision::kResetRequired) {
        // A password flagged for reset must not keep working offline.
        deps_.verifiers->Remove(account);
        return Decided(Decision::kResetRequired, Reason::kCredentialsResetRequired, account,
                       verdict.serial, "online");
      }
      KeepVerifier(request, roster, offline_days);
      return Decided(Decision::kAllow, Reason::kAllowed, account, verdict.serial, "online");
    case common::VerifyResult::kResetRequired:
      deps_.limiter->RecordSuccess(account);
      deps_.verifiers->Remove(account);
      return Decided(Decision::kResetRequired, Reason::kCredentialsResetRequired, account,
                     verdict.serial, "online");
    case common::VerifyResult::kBadCredentials:
      deps_.limiter->RecordFailure(account);
      return Decided(Decision::kDeny, Reason::kBadCredentials, account, verdict.serial, "online");
    case common::VerifyResult::kLockedOut:
      return Decided(Decision::kDeny, Reason::kLockedOut, account, verdict.serial, "online");
    case common::VerifyResult::kNotManaged:
      deps_.verifiers->Remove(account);
      return Decided(Decision::kIgnore, Reason::kNotManaged, account, verdict.serial, "online");
  }
  return Decided(Decision::kDeny, Reason::kBadCredentials, account, verdict.serial, "online");
}

PasswordAnswer PasswordService::Offline(const common::AuthenticateRequest& request,
                                        const Verdict& verdict, const common::Roster* roster) {
  const std::string& account = request.account;
  const common::Employee* employee = roster != nullptr ? roster->FindEmployee(account) : nullptr;
  switch (deps_.verifiers->Verify(account, request.password, employee)) {
    case OfflineVerifiers::Check::kNone:
      return Refused("unavailable", kUnreachableMessage, "unavailable");
    case OfflineVerifiers::Check::kMatch:
      deps_.limiter->RecordSuccess(account);
      if (verdict.decision == Decision::kResetRequired) {
        return Decided(Decision::kResetRequired, Reason::kCredentialsResetRequired, account,
                       verdict.serial, "offline");
      }
      return Decided(Decision::kAllow, Reason::kAllowed, account, verdict.serial, "offline");
    case OfflineVerifiers::Check::kMismatch:
    case OfflineVerifiers::Check::kUsedUp:
      break;
  }
  deps_.limiter->RecordFailure(account);
  return Decided(Decision::kDeny, Reason::kBadCredentials, account, verdict.serial, "offline");
}

void PasswordService::KeepVerifier(const common::AuthenticateRequest& request,
                                   const common::Roster* roster, int offline_days) {
  if (offline_days <= 0 || roster == nullptr) return;
  const common::Employee* employee = roster->FindEmployee(request.account);
  const common::UnixSeconds expires =
      std::min(deps_.clock->Now() + offline_days * kSecondsPerDay, roster->expires_at);
  auto saved =
      deps_.verifiers->Save(request.account, request.password, expires,
                            employee != nullptr ? employee->credentials_changed_at : std::nullopt);
  if (!saved) {
    deps_.log(LOG_WARNING,
              "no offline sign-in kept for '" + request.account + "': " + saved.error().message);
  }
}

PasswordAnswer PasswordService::Chauthtok(const common::ChauthtokRequest& request,
                                          const Verdict& verdict) {
  const std::string& account = request.account;
  if (NotManaged(verdict)) return Refused("not_managed", kNotManagedMessage, "roster");
  if (verdict.decision == Decision::kDeny) {
    return Refused("denied", MessageFor(verdict, account), "roster");
  }
  if (!deps_.limiter->MayTry(account)) {
    Verdict locked;
    locked.decision = Decision::kDeny;
    locked.reason = Reason::kLockedOut;
    return Refused("locked_out", MessageFor(locked, account), "local_limit");
  }
  std::shared_ptr<CentralAuth> central = deps_.central ? deps_.central() : nullptr;
  if (central == nullptr) return Refused("unavailable", kChangeUnreachableMessage, "unavailable");
  ChangeOutcome outcome =
      central->Change(common::ChangeRequest{account, request.old_password, request.new_password},
                      kChangeDeadlineMs);
  switch (outcome.kind) {
    case ChangeOutcome::Kind::kChanged:
      deps_.limiter->RecordSuccess(account);
      // The old password's verifier; the next online sign-in keeps a new one.
      deps_.verifiers->Remove(account);
      return PasswordAnswer{common::ChauthtokReply{}, "changed", "changed", "online"};
    case ChangeOutcome::Kind::kRefused: {
      const bool wrong_old = outcome.refusal.error == "bad_credentials";
      if (wrong_old) deps_.limiter->RecordFailure(account);
      if (outcome.refusal.error == "locked_out") {
        return Refused("locked_out",
                       Shown(outcome.refusal.message, "Too many wrong passwords: try again later."),
                       "online");
      }
      const std::string error = wrong_old ? "bad_credentials" : "weak_password";
      return Refused(
          error,
          Shown(outcome.refusal.message, wrong_old ? "The current password is not correct."
                                                   : "The new password is too weak."),
          "online");
    }
    case ChangeOutcome::Kind::kNotManaged:
      return Refused("not_managed", kNotManagedMessage, "online");
    case ChangeOutcome::Kind::kUnreachable:
      deps_.log(LOG_NOTICE, "password change for '" + account + "': " + outcome.error);
      return Refused("unavailable", kChangeUnreachableMessage, "unavailable");
    case ChangeOutcome::Kind::kFailed:
      break;
  }
  deps_.log(LOG_ERR, "password change for '" + account + "': " + outcome.error);
  return Refused("unavailable",
                 "The staffgate central service refused the password change. "
                 "Please contact IT support.",
                 "online");
}

void PasswordService::RosterChanged(const common::Roster& roster) {
  deps_.verifiers->Prune(roster);
}

}  // namespace staffgate::agent
