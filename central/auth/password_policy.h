// The password policy of staffgate passwords (docs/design.md §10):
// libpwquality's defaults (pwquality_default_settings, not the host's
// /etc/security/pwquality.conf, so every central judges alike) with
// minlen = central.conf password_min_length and cracklib's dictionary
// check, plus generated one-time passwords that pass it.
//
// Thread-safe: cracklib is not, so checks are serialised inside.
#ifndef STAFFGATE_CENTRAL_AUTH_PASSWORD_POLICY_H_
#define STAFFGATE_CENTRAL_AUTH_PASSWORD_POLICY_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace staffgate::central {

inline constexpr std::size_t kMinPasswordMinLength = 6;  // libpwquality's own floor.
inline constexpr std::size_t kMaxPasswordMinLength = 256;

class PasswordPolicy {
 public:
  explicit PasswordPolicy(std::size_t min_length) : min_length_(min_length) {}

  // nullopt when `password` passes; else libpwquality's sentence saying
  // why not (it never quotes the password). `old_password` (may be empty)
  // and `account` feed its similarity and user-name checks.
  std::optional<std::string> Refusal(std::string_view password, std::string_view old_password,
                                     std::string_view account) const;

  // A random password that passes the policy: groups of 5 characters from
  // an unambiguous alphabet joined by dashes, at least 20 characters (about
  // 115 bits) and at least min_length. Errors: kInternal.
  common::Result<std::string> Generate() const;

  std::size_t min_length() const { return min_length_; }

 private:
  std::size_t min_length_;
};

}  // namespace staffgate::central

#endif  // STAFFGATE_CENTRAL_AUTH_PASSWORD_POLICY_H_
