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

}  // namespace

Result<Json> ParseJson(std::string_view text, const JsonLimits& limits) {
  if (text.size() > limits.max_bytes) {
    return Fail(ErrorKind::kTooLarge, "JSON document of " + std::to_string(text.size()) +
                                          " bytes exceeds the limit of " +
                                          std::to_string(limits.max_bytes));
  }
  if (MaxDepth(text, limits.max_depth) > limits.max_depth) {
    return Fail(ErrorKind::kTooLarge,
                "JSON nesting deeper than " + std::to_string(limits.max_depth));
  }
  std::vector<std::set<std::string>> keys;
  std::string duplicate;
  auto callback = [&](int /*depth*/, Json::parse_event_t event, Json& parsed) {
    switch (event) {
      case Json::parse_event_t::object_start:
        keys.emplace_back();
        break;
      case Json::parse_event_t::object_end:
        if (!keys.empty()) keys.pop_back();
        break;
      case Json::parse_event_t::key:
        if (!keys.empty() && parsed.is_string() &&
            !keys.back().insert(parsed.get_ref<const std::string&>()).second &&
            duplicate.empty()) {
          duplicate = parsed.get_ref<const std::string&>();
        }
        break;
      default:
        break;
    }
    return true;
  };
  Json value = Json::parse(text.begin(), text.end(), callback, /*allow_exceptions=*/false);
  if (value.is_discarded()) {
    return Fail(ErrorKind::kInvalidInput, "not valid JSON");
  }
  if (!duplicate.empty()) {
    return Fail(ErrorKind::kInvalidInput, "duplicate key \"" + duplicate + "\"");
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
