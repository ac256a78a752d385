// The agent socket protocol (docs/design.md §4): newline-delimited JSON, one
// request object per line, one response object per line, at most 64 KiB a
// line. Shared by the agent (server), staffgatectl and the PAM module
// (clients), so the three can never disagree on a field name.
#ifndef STAFFGATE_COMMON_PROTOCOL_H_
#define STAFFGATE_COMMON_PROTOCOL_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/json_util.h"
#include "common/result.h"

namespace staffgate::common {

inline constexpr int kProtocolVersion = 1;
inline constexpr std::size_t kMaxLineBytes = 64 * 1024;

enum class Op { kCheck, kSessionOpen, kSessionClose, kStatus };
enum class Phase { kAuth, kAccount, kSession };
// How the module reacts: see the PAM return-code table in docs/design.md §3.
enum class Decision { kAllow, kDeny, kIgnore, kResetRequired };

std::string_view OpName(Op op);
std::string_view PhaseName(Phase phase);
std::string_view DecisionName(Decision decision);
std::optional<Phase> ParsePhase(std::string_view name);
std::optional<Decision> ParseDecision(std::string_view name);

struct Request {
  Op op = Op::kStatus;
  Phase phase = Phase::kAccount;  // check only; session ops imply kSession.
  std::string account;            // check, session_open.
  std::string service;
  std::string tty;
  std::string rhost;
  std::string session;            // session_open, session_close.
  std::int64_t pid = 0;           // session_open.
};

// Parses one request line (without the newline). Errors are kInvalidInput
// or kTooLarge with a message fit to send back as "bad_request".
Result<Request> ParseRequest(std::string_view line);
// One line of JSON, without the trailing newline.
std::string SerializeRequest(const Request& request);

struct Response {
  bool ok = true;
  // ok == true:
  Decision decision = Decision::kIgnore;
  std::string reason;
  std::string message;   // One sentence for the person; may be empty.
  std::uint64_t serial = 0;
  // ok == false: "bad_request", "forbidden", "internal", ...
  std::string error;
  // Extra fields (status op, session ops) travel as a JSON object merged
  // into the line.
  Json extra = Json::object();
};

Result<Response> ParseResponse(std::string_view line);
std::string SerializeResponse(const Response& response);

// Builds an error response.
Response ErrorResponse(std::string error, std::string message);

}  // namespace staffgate::common

#endif  // STAFFGATE_COMMON_PROTOCOL_H_
