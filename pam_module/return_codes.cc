#include "pam_module/return_codes.h"

#include <security/_pam_types.h>

namespace staffgate::pam {

using common::Decision;

common::Phase PhaseOf(Stage stage) {
  switch (stage) {
    case Stage::kAuth:
    case Stage::kPassword:
      return common::Phase::kAuth;
    case Stage::kAccount:
      return common::Phase::kAccount;
    case Stage::kSessionOpen:
    case Stage::kSessionClose:
      return common::Phase::kSession;
  }
  return common::Phase::kAccount;
}

const char* StageName(Stage stage) {
  switch (stage) {
    case Stage::kAuth:
      return "auth";
    case Stage::kAccount:
      return "account";
    case Stage::kSessionOpen:
      return "open_session";
    case Stage::kSessionClose:
      return "close_session";
    case Stage::kPassword:
      return "chauthtok";
  }
  return "account";
}

int ReturnCodeForDecision(Stage stage, Decision decision, common::Reason reason) {
  if (stage == Stage::kSessionClose) return PAM_SUCCESS;
  switch (decision) {
    case Decision::kIgnore:
      return PAM_IGNORE;
    case Decision::kAllow:
      return stage == Stage::kAuth ? PAM_IGNORE : PAM_SUCCESS;
    case Decision::kResetRequired:
      if (stage == Stage::kAuth) return PAM_IGNORE;
      return stage == Stage::kAccount ? PAM_NEW_AUTHTOK_REQD : PAM_SUCCESS;
    case Decision::kDeny:
      if (stage == Stage::kAccount &&
          (reason == common::Reason::kTerminated || reason == common::Reason::kExpired)) {
        return PAM_ACCT_EXPIRED;
      }
      return PAM_PERM_DENIED;
  }
  return PAM_PERM_DENIED;  // Unreachable; fail closed if the enum grows.
}

int ReturnCodeForAnswer(Stage stage, const common::Response& response) {
  if (stage == Stage::kSessionClose) return PAM_SUCCESS;
  const auto* decided = std::get_if<common::DecisionReply>(&response);
  if (decided == nullptr) return PAM_SERVICE_ERR;
  return ReturnCodeForDecision(stage, decided->decision, decided->reason);
}

namespace {

// The refusals both password ops share.
int ReturnCodeForRefusal(const common::ErrorReply& refused) {
  if (refused.error == "unavailable" || refused.error == "busy") return PAM_AUTHINFO_UNAVAIL;
  if (refused.error == "not_managed") return PAM_USER_UNKNOWN;
  if (refused.error == "locked_out") return PAM_MAXTRIES;
  if (refused.error == "bad_credentials") return PAM_AUTH_ERR;
  if (refused.error == "weak_password") return PAM_AUTHTOK_ERR;
  if (refused.error == "denied") return PAM_PERM_DENIED;
  return PAM_SERVICE_ERR;
}

}  // namespace

int ReturnCodeForAuthenticate(const common::Response& response) {
  if (const auto* refused = std::get_if<common::ErrorReply>(&response)) {
    int code = ReturnCodeForRefusal(*refused);
    return code == PAM_AUTHTOK_ERR ? PAM_SERVICE_ERR : code;
  }
  const auto* decided = std::get_if<common::DecisionReply>(&response);
  if (decided == nullptr) return PAM_SERVICE_ERR;
  if (decided->reason == common::Reason::kNotManaged) return PAM_USER_UNKNOWN;
  switch (decided->decision) {
    case Decision::kAllow:
    case Decision::kResetRequired:
      return PAM_SUCCESS;
    case Decision::kIgnore:
      return PAM_USER_UNKNOWN;
    case Decision::kDeny:
      if (decided->reason == common::Reason::kBadCredentials) return PAM_AUTH_ERR;
      if (decided->reason == common::Reason::kLockedOut) return PAM_MAXTRIES;
      return PAM_PERM_DENIED;
  }
  return PAM_PERM_DENIED;
}

int ReturnCodeForChauthtok(const common::Response& response) {
  if (std::holds_alternative<common::ChauthtokReply>(response)) return PAM_SUCCESS;
  if (const auto* refused = std::get_if<common::ErrorReply>(&response)) {
    return ReturnCodeForRefusal(*refused);
  }
  return PAM_SERVICE_ERR;
}

int ReturnCodeForError(const common::Error& error) {
  switch (error.kind) {
    case common::ErrorKind::kUnavailable:
    case common::ErrorKind::kTimeout:
    case common::ErrorKind::kPermission:
      return PAM_AUTHINFO_UNAVAIL;
    default:
      return PAM_SERVICE_ERR;
  }
}

bool ShouldShowMessage(Stage stage, const common::Response& response) {
  if (stage != Stage::kAccount && stage != Stage::kSessionOpen) return false;
  const auto* decided = std::get_if<common::DecisionReply>(&response);
  if (decided == nullptr || decided->message.empty()) return false;
  if (decided->decision == Decision::kDeny) return true;
  // The account stage returns NEW_AUTHTOK_REQD: tell the person why the
  // password change is coming (pam_unix does the same).
  return decided->decision == Decision::kResetRequired && stage == Stage::kAccount;
}

std::string PamCodeName(int code) {
  switch (code) {
    case PAM_SUCCESS:
      return "PAM_SUCCESS";
    case PAM_IGNORE:
      return "PAM_IGNORE";
    case PAM_PERM_DENIED:
      return "PAM_PERM_DENIED";
    case PAM_ACCT_EXPIRED:
      return "PAM_ACCT_EXPIRED";
    case PAM_NEW_AUTHTOK_REQD:
      return "PAM_NEW_AUTHTOK_REQD";
    case PAM_AUTHINFO_UNAVAIL:
      return "PAM_AUTHINFO_UNAVAIL";
    case PAM_SERVICE_ERR:
      return "PAM_SERVICE_ERR";
    case PAM_SYSTEM_ERR:
      return "PAM_SYSTEM_ERR";
    case PAM_USER_UNKNOWN:
      return "PAM_USER_UNKNOWN";
    case PAM_BUF_ERR:
      return "PAM_BUF_ERR";
    case PAM_CONV_ERR:
      return "PAM_CONV_ERR";
    case PAM_AUTH_ERR:
      return "PAM_AUTH_ERR";
    case PAM_MAXTRIES:
      return "PAM_MAXTRIES";
    case PAM_AUTHTOK_ERR:
      return "PAM_AUTHTOK_ERR";
    default:
      return "PAM_" + std::to_string(code);
  }
}

}  // namespace staffgate::pam
