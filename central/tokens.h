// Bearer tokens: 256 random bits, shown once, stored only as SHA-256.
#ifndef STAFFGATE_CENTRAL_TOKENS_H_
#define STAFFGATE_CENTRAL_TOKENS_H_

#include <string>
#include <string_view>

#include "common/result.h"

namespace staffgate::central {

// 64 lowercase hex characters from the OS CSPRNG. Errors: kInternal.
common::Result<std::string> NewToken();
// 2 * `bytes` lowercase hex characters from the OS CSPRNG (ids: lease ids
// are NewRandomHex(16)). `bytes` at most 64. Errors: kInternal.
common::Result<std::string> NewRandomHex(std::size_t bytes);
// Lowercase hex SHA-256 of the token text (surrounding blanks removed).
std::string TokenHash(std::string_view token);
// Constant-time equality of two equal-length strings (false otherwise).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace staffgate::central

#endif  // STAFFGATE_CENTRAL_TOKENS_H_
