#include "common/json_util.h"

#include <set>
#include <vector>

namespace staffgate::common {
namespace {

// Counts the deepest nesting of [ and { outside strings. Linear, no
// recursion, so a hostile 100,000-deep document costs nothing.
int MaxDepth(std::string_view text, int stop_after) {
  int depth = 0;
  int max_depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) max_depth = depth;
      if (max_depth > stop_after) return max_depth;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return max_depth;
}

// A SAX handler that builds nothing and remembers the first key repeated
// within one object.
struct DuplicateKeyFinder {
  std::vector<std::set<std::string>> keys;
  std::string duplicate;

  bool null() { return true; }
  bool boolean(bool) { return true; }
  bool number_integer(Json::number_integer_t) { return true; }
  bool number_unsigned(Json::number_unsigned_t) { return true; }
  bool number_float(Json::number_float_t, const std::string&) { return true; }
  bool string(std::string&) { return true; }
  bool binary(Json::binary_t&) { return true; }
  bool start_object(std::size_t) {
    keys.emplace_back();
    return true;
  }
  bool key(std::string& k) {
    if (!keys.empty() && !keys.back().insert(k).second && duplicate.empty()) duplicate = k;
    return true;
  }
  bool end_object() {
    if (!keys.empty()) keys.pop_back();
    return true;
  }
  bool start_array(std::size_t) { return true; }
  bool end_array() { return true; }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) {
    return false;
  }
};

}  // namespace

Result<Json> ParseJson(std::string_view text, const JsonLimits& limits) {
  if (text.size() > limits.max_bytes) {
    return Fail(ErrorKind::kTooLarge, "JSON document of " + std::to_string(text.size()) +
                                          " bytes exceeds the limit of " +
                                          std::to_string(limits.max_bytes));
  }
  // nlohmann's lexer takes a raw NUL for the end of input and would accept
  // anything after it; a raw NUL is never valid JSON (in strings: \u0000).
  if (text.find('\0') != std::string_view::npos) {
    return Fail(ErrorKind::kInvalidInput, "NUL byte in JSON text");
  }
  if (MaxDepth(text, limits.max_depth) > limits.max_depth) {
    return Fail(ErrorKind::kTooLarge,
                "JSON nesting deeper than " + std::to_string(limits.max_depth));
  }
  // Duplicate keys are found in a separate SAX pass: nlohmann's callback
  // parser rescans the parent container at every object_end, which made a
  // 100,000-employee roster take seconds (quadratic). Two linear passes.
  DuplicateKeyFinder finder;
  if (!Json::sax_parse(text.begin(), text.end(), &finder, Json::input_format_t::json,
                       /*strict=*/true)) {
    return Fail(ErrorKind::kInvalidInput, "not valid JSON");
  }
  if (!finder.duplicate.empty()) {
    return Fail(ErrorKind::kInvalidInput, "duplicate key \"" + finder.duplicate + "\"");
  }
  Json value = Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) {
    return Fail(ErrorKind::kInvalidInput, "not valid JSON");
  }
  return value;
}

std::string DumpJson(const Json& value) {
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

Result<std::string> GetString(const Json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end()) return Fail(ErrorKind::kInvalidInput, std::string("missing \"") + key + "\"");
  if (!it->is_string()) {
    return Fail(ErrorKind::kInvalidInput, std::string("\"") + key + "\" must be a string");
  }
  return it->get<std::string>();
}

Result<std::optional<std::string>> GetOptionalString(const Json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return std::optional<std::string>();
  if (!it->is_string()) {
    return Fail(ErrorKind::kInvalidInput, std::string("\"") + key + "\" must be a string");
  }
  return std::optional<std::string>(it->get<std::string>());
}

Result<std::uint64_t> GetUint(const Json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end()) return Fail(ErrorKind::kInvalidInput, std::string("missing \"") + key + "\"");
  if (!it->is_number_unsigned()) {
    return Fail(ErrorKind::kInvalidInput,
                std::string("\"") + key + "\" must be an unsigned integer");
  }
  return it->get<std::uint64_t>();
}

Result<std::optional<std::int64_t>> GetOptionalInt(const Json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return std::optional<std::int64_t>();
  if (!it->is_number_integer()) {
    return Fail(ErrorKind::kInvalidInput, std::string("\"") + key + "\" must be an integer");
  }
  return std::optional<std::int64_t>(it->get<std::int64_t>());
}

}  // namespace staffgate::common
