// The central's password endpoints (docs/design.md §10): the bodies the
// agent sends and the central answers, in one place so the two cannot
// drift apart. POST kAuthVerifyPath and kAuthChangePath, workstation token.
//
// Parsers take outside input: they refuse wrong types, a missing required
// field, NUL bytes and fields over their caps with kInvalidInput, and bodies
// over kMaxAuthBodyBytes with kTooLarge. Their messages never contain a
// password (they name the field, not its value).
#ifndef STAFFGATE_COMMON_AUTH_API_H_
#define STAFFGATE_COMMON_AUTH_API_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "common/result.h"

namespace staffgate::common {

inline constexpr char kAuthVerifyPath[] = "/v1/auth/verify";
inline constexpr char kAuthChangePath[] = "/v1/auth/change";
inline constexpr std::size_t kMaxAuthBodyBytes = 8UL * 1024;
// Longer passwords are refused outright: hashing cost must not be chosen by
// the caller.
inline constexpr std::size_t kMaxPasswordBytes = 1024;

// The outcome of a verify, in the central's words.
enum class VerifyResult { kOk, kBadCredentials, kLockedOut, kResetRequired, kNotManaged };

std::string_view VerifyResultName(VerifyResult result);  // "ok", "bad_credentials", ...

struct VerifyRequest {
  std::string account;   // Required, 1..256 bytes.
  std::string password;  // Required, 0..kMaxPasswordBytes.
  std::string service;   // Optional (empty when absent), as is rhost.
  std::string rhost;
  bool operator==(const VerifyRequest&) const = default;
};

struct VerifyAnswer {
  VerifyResult result = VerifyResult::kBadCredentials;
  bool operator==(const VerifyAnswer&) const = default;
};

struct ChangeRequest {
  std::string account;       // Required.
  std::string old_password;  // "old" on the wire.
  std::string new_password;  // "new" on the wire.
  bool operator==(const ChangeRequest&) const = default;
};

// A refused change (HTTP 422): error is "weak_password" or
// "bad_credentials"; message is the sentence to show the person.
struct ChangeRefusal {
  std::string error;
  std::string message;
  bool operator==(const ChangeRefusal&) const = default;
};

Result<VerifyRequest> ParseVerifyRequest(std::string_view body);
std::string SerializeVerifyRequest(const VerifyRequest& request);
Result<VerifyAnswer> ParseVerifyAnswer(std::string_view body);
std::string SerializeVerifyAnswer(const VerifyAnswer& answer);
Result<ChangeRequest> ParseChangeRequest(std::string_view body);
std::string SerializeChangeRequest(const ChangeRequest& request);
Result<ChangeRefusal> ParseChangeRefusal(std::string_view body);
std::string SerializeChangeRefusal(const ChangeRefusal& refusal);

}  // namespace staffgate::common

#endif  // STAFFGATE_COMMON_AUTH_API_H_
