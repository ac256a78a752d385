// The JSON of the PAM module's own exchanges with the agent (docs/design.md
// §4), without nlohmann::json. pam_staffgate.so runs in a fresh login
// process every time, where nlohmann's lexer and serializer were cold code
// at every login (docs/performance.md, "Where the module's cost goes"); the
// agent and staffgatectl keep nlohmann for everything else.
//
// The reader accepts and refuses exactly the lines nlohmann's strict parser
// does under the protocol's limits (ParseJson of common/json_util.h, as
// ParseLineObject calls it), with the same error kinds, and decodes strings
// to the same bytes; the writer writes a string byte for byte as nlohmann's
// dump with error_handler replace. fuzz_json_line and
// tests/unit/test_json_line.cc hold the two side by side.
//
// Threads: pure functions, no state.
#ifndef STAFFGATE_COMMON_JSON_LINE_H_
#define STAFFGATE_COMMON_JSON_LINE_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"

namespace staffgate::common {

// Nesting cap of one protocol line (a line is a flat object; 8 leaves room
// for a newer peer's nested fields).
inline constexpr int kMaxLineDepth = 8;

// A member of the top-level object. Nested objects and arrays are checked
// like the rest and kept as kNested without their contents: no reply the
// module reads has one.
struct JsonValue {
  enum class Type { kNull, kBool, kString, kUnsigned, kSigned, kFloat, kNested };
  Type type = Type::kNull;
  bool boolean = false;
  std::uint64_t unsigned_value = 0;  // kUnsigned: a literal without '-', '.' or exponent.
  std::int64_t signed_value = 0;     // kSigned: such a literal with '-' (also "-0").
  std::string text;                  // kString: the decoded bytes.
};

// The top-level object of a line, members in their order on the line.
struct JsonLine {
  std::vector<std::pair<std::string, JsonValue>> members;
  // The member named `key`, or nullptr.
  const JsonValue* Find(std::string_view key) const;
};

// Parses one line (without its newline) that must hold a JSON object.
// Errors, as ParseLineObject: kTooLarge (over `max_bytes`, or brackets
// nested deeper than kMaxLineDepth), kInvalidInput (a NUL byte, bad syntax
// or UTF-8, a repeated key in any object, a number out of double's range,
// or "<what> must be a JSON object").
Result<JsonLine> ParseJsonLine(std::string_view line, std::size_t max_bytes, const char* what);

// Appends `text` as a JSON string literal, as nlohmann's dump(-1, ' ',
// false, replace) writes it: \" \\ \b \f \n \r \t, \u00xx for the other
// control bytes, and U+FFFD for each ill-formed UTF-8 sequence. Adds at
// most JsonStringBound(text) bytes (common/secret.h).
void AppendJsonText(std::string& out, std::string_view text);

}  // namespace staffgate::common

#endif  // STAFFGATE_COMMON_JSON_LINE_H_
