// Strict, read-only JSON for the large signed documents: the roster and its
// envelope (docs/performance.md, "A 100,000-employee roster"). The same
// rules as ParseJson (json_util.h): size cap, nesting cap, no duplicate key
// in any object, no NUL byte, valid UTF-8, one document and nothing after
// it. Parsed with simdjson, which reads a 10 MB roster in milliseconds where
// nlohmann's DOM took hundreds, and leaves the values where they are
// (string_views into the document) instead of a node per value.
//
// Tests hold both parsers to the same verdicts (tests/unit/test_json.cc),
// with two known exceptions, both in numbers, neither widening: an integer
// beyond 64 bits (nlohmann reads a double) refuses the whole document here,
// and -0 reads as the unsigned 0 (nlohmann: signed, so not unsigned). A
// duplicate key followed by a syntax error is "not valid JSON" here, a
// "duplicate key" to ParseJson; the kind is the same.
#ifndef STAFFGATE_COMMON_JSON_VIEW_H_
#define STAFFGATE_COMMON_JSON_VIEW_H_

#include <simdjson.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/json_depth.h"
#include "common/result.h"

namespace staffgate::common {

using JsonValue = simdjson::dom::element;
using JsonObject = simdjson::dom::object;
using JsonArray = simdjson::dom::array;

// One parsed document. Values (JsonValue, string_views from them) point
// into it: they are valid while it lives and is not parsed again. Not
// copyable or movable for that reason. Not thread-safe.
class JsonDoc {
 public:
  JsonDoc() = default;
  ~JsonDoc() = default;
  JsonDoc(const JsonDoc&) = delete;
  JsonDoc& operator=(const JsonDoc&) = delete;
  JsonDoc(JsonDoc&&) = delete;
  JsonDoc& operator=(JsonDoc&&) = delete;

  // Parses `text` (copied; need not outlive the call). Errors: kTooLarge
  // (size or depth over the limits), kInvalidInput (syntax, duplicate keys,
  // NUL, invalid UTF-8), kUnavailable (out of memory); the message says
  // which, as ParseJson's does.
  Result<void> Parse(std::string_view text, const JsonLimits& limits);

  // The top-level value. Only after Parse succeeded.
  JsonValue root() const { return root_; }

 private:
  simdjson::dom::parser parser_;
  JsonValue root_;
};

// Member `key` of `obj`; nullopt when absent.
std::optional<JsonValue> FindMember(JsonObject obj, std::string_view key);
// Absent or null.
bool IsAbsentOrNull(const std::optional<JsonValue>& value);

// Typed members, with json_util.h's messages: kInvalidInput naming `key`
// when the member is missing (required variants) or has the wrong type.
Result<std::string_view> StringMember(JsonObject obj, const char* key);
Result<std::optional<std::string_view>> OptionalStringMember(JsonObject obj, const char* key);
Result<std::uint64_t> UintMember(JsonObject obj, const char* key);
// nullopt when absent or null; kInvalidInput ("\"key\" must be an object")
// for any other type.
Result<std::optional<JsonObject>> OptionalObjectMember(JsonObject obj, const char* key);

// The array of strings at `key` (copied); `fallback` when absent or null.
// kInvalidInput ("\"key\" must be an array", "... must hold strings").
Result<std::vector<std::string>> StringListMember(JsonObject obj, const char* key,
                                                  std::vector<std::string> fallback);

// The value as an unsigned integer; nullopt for any other type (negative,
// fractional, a string).
std::optional<std::uint64_t> AsUint(JsonValue value);

}  // namespace staffgate::common

#endif  // STAFFGATE_COMMON_JSON_VIEW_H_
