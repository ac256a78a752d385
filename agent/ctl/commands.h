// staffgatectl's commands (docs/design.md §5). Each returns the process exit
// code: 0 success (check: allow or ignore), 1 refused or failed (check:
// deny or reset_required; roster rejected; forbidden), 2 bad usage,
// 3 agent unreachable. Output goes to stdout, one-line errors to stderr.
#ifndef STAFFGATE_AGENT_CTL_COMMANDS_H_
#define STAFFGATE_AGENT_CTL_COMMANDS_H_

#include <optional>
#include <string>

#include "agent/config/agent_config.h"
#include "common/agent_client.h"
#include "common/protocol.h"

namespace staffgate::agent {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitUnreachable = 3;

struct CtlContext {
  common::ClientOptions client;
  // The agent config when one was read (not with --socket): needed to
  // install a roster directly when the agent is down.
  std::optional<AgentConfig> config;
  std::string config_error;  // Why `config` is empty, for messages.
};

// Sends one request to the agent and parses the answer as the reply of its
// op. On any failure, an ok:false answer included, prints one line to
// stderr, sets *exit_code (kExitUnreachable when the agent cannot be
// reached) and returns nullopt. `raw` receives the line as received (for
// --json). `timeout_ms` 0: the client's default.
std::optional<common::Response> CallOp(const CtlContext& ctx, const common::Request& request,
                                       int* exit_code, int timeout_ms = 0,
                                       std::string* raw = nullptr);

// CallOp for the reply type `Reply` of the request's op.
template <typename Reply>
std::optional<Reply> Ask(const CtlContext& ctx, const common::Request& request, int* exit_code,
                         int timeout_ms = 0, std::string* raw = nullptr) {
  auto resp = CallOp(ctx, request, exit_code, timeout_ms, raw);
  if (!resp) return std::nullopt;
  if (auto* reply = std::get_if<Reply>(&*resp)) return std::move(*reply);
  *exit_code = kExitFailed;  // Unreachable: ParseResponse picks the reply by op.
  return std::nullopt;
}

int CmdStatus(const CtlContext& ctx, bool json);
int CmdCheck(const CtlContext& ctx, const std::string& account, const std::string& phase,
             const std::string& service, bool json);
int CmdSessions(const CtlContext& ctx, bool json);
// Asks the agent to install `file`; when the agent is unreachable and a
// config is available, verifies and installs into state_dir directly
// (InstallRosterDirectly).
int CmdRosterInstall(const CtlContext& ctx, const std::string& file);

// sync_command.cc: `sync` (one round now) and `enroll` (write config and key,
// reload the agent, fetch the first roster; docs/design.md §5).
int CmdSync(const CtlContext& ctx);
struct EnrollOptions;
int CmdEnroll(const CtlContext& ctx, const EnrollOptions& options);

// id_command.cc: `id ACCOUNT`, the account's NSS identity here and why each
// posix group is or is not granted (docs/design.md §9). Exit 1 when the
// snapshot does not serve the account.
int CmdId(const CtlContext& ctx, const std::string& account);

// install_command.cc: the offline path, same rules as the agent (trusted keys,
// expiry, rollback against the roster already in state_dir).
int InstallRosterDirectly(const AgentConfig& config, const std::string& file);

}  // namespace staffgate::agent

#endif  // STAFFGATE_AGENT_CTL_COMMANDS_H_
