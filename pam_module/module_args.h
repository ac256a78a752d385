// The module's arguments from the PAM service file (docs/design.md §5):
//   socket=PATH  timeout_ms=N  agent_uid=N  min_uid=N  debug  quiet
//   authenticate (the auth stage checks the staffgate password, §10)
//   password_changed (this password line runs after a local change
//     succeeded: tell the agent, §3 row 10)
// Like linux-pam's own modules: an unknown argument is reported and ignored,
// a bad value is reported and the default kept, so a typo never turns the
// module into an outage.
#ifndef STAFFGATE_PAM_MODULE_MODULE_ARGS_H_
#define STAFFGATE_PAM_MODULE_MODULE_ARGS_H_

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace staffgate::pam {

inline constexpr uid_t kFallbackMinUid = 1000;
inline constexpr char kLoginDefsPath[] = "/etc/login.defs";
// Longest timeout accepted; sshd's LoginGraceTime is 120 s.
inline constexpr int kMaxTimeoutMs = 120000;

struct ModuleArgs {
  std::string socket_path = "/run/staffgate/agent.sock";
  int timeout_ms = 2000;
  uid_t agent_uid = 0;
  // Unset: the caller fills in UID_MIN from /etc/login.defs (ReadUidMin).
  std::optional<uid_t> min_uid;
  bool debug = false;
  bool quiet = false;
  // docs/design.md §10: pam_sm_authenticate asks for the password and
  // sends `authenticate`; without it the auth stage is a `check`.
  bool authenticate = false;
  // pam_sm_chauthtok placed after the module that changes the local
  // password (pam_unix): the update pass tells the agent the change
  // happened now (op password_changed), so a change made on the day of a
  // credentials reset counts. Never fails the change.
  bool password_changed = false;
};

struct ParsedArgs {
  ModuleArgs args;
  // One line per unknown argument or bad value, for pam_syslog(LOG_ERR).
  std::vector<std::string> problems;
};

// Parses argv as handed to pam_sm_*. Never fails; see `problems`.
ParsedArgs ParseModuleArgs(int argc, const char** argv);

// UID_MIN from the text of a login.defs file; nullopt when absent or bad.
std::optional<uid_t> ParseUidMin(std::string_view login_defs_text);

// UID_MIN read from `path`, else kFallbackMinUid. Reads at most 64 KiB.
uid_t ReadUidMin(const char* path = kLoginDefsPath);

}  // namespace staffgate::pam

#endif  // STAFFGATE_PAM_MODULE_MODULE_ARGS_H_
