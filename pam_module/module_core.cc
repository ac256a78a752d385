#include "pam_module/module_core.h"

#include <syslog.h>
#include <unistd.h>

#include <optional>
#include <string>

#include "pam_module/module_args.h"
#include "pam_module/module_password.h"
#include "pam_module/session_id.h"

namespace staffgate::pam {
namespace {

using common::Decision;

// Shown (account and session stages) when the agent gave no answer, so the
// person reads why instead of PAM's generic "Authentication information
// cannot be recovered". It says nothing about the account.
constexpr char kAgentDownMessage[] =
    "Sign-in could not be checked: the staffgate agent is not answering on this computer. "
    "Please try again in a minute, or contact IT if it persists.";

std::string Describe(Stage stage, const std::string& user) {
  return std::string(StageName(stage)) + " for '" + Printable(user, 64) + "'";
}

common::LoginFields LoginOf(PamContext& ctx, const std::string& user) {
  return common::LoginFields{user, ctx.GetItem(PAM_SERVICE), ctx.GetItem(PAM_TTY),
                             ctx.GetItem(PAM_RHOST)};
}

// Logs the outcome of an exchange and returns the PAM code.
int Conclude(PamContext& ctx, const ModuleArgs& args, Stage stage, int flags,
             const std::string& user, const common::Result<common::Response>& answer) {
  std::string what = Describe(stage, user);
  if (!answer) {
    int code = ReturnCodeForError(answer.error());
    ctx.Log(LOG_ERR, what + ": no answer from the agent (" +
                         std::string(common::ErrorKindName(answer.error().kind)) + ": " +
                         Printable(answer.error().message) + ") -> " + PamCodeName(code));
    // As for a refusal, the auth stage shows nothing (screen lockers run
    // only auth and retry on their own).
    const bool shown_stage = stage == Stage::kAccount || stage == Stage::kSessionOpen;
    if (shown_stage && code == PAM_AUTHINFO_UNAVAIL && (flags & PAM_SILENT) == 0 && !args.quiet) {
      ctx.ShowError(kAgentDownMessage);
    }
    return code;
  }
  const common::Response& response = *answer;
  int code = ReturnCodeForAnswer(stage, response);
  if (const auto* refused = std::get_if<common::ErrorReply>(&response)) {
    ctx.Log(LOG_ERR, what + ": the agent refused the request (" + Printable(refused->error, 64) +
                         ": " + Printable(refused->message) + ") -> " + PamCodeName(code));
    return code;
  }
  if (stage == Stage::kSessionClose) {
    if (args.debug) ctx.Log(LOG_DEBUG, what + ": session closed");
    return code;
  }
  const auto* decided = std::get_if<common::DecisionReply>(&response);
  if (decided == nullptr) {
    ctx.Log(LOG_ERR, what + ": malformed answer without a decision -> " + PamCodeName(code));
    return code;
  }
  std::string line = what + ": " + std::string(common::DecisionName(decided->decision)) + " (" +
                     std::string(common::ReasonName(decided->reason)) + ") -> " + PamCodeName(code);
  bool notable =
      decided->decision == Decision::kDeny || decided->decision == Decision::kResetRequired;
  if (notable) {
    ctx.Log(LOG_NOTICE, line);
  } else if (args.debug) {
    ctx.Log(LOG_DEBUG, line);
  }
  if (ShouldShowMessage(stage, response)) {
    if ((flags & PAM_SILENT) != 0 || args.quiet) {
      if (args.debug) ctx.Log(LOG_DEBUG, what + ": message suppressed (PAM_SILENT or quiet)");
    } else {
      ctx.ShowError(Printable(decided->message));
    }
  }
  return code;
}

}  // namespace

std::string Printable(const std::string& text, std::size_t cap) {
  std::string out = text.substr(0, cap);
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  }
  return out;
}

CoreDeps RealDeps() {
  return CoreDeps{
      [](const common::ClientOptions& options, const common::Request& request) {
        return common::CallAgent(options, request);
      },
      [] { return NewSessionId(); },
      [] { return ReadUidMin(); },
  };
}

namespace {

// Root and system accounts never depend on the agent (docs/design.md §3),
// so they keep working while it is down: PAM_IGNORE for them, nullopt for
// an account the agent is asked about.
std::optional<int> SkipUnasked(PamContext& ctx, const CoreDeps& deps, const ModuleArgs& args,
                               Stage stage, const std::string& user) {
  if (user == "root") {
    if (args.debug) ctx.Log(LOG_DEBUG, Describe(stage, user) + ": root, not asked -> PAM_IGNORE");
    return PAM_IGNORE;
  }
  // login.defs is read only now, after root, and only when no min_uid
  // argument was given (the packaged service lines give none): it is a
  // file read and parse in every stage of every login.
  const uid_t min_uid = args.min_uid ? *args.min_uid : deps.default_min_uid();
  if (auto uid = ctx.LookupUid(user); uid && *uid < min_uid) {
    if (args.debug) {
      ctx.Log(LOG_DEBUG, Describe(stage, user) + ": uid " + std::to_string(*uid) +
                             " below min_uid " + std::to_string(min_uid) +
                             ", not asked -> PAM_IGNORE");
    }
    return PAM_IGNORE;
  }
  return std::nullopt;
}

// Sets `request` for a check or session stage. Returns the code to end the
// stage with instead of asking (no session id to open or to close), or
// nullopt to ask.
std::optional<int> BuildRequest(PamContext& ctx, const CoreDeps& deps, const ModuleArgs& args,
                                Stage stage, const std::string& user, common::Request& request) {
  request = common::CheckRequest{PhaseOf(stage), LoginOf(ctx, user)};
  if (stage == Stage::kSessionOpen) {
    auto id = deps.new_session_id();
    if (!id) {
      ctx.Log(LOG_CRIT, Describe(stage, user) + ": no session id: " + id.error().message);
      return PAM_SYSTEM_ERR;
    }
    // Stored before asking, so close_session can release whatever the agent
    // recorded even if this answer is lost to the deadline.
    if (int stored = ctx.StoreSessionId(*id); stored != PAM_SUCCESS) {
      ctx.Log(LOG_ERR,
              Describe(stage, user) + ": cannot keep the session id -> " + PamCodeName(stored));
      return stored;
    }
    request = common::SessionOpenRequest{LoginOf(ctx, user), *id, getpid()};
  } else if (stage == Stage::kSessionClose) {
    std::string id = ctx.LoadSessionId();
    if (!IsValidSessionId(id)) {
      if (args.debug)
        ctx.Log(LOG_DEBUG, Describe(stage, user) + ": no session id, nothing to close");
      return PAM_SUCCESS;
    }
    request = common::SessionCloseRequest{id};
  }
  return std::nullopt;
}

}  // namespace

int RunStage(PamContext& ctx, const CoreDeps& deps, Stage stage, int flags, int argc,
             const char** argv) {
  ParsedArgs parsed = ParseModuleArgs(argc, argv);
  for (const std::string& problem : parsed.problems) ctx.Log(LOG_ERR, problem);
  const ModuleArgs& args = parsed.args;

  std::string user;
  int rc = ctx.GetUser(&user);
  if (rc != PAM_SUCCESS) {
    ctx.Log(LOG_ERR,
            std::string(StageName(stage)) + ": cannot determine the user -> " + PamCodeName(rc));
    return rc;
  }
  if (auto skipped = SkipUnasked(ctx, deps, args, stage, user)) return *skipped;

  // Staffgate passwords (docs/design.md §10): module_password.h.
  if (stage == Stage::kPassword && args.password_changed) {
    return ReportPasswordChanged(ctx, deps, args, flags, user);
  }
  if (stage == Stage::kPassword) return RunChauthtok(ctx, deps, args, flags, user);
  if (stage == Stage::kAuth && args.authenticate) {
    return RunAuthenticate(ctx, deps, args, flags, user);
  }

  common::Request request;
  if (auto ended = BuildRequest(ctx, deps, args, stage, user, request)) return *ended;

  common::ClientOptions options;
  options.socket_path = args.socket_path;
  options.timeout_ms = args.timeout_ms;
  options.agent_uid = args.agent_uid;
  if (args.debug) {
    ctx.Log(LOG_DEBUG, Describe(stage, user) + ": asking " + options.socket_path + " (" +
                           std::string(common::OpName(common::OpOf(request))) + ", timeout " +
                           std::to_string(options.timeout_ms) + " ms)");
  }
  int code = Conclude(ctx, args, stage, flags, user, deps.call_agent(options, request));
  // The central said the password must change at sign-in (a one-time or
  // reset password): the account stage demands it even when the roster
  // does not (yet) say so.
  if (stage == Stage::kAccount && code == PAM_SUCCESS && ctx.HasMark(kResetRequiredMark)) {
    ctx.Log(LOG_NOTICE, Describe(stage, user) + ": the password must be changed -> " +
                            PamCodeName(PAM_NEW_AUTHTOK_REQD));
    return PAM_NEW_AUTHTOK_REQD;
  }
  return code;
}

}  // namespace staffgate::pam
