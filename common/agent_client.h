// The blocking client for the agent socket, used inside login processes
// (pam_staffgate.so) and by staffgatectl. One connection per call and one
// deadline for the whole exchange (connect, send, receive), so a hung or
// hostile agent can delay a login by at most `timeout_ms`.
//
// Safe for a dlopen'ed module: no threads, no globals, no signals
// (MSG_NOSIGNAL), close-on-exec descriptors never placed on fds 0-2.
#ifndef STAFFGATE_COMMON_AGENT_CLIENT_H_
#define STAFFGATE_COMMON_AGENT_CLIENT_H_

#include <sys/types.h>

#include <optional>
#include <string>

#include "common/protocol.h"
#include "common/result.h"

namespace staffgate::common {

inline constexpr char kDefaultSocketPath[] = "/run/staffgate/agent.sock";
inline constexpr int kDefaultTimeoutMs = 2000;

struct ClientOptions {
  std::string socket_path = kDefaultSocketPath;
  int timeout_ms = kDefaultTimeoutMs;
  // The socket file and the peer must belong to this uid; nullopt skips the
  // checks (tests and tools that know what they connect to).
  std::optional<uid_t> agent_uid = 0;
};

// Sends `request`, one of the ops the module sends (IsModuleOp), through
// common/protocol_module.h, and waits for one response line. Other ops
// (staffgatectl's) go through CallAgentRaw with SerializeRequest and
// ParseResponse, so pam_staffgate.so links no nlohmann::json.
// Errors: kUnavailable (no socket, connection refused or closed early),
// kTimeout (deadline passed), kPermission (socket or peer not owned by
// agent_uid), kInvalidInput / kTooLarge (the answer is malformed, or
// another op, refused without connecting).
Result<Response> CallAgent(const ClientOptions& options, const Request& request);

// Sends a raw line (without newline) and returns the raw answer line.
// Same errors as CallAgent except parsing; for tools and tests.
Result<std::string> CallAgentRaw(const ClientOptions& options, const std::string& line);

}  // namespace staffgate::common

#endif  // STAFFGATE_COMMON_AGENT_CLIENT_H_
