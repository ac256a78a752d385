// The module's logic for every pam_sm_* entry point, written against
// PamContext and an injected agent call so it is tested without libpam,
// a socket or an agent. pam_staffgate.cc only adapts the C ABI to this.
//
// Flow per stage (docs/design.md §3-§5):
//   1. parse arguments (problems logged at LOG_ERR, defaults kept);
//   2. pam_get_user; "root" or a uid below min_uid -> PAM_IGNORE without
//      contacting the agent (an account with no passwd entry is still
//      asked about: the agent decides unknown_account);
//   3. ask the agent (check / session_open / session_close) with one
//      deadline for the whole exchange;
//   4. map the answer with return_codes.h, show the agent's message on deny
//      in the account and session-open stages unless PAM_SILENT or quiet,
//      and log the decision with pam_syslog.
//
// close_session: the id comes from pam_get_data, else from STAFFGATE_SESSION
// in the PAM environment. With no (valid) id there is nothing to release and
// the stage returns PAM_SUCCESS, because a logout must never fail; root and
// uids below min_uid give PAM_IGNORE as in open_session.
//
// Staffgate passwords (docs/design.md §10): the auth stage with the
// `authenticate` argument and the password stage (chauthtok) go to
// module_password.h after step 2; an account stage whose auth stage saw
// reset_required answers PAM_NEW_AUTHTOK_REQD instead of PAM_SUCCESS.
//
// Threads: none. State: none beyond the PAM handle (no globals).
#ifndef STAFFGATE_PAM_MODULE_MODULE_CORE_H_
#define STAFFGATE_PAM_MODULE_MODULE_CORE_H_

#include <cstddef>
#include <functional>
#include <string>

#include "common/agent_client.h"
#include "common/protocol.h"
#include "common/result.h"
#include "pam_module/pam_context.h"
#include "pam_module/return_codes.h"

namespace staffgate::pam {

using AgentCall = std::function<common::Result<common::Response>(const common::ClientOptions&,
                                                                 const common::Request&)>;
using SessionIdSource = std::function<common::Result<std::string>()>;
using UidMinSource = std::function<uid_t()>;

struct CoreDeps {
  AgentCall call_agent;            // common::CallAgent in production.
  SessionIdSource new_session_id;  // NewSessionId in production.
  UidMinSource default_min_uid;    // ReadUidMin in production.
};

// The production dependencies.
CoreDeps RealDeps();

// `text` cut to `cap` bytes with control characters (newlines, escapes)
// replaced by spaces: what the module may show or log of an answer.
std::string Printable(const std::string& text, std::size_t cap = 512);

// Runs one stage; returns the PAM code to hand back to libpam. Never throws
// on its own account (allocation failure may; the C shim catches that).
int RunStage(PamContext& ctx, const CoreDeps& deps, Stage stage, int flags, int argc,
             const char** argv);

}  // namespace staffgate::pam

#endif  // STAFFGATE_PAM_MODULE_MODULE_CORE_H_
