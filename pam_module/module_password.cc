#include "pam_module/module_password.h"

#include <syslog.h>

#include "common/secret.h"

namespace staffgate::pam {
namespace {

common::ClientOptions OptionsOf(const ModuleArgs& args) {
  common::ClientOptions options;
  options.socket_path = args.socket_path;
  options.timeout_ms = args.timeout_ms;
  options.agent_uid = args.agent_uid;
  return options;
}

bool Quiet(const ModuleArgs& args, int flags) { return args.quiet || (flags & PAM_SILENT) != 0; }

// One log line for the outcome: never the request, so never a password.
void LogOutcome(PamContext& ctx, const ModuleArgs& args, const std::string& what,
                const common::Result<common::Response>& answer, int code) {
  std::string outcome;
  int priority = LOG_NOTICE;
  if (!answer) {
    outcome = "no answer from the agent (" +
              std::string(common::ErrorKindName(answer.error().kind)) + ": " +
              Printable(answer.error().message) + ")";
    priority = LOG_ERR;
  } else if (const auto* refused = std::get_if<common::ErrorReply>(&*answer)) {
    outcome = "refused (" + Printable(refused->error, 64) + ")";
  } else if (const auto* decided = std::get_if<common::DecisionReply>(&*answer)) {
    outcome = std::string(common::DecisionName(decided->decision)) + " (" +
              std::string(common::ReasonName(decided->reason)) + ")";
    if (code == PAM_SUCCESS) priority = LOG_INFO;
  } else {
    outcome = "done";
    priority = LOG_INFO;
  }
  if (priority == LOG_INFO && !args.debug) return;
  ctx.Log(args.debug && priority == LOG_INFO ? LOG_DEBUG : priority,
          what + ": " + outcome + " -> " + PamCodeName(code));
}

// The password in PAM item `item`, else asked with `prompt`. PAM code.
int ObtainSecret(PamContext& ctx, int item, const char* prompt, std::string* out,
                 bool* asked = nullptr) {
  if (auto set = ctx.GetAuthtok(item)) {
    *out = std::move(*set);
    if (asked != nullptr) *asked = false;
    return PAM_SUCCESS;
  }
  if (asked != nullptr) *asked = true;
  return ctx.PromptSecret(prompt, out);
}

// Sends `authenticate` for `password` and maps the answer.
int Authenticate(PamContext& ctx, const CoreDeps& deps, const ModuleArgs& args,
                 const std::string& what, const std::string& user, const std::string& password,
                 common::Result<common::Response>* answer_out) {
  common::Request request =
      common::AuthenticateRequest{user, password, ctx.GetItem(PAM_SERVICE), ctx.GetItem(PAM_RHOST)};
  auto answer = deps.call_agent(OptionsOf(args), request);
  common::WipeSecrets(request);
  int code = answer ? ReturnCodeForAuthenticate(*answer) : ReturnCodeForError(answer.error());
  LogOutcome(ctx, args, what, answer, code);
  *answer_out = std::move(answer);
  return code;
}

std::string Describe(const char* stage, const std::string& user) {
  return std::string(stage) + " for '" + Printable(user, 64) + "'";
}

}  // namespace

int RunAuthenticate(PamContext& ctx, const CoreDeps& deps, const ModuleArgs& args, int /*flags*/,
                    const std::string& user) {
  const std::string what = Describe("auth", user);
  std::string password;
  common::WipeOnExit wipe(password);
  bool asked = false;
  if (int rc = ObtainSecret(ctx, PAM_AUTHTOK, "Password: ", &password, &asked); rc != PAM_SUCCESS) {
    ctx.Log(LOG_ERR, what + ": no password from the conversation -> " + PamCodeName(rc));
    return rc == PAM_CONV_AGAIN ? PAM_INCOMPLETE : PAM_AUTH_ERR;
  }
  // The modules after us (pam_unix try_first_pass for an account we do not
  // manage) get the same password without asking again.
  if (asked) (void)ctx.SetAuthtok(PAM_AUTHTOK, password);
  common::Result<common::Response> answer = common::Fail(common::ErrorKind::kInternal, "unset");
  int code = Authenticate(ctx, deps, args, what, user, password, &answer);
  if (code == PAM_SUCCESS && answer) {
    const auto* decided = std::get_if<common::DecisionReply>(&*answer);
    if (decided != nullptr && decided->decision == common::Decision::kResetRequired) {
      if (int marked = ctx.SetMark(kResetRequiredMark); marked != PAM_SUCCESS) return marked;
    }
  }
  return code;
}

namespace {

// PAM_PRELIM_CHECK: is the account ours, and is the current password right?
int PrelimCheck(PamContext& ctx, const CoreDeps& deps, const ModuleArgs& args,
                const std::string& what, const std::string& user) {
  common::Request check = common::CheckRequest{
      common::Phase::kAuth, common::LoginFields{user, ctx.GetItem(PAM_SERVICE),
                                                ctx.GetItem(PAM_TTY), ctx.GetItem(PAM_RHOST)}};
  auto checked = deps.call_agent(OptionsOf(args), check);
  if (!checked) {
    int code = ReturnCodeForError(checked.error());
    LogOutcome(ctx, args, what, checked, code);
    return code;
  }
  if (const auto* decided = std::get_if<common::DecisionReply>(&*checked)) {
    if (decided->decision == common::Decision::kIgnore ||
        decided->reason == common::Reason::kUnknownAccount) {
      (void)ctx.SetMark(kNotManagedMark);
      if (args.debug) ctx.Log(LOG_DEBUG, what + ": not managed by staffgate -> PAM_USER_UNKNOWN");
      return PAM_USER_UNKNOWN;
    }
  }
  std::string old_password;
  common::WipeOnExit wipe(old_password);
  if (int rc = ObtainSecret(ctx, PAM_OLDAUTHTOK, "Current password: ", &old_password);
      rc != PAM_SUCCESS) {
    ctx.Log(LOG_ERR, what + ": no current password from the conversation -> " + PamCodeName(rc));
    return PAM_AUTHTOK_RECOVERY_ERR;
  }
  common::Result<common::Response> answer = common::Fail(common::ErrorKind::kInternal, "unset");
  int code = Authenticate(ctx, deps, args, what, user, old_password, &answer);
  if (code == PAM_USER_UNKNOWN) {
    (void)ctx.SetMark(kNotManagedMark);
    // pam_unix (try_first_pass) takes the password already typed.
    (void)ctx.SetAuthtok(PAM_OLDAUTHTOK, old_password);
    return code;
  }
  if (code != PAM_SUCCESS) return code;
  return ctx.SetAuthtok(PAM_OLDAUTHTOK, old_password);
}

// The new password: PAM_AUTHTOK, else asked twice. PAM code.
int NewPassword(PamContext& ctx, const ModuleArgs& args, int flags, const std::string& what,
                std::string* out) {
  if (auto set = ctx.GetAuthtok(PAM_AUTHTOK)) {
    *out = std::move(*set);
    return PAM_SUCCESS;
  }
  std::string again;
  common::WipeOnExit wipe(again);
  if (ctx.PromptSecret("New password: ", out) != PAM_SUCCESS ||
      ctx.PromptSecret("Retype new password: ", &again) != PAM_SUCCESS) {
    ctx.Log(LOG_ERR, what + ": no new password from the conversation -> PAM_AUTHTOK_ERR");
    return PAM_AUTHTOK_ERR;
  }
  const char* problem = nullptr;
  if (out->empty()) {
    problem = "No password has been supplied.";
  } else if (*out != again) {
    problem = "Sorry, passwords do not match.";
  }
  if (problem != nullptr) {
    if (!Quiet(args, flags)) ctx.ShowError(problem);
    ctx.Log(LOG_NOTICE, what + ": " + problem + " -> PAM_AUTHTOK_ERR");
    return PAM_AUTHTOK_ERR;
  }
  return PAM_SUCCESS;
}

int UpdateAuthtok(PamContext& ctx, const CoreDeps& deps, const ModuleArgs& args, int flags,
                  const std::string& what, const std::string& user) {
  if (ctx.HasMark(kNotManagedMark)) return PAM_USER_UNKNOWN;
  common::Request request = common::ChauthtokRequest{user, "", ""};
  auto& change = std::get<common::ChauthtokRequest>(request);
  struct Wipe {
    common::Request& r;
    ~Wipe() { common::WipeSecrets(r); }
  } wipe{request};
  if (ObtainSecret(ctx, PAM_OLDAUTHTOK, "Current password: ", &change.old_password) !=
      PAM_SUCCESS) {
    ctx.Log(LOG_ERR, what + ": no current password -> PAM_AUTHTOK_RECOVERY_ERR");
    return PAM_AUTHTOK_RECOVERY_ERR;
  }
  if (int rc = NewPassword(ctx, args, flags, what, &change.new_password); rc != PAM_SUCCESS) {
    return rc;
  }
  auto answer = deps.call_agent(OptionsOf(args), request);
  int code = answer ? ReturnCodeForChauthtok(*answer) : ReturnCodeForError(answer.error());
  LogOutcome(ctx, args, what, answer, code);
  if (answer) {
    if (const auto* refused = std::get_if<common::ErrorReply>(&*answer)) {
      if (code != PAM_USER_UNKNOWN && !refused->message.empty() && !Quiet(args, flags)) {
        ctx.ShowError(Printable(refused->message));
      }
    }
  }
  if (code == PAM_SUCCESS) (void)ctx.SetAuthtok(PAM_AUTHTOK, change.new_password);
  return code;
}

}  // namespace

int ReportPasswordChanged(PamContext& ctx, const CoreDeps& deps, const ModuleArgs& args, int flags,
                          const std::string& user) {
  if ((flags & PAM_UPDATE_AUTHTOK) == 0) return PAM_IGNORE;
  const std::string what = Describe("chauthtok", user);
  auto answer = deps.call_agent(OptionsOf(args), common::PasswordChangedRequest{user});
  LogOutcome(
      ctx, args, what + " (password_changed)", answer,
      answer && std::holds_alternative<common::ChauthtokReply>(*answer) ? PAM_SUCCESS : PAM_IGNORE);
  return PAM_IGNORE;
}

int RunChauthtok(PamContext& ctx, const CoreDeps& deps, const ModuleArgs& args, int flags,
                 const std::string& user) {
  const std::string what = Describe("chauthtok", user);
  if ((flags & PAM_PRELIM_CHECK) != 0) return PrelimCheck(ctx, deps, args, what, user);
  if ((flags & PAM_UPDATE_AUTHTOK) != 0) return UpdateAuthtok(ctx, deps, args, flags, what, user);
  return PAM_SERVICE_ERR;
}

}  // namespace staffgate::pam
