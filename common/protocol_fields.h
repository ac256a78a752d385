// Field readers shared by the request and response parsers of
// common/protocol.h; not part of the protocol's interface. Each error is
// kInvalidInput naming the field, fit to send back as "bad_request".
#ifndef STAFFGATE_COMMON_PROTOCOL_FIELDS_H_
#define STAFFGATE_COMMON_PROTOCOL_FIELDS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/json_util.h"
#include "common/protocol_assign.h"  // IWYU pragma: export
#include "common/result.h"

namespace staffgate::common::protocol_internal {

// One line as a JSON object, under the 64 KiB cap and a nesting cap.
// Errors: kTooLarge, kInvalidInput ("<what> must be a JSON object").
Result<Json> ParseLineObject(std::string_view line, const char* what);

// A short text field (names, ids, ttys): at most 256 bytes, no NUL.
// Missing is "".
Result<std::string> ShortField(const Json& obj, const char* key);
// The same, but missing or empty is an error.
Result<std::string> RequiredShortField(const Json& obj, const char* key);
// A text field of any length within the line; missing is "".
Result<std::string> TextField(const Json& obj, const char* key);
// Missing is `fallback`; another type is an error.
Result<bool> BoolField(const Json& obj, const char* key, bool fallback);
// Missing (or null) is nullopt; anything but an unsigned integer is an error.
Result<std::optional<std::uint64_t>> UintField(const Json& obj, const char* key);
Result<std::optional<std::int64_t>> IntField(const Json& obj, const char* key);

}  // namespace staffgate::common::protocol_internal

#endif  // STAFFGATE_COMMON_PROTOCOL_FIELDS_H_
