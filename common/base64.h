// Standard base64 (RFC 4648 §4) with padding, strict: whitespace, missing
// padding, non-zero trailing bits or URL-safe characters are errors, so one
// envelope has exactly one encoding.
#ifndef STAFFGATE_COMMON_BASE64_H_
#define STAFFGATE_COMMON_BASE64_H_

#include <string>
#include <string_view>

#include "common/result.h"

namespace staffgate::common {

std::string Base64Encode(std::string_view bytes);

// Errors: kInvalidInput naming what is wrong.
Result<std::string> Base64Decode(std::string_view text);

}  // namespace staffgate::common

#endif  // STAFFGATE_COMMON_BASE64_H_
