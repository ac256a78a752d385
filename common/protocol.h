// The agent socket protocol (docs/design.md §4): newline-delimited JSON,
// one request object per line, one response object per line, at most
// 64 KiB a line. The only code that reads or writes these lines: the agent
// (server), staffgatectl and the PAM module (clients) all go through it,
// so the three can never disagree on a field name. The module's own ops
// (check, session_*, authenticate, chauthtok, password_changed) are written
// and their replies read by common/protocol_module.h, without nlohmann;
// SerializeRequest and ParseResponse hand those ops to it.
//
// Each op has its request struct here and its reply struct in
// common/protocol_response.h. Parsers ignore fields they do not know (a
// newer peer may add some) and refuse wrong types, NUL bytes and
// over-long names with kInvalidInput, and lines over the cap with
// kTooLarge; their messages are fit to send back as "bad_request".
#ifndef STAFFGATE_COMMON_PROTOCOL_H_
#define STAFFGATE_COMMON_PROTOCOL_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "common/protocol_names.h"
#include "common/result.h"

namespace staffgate::common {

inline constexpr int kProtocolVersion = 1;
inline constexpr std::size_t kMaxLineBytes = 64UL * 1024;

// The person and place a login is about (check, session_open).
struct LoginFields {
  std::string account;  // Required, at most 256 bytes.
  std::string service;  // Optional (empty when absent), as are tty and rhost.
  std::string tty;
  std::string rhost;
  bool operator==(const LoginFields&) const = default;
};

struct CheckRequest {
  Phase phase = Phase::kAccount;  // Absent on the wire: account.
  LoginFields login;
  bool operator==(const CheckRequest&) const = default;
};

// Decided like a check in the session phase, then tracked as open.
struct SessionOpenRequest {
  LoginFields login;
  std::string session;   // Required: the module's random id.
  std::int64_t pid = 0;  // 0: not sent; else 1 .. 2^31-1.
  bool operator==(const SessionOpenRequest&) const = default;
};

struct SessionCloseRequest {
  std::string session;  // Required.
  bool operator==(const SessionCloseRequest&) const = default;
};

struct StatusRequest {
  bool operator==(const StatusRequest&) const = default;
};

// Root-only ops for staffgatectl (docs/design.md §5).
struct SessionsRequest {
  bool operator==(const SessionsRequest&) const = default;
};
struct SyncRequest {
  bool operator==(const SyncRequest&) const = default;
};
struct ReloadRequest {
  bool operator==(const ReloadRequest&) const = default;
};
// The agent reads the file itself (a roster is larger than a line).
struct RosterInstallRequest {
  std::string path;  // Required; the agent wants it absolute.
  bool operator==(const RosterInstallRequest&) const = default;
};

// Staffgate passwords (docs/design.md §10). The passwords are secrets:
// parse errors name the field, never its value; SerializeRequest writes
// them into one buffer reserved up front (common/secret.h), and the caller
// wipes the fields and the line once sent.
struct AuthenticateRequest {
  std::string account;   // Required, at most 256 bytes.
  std::string password;  // Required (may be empty), at most kMaxPasswordBytes.
  std::string service;   // Optional, as is rhost.
  std::string rhost;
  bool operator==(const AuthenticateRequest&) const = default;
};

struct ChauthtokRequest {
  std::string account;       // Required.
  std::string old_password;  // "old" on the wire; required.
  std::string new_password;  // "new" on the wire; required.
  bool operator==(const ChauthtokRequest&) const = default;
};

// A local password (pam_unix) was just changed: the agent stamps the time
// itself on receipt. Answered {"ok":true} (ChauthtokReply).
struct PasswordChangedRequest {
  std::string account;  // Required.
  bool operator==(const PasswordChangedRequest&) const = default;
};

// Alternatives in the order of Op, so OpOf is the index.
using Request = std::variant<CheckRequest, SessionOpenRequest, SessionCloseRequest, StatusRequest,
                             SessionsRequest, SyncRequest, ReloadRequest, RosterInstallRequest,
                             AuthenticateRequest, ChauthtokRequest, PasswordChangedRequest>;

Op OpOf(const Request& request);
// Check and session_open carry login fields; the others do not (nullptr).
const LoginFields* LoginOf(const Request& request);
// The account a check, session_open, authenticate, chauthtok or
// password_changed is about;
// nullptr for the other ops.
const std::string* AccountOf(const Request& request);
// Zeroes every password the request holds (authenticate, chauthtok).
void WipeSecrets(Request& request);

// Parses one request line (without the newline).
Result<Request> ParseRequest(std::string_view line);
// One line of JSON, without the trailing newline. Empty optional fields
// (service, tty, rhost, a zero pid) are left out. For authenticate and
// chauthtok the line holds the passwords: wipe it (WipeString) once sent.
std::string SerializeRequest(const Request& request);

}  // namespace staffgate::common

#include "common/protocol_response.h"  // IWYU pragma: export

#endif  // STAFFGATE_COMMON_PROTOCOL_H_
