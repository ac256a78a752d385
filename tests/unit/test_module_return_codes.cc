#include <security/_pam_types.h>

#include <catch2/catch.hpp>

#include "pam_module/return_codes.h"

using staffgate::common::Decision;
using staffgate::common::Error;
using staffgate::common::ErrorKind;
using staffgate::common::Response;
using staffgate::pam::ReturnCodeForAnswer;
using staffgate::pam::ReturnCodeForDecision;
using staffgate::pam::ReturnCodeForError;
using staffgate::pam::ShouldShowMessage;
using staffgate::pam::Stage;

namespace {

Response Answer(Decision decision, std::string reason, std::string message = "msg") {
  Response r;
  r.decision = decision;
  r.reason = std::move(reason);
  r.message = std::move(message);
  return r;
}

struct Row {
  Decision decision;
  const char* reason;
  int auth;
  int account;
  int session;
};

}  // namespace

TEST_CASE("return codes: the docs/design.md §3 table, every row", "[module]") {
  const Row rows[] = {
      {Decision::kAllow, "allowed", PAM_IGNORE, PAM_SUCCESS, PAM_SUCCESS},
      {Decision::kIgnore, "exempt", PAM_IGNORE, PAM_IGNORE, PAM_IGNORE},
      {Decision::kIgnore, "not_enrolled", PAM_IGNORE, PAM_IGNORE, PAM_IGNORE},
      {Decision::kDeny, "terminated", PAM_PERM_DENIED, PAM_ACCT_EXPIRED, PAM_PERM_DENIED},
      {Decision::kDeny, "suspended", PAM_PERM_DENIED, PAM_PERM_DENIED, PAM_PERM_DENIED},
      {Decision::kDeny, "shared_account", PAM_PERM_DENIED, PAM_PERM_DENIED, PAM_PERM_DENIED},
      {Decision::kDeny, "unknown_account", PAM_PERM_DENIED, PAM_PERM_DENIED, PAM_PERM_DENIED},
      {Decision::kDeny, "not_permitted_here", PAM_PERM_DENIED, PAM_PERM_DENIED, PAM_PERM_DENIED},
      {Decision::kDeny, "in_use_elsewhere", PAM_PERM_DENIED, PAM_PERM_DENIED, PAM_PERM_DENIED},
      {Decision::kDeny, "no_roster", PAM_PERM_DENIED, PAM_PERM_DENIED, PAM_PERM_DENIED},
      {Decision::kDeny, "roster_expired", PAM_PERM_DENIED, PAM_PERM_DENIED, PAM_PERM_DENIED},
      {Decision::kResetRequired, "credentials_reset_required", PAM_IGNORE, PAM_NEW_AUTHTOK_REQD,
       PAM_SUCCESS},
  };
  for (const Row& row : rows) {
    INFO(row.reason);
    Response r = Answer(row.decision, row.reason);
    CHECK(ReturnCodeForAnswer(Stage::kAuth, r) == row.auth);
    CHECK(ReturnCodeForAnswer(Stage::kAccount, r) == row.account);
    CHECK(ReturnCodeForAnswer(Stage::kSessionOpen, r) == row.session);
    CHECK(ReturnCodeForDecision(Stage::kAccount, row.decision, row.reason) == row.account);
    // A logout is never refused.
    CHECK(ReturnCodeForAnswer(Stage::kSessionClose, r) == PAM_SUCCESS);
  }
}

TEST_CASE("return codes: no answer and malformed answers", "[module]") {
  CHECK(ReturnCodeForError(Error{ErrorKind::kUnavailable, ""}) == PAM_AUTHINFO_UNAVAIL);
  CHECK(ReturnCodeForError(Error{ErrorKind::kTimeout, ""}) == PAM_AUTHINFO_UNAVAIL);
  CHECK(ReturnCodeForError(Error{ErrorKind::kPermission, ""}) == PAM_AUTHINFO_UNAVAIL);
  CHECK(ReturnCodeForError(Error{ErrorKind::kInvalidInput, ""}) == PAM_SERVICE_ERR);
  CHECK(ReturnCodeForError(Error{ErrorKind::kTooLarge, ""}) == PAM_SERVICE_ERR);
  CHECK(ReturnCodeForError(Error{ErrorKind::kInternal, ""}) == PAM_SERVICE_ERR);

  Response no_decision;  // ok:true but no "decision"
  for (Stage stage : {Stage::kAuth, Stage::kAccount, Stage::kSessionOpen}) {
    CHECK(ReturnCodeForAnswer(stage, no_decision) == PAM_SERVICE_ERR);
  }
  CHECK(ReturnCodeForAnswer(Stage::kSessionClose, no_decision) == PAM_SUCCESS);

  // ok:false (forbidden, bad_request) must not look like an unreachable
  // agent: a fail-open profile would otherwise let the refused caller in.
  for (const char* error : {"forbidden", "bad_request", "internal"}) {
    Response refused = staffgate::common::ErrorResponse(error, "no");
    for (Stage stage : {Stage::kAuth, Stage::kAccount, Stage::kSessionOpen}) {
      CHECK(ReturnCodeForAnswer(stage, refused) == PAM_SERVICE_ERR);
    }
    // A logout is never refused; the refusal is only logged.
    CHECK(ReturnCodeForAnswer(Stage::kSessionClose, refused) == PAM_SUCCESS);
  }
}

TEST_CASE("return codes: when the message is shown", "[module]") {
  Response deny = Answer(Decision::kDeny, "terminated");
  CHECK_FALSE(ShouldShowMessage(Stage::kAuth, deny));
  CHECK(ShouldShowMessage(Stage::kAccount, deny));
  CHECK(ShouldShowMessage(Stage::kSessionOpen, deny));
  CHECK_FALSE(ShouldShowMessage(Stage::kSessionClose, deny));
  CHECK_FALSE(ShouldShowMessage(Stage::kAccount, Answer(Decision::kDeny, "terminated", "")));
  CHECK_FALSE(ShouldShowMessage(Stage::kAccount, Answer(Decision::kAllow, "allowed")));
  CHECK_FALSE(ShouldShowMessage(Stage::kAccount, Answer(Decision::kIgnore, "exempt")));
  Response reset = Answer(Decision::kResetRequired, "credentials_reset_required");
  CHECK(ShouldShowMessage(Stage::kAccount, reset));
  CHECK_FALSE(ShouldShowMessage(Stage::kAuth, reset));
  CHECK_FALSE(ShouldShowMessage(Stage::kSessionOpen, reset));
  CHECK_FALSE(
      ShouldShowMessage(Stage::kAccount, staffgate::common::ErrorResponse("forbidden", "x")));
}
