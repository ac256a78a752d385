// Strict JSON parsing for outside input: size cap, nesting cap and
// duplicate-key rejection before any value is trusted. nlohmann::json
// silently keeps the last of two equal keys, which would let a signed
// document mean two things; we refuse such documents instead.
#ifndef STAFFGATE_COMMON_JSON_UTIL_H_
#define STAFFGATE_COMMON_JSON_UTIL_H_

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "common/json_depth.h"
#include "common/result.h"

namespace staffgate::common {

using Json = nlohmann::json;

// Parses `text` as one JSON document. Never throws.
// Errors: kTooLarge (size or depth over the limits), kInvalidInput (syntax,
// duplicate keys, invalid UTF-8).
Result<Json> ParseJson(std::string_view text, const JsonLimits& limits);

// Serialises without throwing: invalid UTF-8 in strings is replaced.
std::string DumpJson(const Json& value);

// Typed field access for objects; each returns kInvalidInput naming `key`
// when the field is missing (required variants) or has the wrong type.
Result<std::string> GetString(const Json& obj, const char* key);
Result<std::optional<std::string>> GetOptionalString(const Json& obj, const char* key);
Result<std::uint64_t> GetUint(const Json& obj, const char* key);
Result<std::optional<std::int64_t>> GetOptionalInt(const Json& obj, const char* key);

}  // namespace staffgate::common

#endif  // STAFFGATE_COMMON_JSON_UTIL_H_
