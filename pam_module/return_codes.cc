#include "pam_module/return_codes.h"

#include <security/_pam_types.h>

namespace staffgate::pam {

using common::Decision;

common::Phase PhaseOf(Stage stage) {
  switch (stage) {
    case Stage::kAuth:
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
      if (stage == Stage::kAccount && reason == common::Reason::kTerminated) {
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
    default:
      return "PAM_" + std::to_string(code);
  }
}

}  // namespace staffgate::pam
