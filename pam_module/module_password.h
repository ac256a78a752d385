// The module's staffgate password stages (docs/design.md §10), called by
// RunStage (module_core.h) after the user, root and min_uid checks:
//
// RunAuthenticate (pam_sm_authenticate with the `authenticate` argument):
// the password is PAM_AUTHTOK when an earlier module set it, else asked
// with echo off (and then set as PAM_AUTHTOK for the modules after us);
// `authenticate` goes to the agent and the answer maps as
// ReturnCodeForAuthenticate says. reset_required leaves a mark so the
// account stage answers PAM_NEW_AUTHTOK_REQD.
//
// RunChauthtok (pam_sm_chauthtok): PAM_PRELIM_CHECK first asks the agent
// whether staffgate manages the account (a `check`; not managed ->
// PAM_USER_UNKNOWN without a prompt, so pam_unix runs), then takes the
// current password (PAM_OLDAUTHTOK, else asked) and checks it with
// `authenticate` (the central's not_managed -> PAM_USER_UNKNOWN too).
// PAM_UPDATE_AUTHTOK takes the new password (PAM_AUTHTOK, else asked twice;
// a mismatch is refused here) and sends `chauthtok`; a refusal's sentence
// (libpwquality's, for a weak password) is shown with PAM_ERROR_MSG.
//
// Every password is wiped (explicit_bzero) on the way out and never
// logged, even with `debug`; the log names the account and the outcome.
#ifndef STAFFGATE_PAM_MODULE_MODULE_PASSWORD_H_
#define STAFFGATE_PAM_MODULE_MODULE_PASSWORD_H_

#include <string>

#include "pam_module/module_args.h"
#include "pam_module/module_core.h"
#include "pam_module/pam_context.h"

namespace staffgate::pam {

// Marks kept in the PAM handle between stages.
inline constexpr char kResetRequiredMark[] = "staffgate_reset_required";
inline constexpr char kNotManagedMark[] = "staffgate_password_not_managed";

int RunAuthenticate(PamContext& ctx, const CoreDeps& deps, const ModuleArgs& args, int flags,
                    const std::string& user);
int RunChauthtok(PamContext& ctx, const CoreDeps& deps, const ModuleArgs& args, int flags,
                 const std::string& user);
// pam_sm_chauthtok with the `password_changed` argument, after the module
// that changed the password: the update pass sends password_changed (the
// agent records the time). Always PAM_IGNORE: the change is done, and
// an agent that is down only means a same-day reset still asks again.
int ReportPasswordChanged(PamContext& ctx, const CoreDeps& deps, const ModuleArgs& args, int flags,
                          const std::string& user);

}  // namespace staffgate::pam

#endif  // STAFFGATE_PAM_MODULE_MODULE_PASSWORD_H_
