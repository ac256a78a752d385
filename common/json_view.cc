#include "common/json_view.h"

#include <algorithm>
#include <cstring>
#include <unordered_set>
#include <vector>

namespace staffgate::common {
namespace {

// Objects with more members than this are checked with a hash set, so a
// hostile object of a million keys costs linear time, not quadratic.
constexpr std::size_t kLinearKeyScan = 16;

// The first key repeated within one object anywhere under `value`, in
// document order (each key is checked before its value is entered, so the
// same key is named as ParseJson's SAX builder names it), or nullopt.
// Recursion is bounded: JsonMaxDepth has refused anything deeper than the
// limit. simdjson keeps both of two equal keys (at_key finds the first), so
// a signed document could mean two things; refused.
std::optional<std::string_view> DuplicateKey(JsonValue value) {
  JsonObject obj;
  if (value.get(obj) == simdjson::SUCCESS) {
    std::vector<std::string_view> seen;
    std::unordered_set<std::string_view> seen_set;
    const bool large = obj.size() > kLinearKeyScan;
    for (auto member : obj) {
      const bool repeated = large ? !seen_set.insert(member.key).second
                                  : std::find(seen.begin(), seen.end(), member.key) != seen.end();
      if (repeated) return member.key;
      if (!large) seen.push_back(member.key);
      if (auto inner = DuplicateKey(member.value)) return inner;
    }
    return std::nullopt;
  }
  JsonArray array;
  if (value.get(array) == simdjson::SUCCESS) {
    for (JsonValue item : array) {
      if (auto inner = DuplicateKey(item)) return inner;
    }
  }
  return std::nullopt;
}

// nlohmann skips a UTF-8 byte order mark before the document; simdjson
// 3.0 does not. Skipped here so both parsers take the same texts.
std::string_view WithoutBom(std::string_view text) {
  constexpr std::string_view kBom = "\xEF\xBB\xBF";
  return text.substr(0, kBom.size()) == kBom ? text.substr(kBom.size()) : text;
}

}  // namespace

Result<void> JsonDoc::Parse(std::string_view text, const JsonLimits& limits) {
  root_ = JsonValue();  // Nothing of an earlier document stays reachable.
  if (text.size() > limits.max_bytes) {
    return Fail(ErrorKind::kTooLarge, "JSON document of " + std::to_string(text.size()) +
                                          " bytes exceeds the limit of " +
                                          std::to_string(limits.max_bytes));
  }
  if (std::memchr(text.data(), '\0', text.size()) != nullptr) {
    return Fail(ErrorKind::kInvalidInput, "NUL byte in JSON text");
  }
  text = WithoutBom(text);
  if (text.empty()) return Fail(ErrorKind::kInvalidInput, "not valid JSON");
  // The depth rule is JsonMaxDepth's, as ParseJson's is: simdjson counts
  // differently (an empty [] adds no level), so its own cap only backs it.
  if (JsonMaxDepth(text, limits.max_depth) > limits.max_depth) {
    return Fail(ErrorKind::kTooLarge,
                "JSON nesting deeper than " + std::to_string(limits.max_depth));
  }
  const auto depth = static_cast<std::size_t>(std::max(limits.max_depth, 0)) + 2;
  if (parser_.allocate(text.size(), depth) != simdjson::SUCCESS) {
    return Fail(ErrorKind::kUnavailable, "out of memory parsing JSON");
  }
  const simdjson::error_code error = parser_.parse(text.data(), text.size()).get(root_);
  if (error == simdjson::DEPTH_ERROR) {
    return Fail(ErrorKind::kTooLarge,
                "JSON nesting deeper than " + std::to_string(limits.max_depth));
  }
  if (error == simdjson::MEMALLOC) {
    return Fail(ErrorKind::kUnavailable, "out of memory parsing JSON");
  }
  if (error != simdjson::SUCCESS) return Fail(ErrorKind::kInvalidInput, "not valid JSON");
  if (auto dup = DuplicateKey(root_)) {
    return Fail(ErrorKind::kInvalidInput, "duplicate key \"" + std::string(*dup) + "\"");
  }
  return Ok();
}

std::optional<JsonValue> FindMember(JsonObject obj, std::string_view key) {
  JsonValue value;
  if (obj.at_key(key).get(value) != simdjson::SUCCESS) return std::nullopt;
  return value;
}

bool IsAbsentOrNull(const std::optional<JsonValue>& value) { return !value || value->is_null(); }

Result<std::string_view> StringMember(JsonObject obj, const char* key) {
  auto value = FindMember(obj, key);
  if (!value) return Fail(ErrorKind::kInvalidInput, std::string("missing \"") + key + "\"");
  std::string_view text;
  if (value->get(text) != simdjson::SUCCESS) {
    return Fail(ErrorKind::kInvalidInput, std::string("\"") + key + "\" must be a string");
  }
  return text;
}

Result<std::optional<std::string_view>> OptionalStringMember(JsonObject obj, const char* key) {
  auto value = FindMember(obj, key);
  if (IsAbsentOrNull(value)) return std::optional<std::string_view>();
  std::string_view text;
  if (value->get(text) != simdjson::SUCCESS) {
    return Fail(ErrorKind::kInvalidInput, std::string("\"") + key + "\" must be a string");
  }
  return std::optional<std::string_view>(text);
}

Result<std::uint64_t> UintMember(JsonObject obj, const char* key) {
  auto value = FindMember(obj, key);
  if (!value) return Fail(ErrorKind::kInvalidInput, std::string("missing \"") + key + "\"");
  auto number = AsUint(*value);
  if (!number) {
    return Fail(ErrorKind::kInvalidInput,
                std::string("\"") + key + "\" must be an unsigned integer");
  }
  return *number;
}

Result<std::optional<JsonObject>> OptionalObjectMember(JsonObject obj, const char* key) {
  auto value = FindMember(obj, key);
  if (IsAbsentOrNull(value)) return std::optional<JsonObject>();
  JsonObject member;
  if (value->get(member) != simdjson::SUCCESS) {
    return Fail(ErrorKind::kInvalidInput, std::string("\"") + key + "\" must be an object");
  }
  return std::optional<JsonObject>(member);
}

Result<std::vector<std::string>> StringListMember(JsonObject obj, const char* key,
                                                  std::vector<std::string> fallback) {
  auto value = FindMember(obj, key);
  if (IsAbsentOrNull(value)) return fallback;
  JsonArray array;
  if (value->get(array) != simdjson::SUCCESS)
    return Fail(ErrorKind::kInvalidInput, std::string("\"") + key + "\" must be an array");
  std::vector<std::string> out;
  out.reserve(array.size());
  for (JsonValue item : array) {
    std::string_view text;
    if (item.get(text) != simdjson::SUCCESS) {
      return Fail(ErrorKind::kInvalidInput, std::string("\"") + key + "\" must hold strings");
    }
    out.emplace_back(text);
  }
  return out;
}

std::optional<std::uint64_t> AsUint(JsonValue value) {
  // get_uint64 also takes a non-negative value stored as int64; a double
  // (1.0, 1e3) is not an integer, as nlohmann's is_number_unsigned says.
  if (!value.is_int64() && !value.is_uint64()) return std::nullopt;
  std::uint64_t number = 0;
  if (value.get(number) != simdjson::SUCCESS) return std::nullopt;
  return number;
}

}  // namespace staffgate::common
