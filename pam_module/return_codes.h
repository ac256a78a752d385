// How an agent answer (or the failure to get one) becomes a PAM return code.
// The table is fixed by docs/design.md §3; it lives here, apart from any libpam
// call, so every row is unit-tested.
#ifndef STAFFGATE_PAM_MODULE_RETURN_CODES_H_
#define STAFFGATE_PAM_MODULE_RETURN_CODES_H_

#include <string>

#include "common/protocol.h"
#include "common/result.h"

namespace staffgate::pam {

// Which PAM entry point is asking. kSessionClose is not in docs/design.md §3:
// closing never refuses anything (see ReturnCodeForAnswer).
// kPassword is pam_sm_chauthtok (docs/design.md §10).
enum class Stage { kAuth, kAccount, kSessionOpen, kSessionClose, kPassword };

// The phase sent to the agent for a stage.
common::Phase PhaseOf(Stage stage);
// "auth", "account", "open_session", "close_session" (for logs).
const char* StageName(Stage stage);

// The code for a well-formed ok:true answer with a decision.
//   allow:          auth IGNORE,       account SUCCESS,          session SUCCESS
//   ignore:         IGNORE everywhere
//   deny terminated or expired: auth PERM_DENIED, account ACCT_EXPIRED, session PERM_DENIED
//   deny (other):   PERM_DENIED everywhere
//   reset_required: auth IGNORE,       account NEW_AUTHTOK_REQD, session SUCCESS
// kSessionClose: SUCCESS for every decision (a logout is never refused).
int ReturnCodeForDecision(Stage stage, common::Decision decision, common::Reason reason);

// The code for an answer the agent gave: a DecisionReply maps as above.
// Any other ok:true reply to a check or session_open is malformed
// (PAM_SERVICE_ERR); an ok:true answer without a decision never gets this
// far, ParseResponse refuses it. An ErrorReply ("forbidden",
// "bad_request", "internal") is also PAM_SERVICE_ERR and never
// PAM_AUTHINFO_UNAVAIL: the agent is up and refused to decide, and a profile
// that fails open on an unreachable agent must not fail open on that.
// kSessionClose: any well-formed answer, even ok:false (an agent that
// restarted and forgot the session), is SUCCESS: there is nothing left for
// PAM to do, and a logout must not fail. The refusal is still logged.
int ReturnCodeForAnswer(Stage stage, const common::Response& response);

// The code when no answer was obtained: kUnavailable, kTimeout and
// kPermission (socket or peer not owned by agent_uid: do not trust it) give
// PAM_AUTHINFO_UNAVAIL; kInvalidInput and kTooLarge (a malformed answer)
// give PAM_SERVICE_ERR; anything else PAM_SERVICE_ERR too.
int ReturnCodeForError(const common::Error& error);

// True when the person should see the agent's message for this answer:
// deny (and reset_required) in the account and session-open stages only.
// The auth stage never shows a reason: the person may not be who they claim.
bool ShouldShowMessage(Stage stage, const common::Response& response);

// docs/design.md §10, the answer to `authenticate` (auth stage with the
// `authenticate` argument, and chauthtok's check of the old password):
//   allow -> SUCCESS; reset_required -> SUCCESS (the account stage then
//   answers NEW_AUTHTOK_REQD); ignore or not_managed -> USER_UNKNOWN (so
//   pam_unix runs); deny bad_credentials -> AUTH_ERR; locked_out ->
//   MAXTRIES; any other deny (terminated, suspended, ...) -> PERM_DENIED;
//   ok:false "unavailable" or "busy" (no central and no offline sign-in,
//   or too many at once) -> AUTHINFO_UNAVAIL; other refusals or replies
//   -> SERVICE_ERR.
int ReturnCodeForAuthenticate(const common::Response& response);
// The answer to `chauthtok`: {"ok":true} -> SUCCESS; ok:false
// weak_password -> AUTHTOK_ERR; bad_credentials -> AUTH_ERR; not_managed
// -> USER_UNKNOWN; locked_out -> MAXTRIES; denied -> PERM_DENIED;
// unavailable or busy -> AUTHINFO_UNAVAIL; anything else -> SERVICE_ERR.
int ReturnCodeForChauthtok(const common::Response& response);

// "PAM_SUCCESS", "PAM_ACCT_EXPIRED", ... for logs ("PAM_<n>" if unknown).
std::string PamCodeName(int code);

}  // namespace staffgate::pam

#endif  // STAFFGATE_PAM_MODULE_RETURN_CODES_H_
