#include <security/_pam_types.h>

#include <catch2/catch.hpp>

#include "pam_module/return_codes.h"

using staffgate::common::Decision;
using staffgate::common::DecisionReply;
using staffgate::common::Error;
using staffgate::common::ErrorKind;
using staffgate::common::Reason;
using staffgate::common::Response;
using staffgate::pam::ReturnCodeForAnswer;
using staffgate::pam::ReturnCodeForDecision;
using staffgate::pam::ReturnCodeForError;
using staffgate::pam::ShouldShowMessage;
using staffgate::pam::Stage;

namespace {

Response Answer(Decision decision, Reason reason, std::string message = "msg") {
  return DecisionReply{decision, reason, std::move(message), 0};
}

struct Row {
  Decision decision;
  Reason reason;
  int auth;
  int account;
  int session;
};

}  // namespace

TEST_CASE("return codes: the docs/design.md §3 table, every row", "[module]") {
  const Row rows[] = {
      {Decision::kAllow, Reason::kAllowed, PAM_IGNORE, PAM_SUCCESS, PAM_SUCCESS},
      {Decision::kIgnore, Reason::kExempt, PAM_IGNORE, PAM_IGNORE, PAM_IGNORE},
      {Decision::kIgnore, Reason::kNotEnrolled, PAM_IGNORE, PAM_IGNORE, PAM_IGNORE},
      {Decision::kDeny, Reason::kTerminated, PAM_PERM_DENIED, PAM_ACCT_EXPIRED, PAM_PERM_DENIED},
      {Decision::kDeny, Reason::kSuspended, PAM_PERM_DENIED, PAM_PERM_DENIED, PAM_PERM_DENIED},
      {Decision::kDeny, Reason::kNotStarted, PAM_PERM_DENIED, PAM_PERM_DENIED, PAM_PERM_DENIED},
      {Decision::kDeny, Reason::kExpired, PAM_PERM_DENIED, PAM_ACCT_EXPIRED, PAM_PERM_DENIED},
      {Decision::kDeny, Reason::kSharedAccount, PAM_PERM_DENIED, PAM_PERM_DENIED, PAM_PERM_DENIED},
      {Decision::kDeny, Reason::kUnknownAccount, PAM_PERM_DENIED, PAM_PERM_DENIED, PAM_PERM_DENIED},
      {Decision::kDeny, Reason::kNotPermittedHere, PAM_PERM_DENIED, PAM_PERM_DENIED,
       PAM_PERM_DENIED},
      {Decision::kDeny, Reason::kInUseElsewhere, PAM_PERM_DENIED, PAM_PERM_DENIED, PAM_PERM_DENIED},
      {Decision::kDeny, Reason::kNoRoster, PAM_PERM_DENIED, PAM_PERM_DENIED, PAM_PERM_DENIED},
      {Decision::kDeny, Reason::kRosterExpired, PAM_PERM_DENIED, PAM_PERM_DENIED, PAM_PERM_DENIED},
      {Decision::kResetRequired, Reason::kCredentialsResetRequired, PAM_IGNORE,
       PAM_NEW_AUTHTOK_REQD, PAM_SUCCESS},
      // A reason this build does not know still follows its decision.
      {Decision::kDeny, Reason::kUnrecognized, PAM_PERM_DENIED, PAM_PERM_DENIED, PAM_PERM_DENIED},
  };
  for (const Row& row : rows) {
    INFO(staffgate::common::ReasonName(row.reason));
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

  // An ok:true reply that is not a decision (ParseResponse never makes one
  // for a check, but the mapping must not trust that).
  Response no_decision = staffgate::common::SessionCloseReply{};
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
  Response deny = Answer(Decision::kDeny, Reason::kTerminated);
  CHECK_FALSE(ShouldShowMessage(Stage::kAuth, deny));
  CHECK(ShouldShowMessage(Stage::kAccount, deny));
  CHECK(ShouldShowMessage(Stage::kSessionOpen, deny));
  CHECK_FALSE(ShouldShowMessage(Stage::kSessionClose, deny));
  CHECK_FALSE(ShouldShowMessage(Stage::kAccount, Answer(Decision::kDeny, Reason::kTerminated, "")));
  CHECK_FALSE(ShouldShowMessage(Stage::kAccount, Answer(Decision::kAllow, Reason::kAllowed)));
  CHECK_FALSE(ShouldShowMessage(Stage::kAccount, Answer(Decision::kIgnore, Reason::kExempt)));
  Response reset = Answer(Decision::kResetRequired, Reason::kCredentialsResetRequired);
  CHECK(ShouldShowMessage(Stage::kAccount, reset));
  CHECK_FALSE(ShouldShowMessage(Stage::kAuth, reset));
  CHECK_FALSE(ShouldShowMessage(Stage::kSessionOpen, reset));
  CHECK_FALSE(
      ShouldShowMessage(Stage::kAccount, staffgate::common::ErrorResponse("forbidden", "x")));
}
