#include "common/protocol_fields.h"

#include "common/json_line.h"
#include "common/protocol.h"

namespace staffgate::common::protocol_internal {
namespace {

// Longest account name, session id, tty or host we accept on the wire;
// POSIX tools cap names at 32, we leave headroom and still refuse absurd
// input.
constexpr std::size_t kMaxFieldBytes = 256;

Result<void> WrongType(const char* key, const char* type) {
  return Fail(ErrorKind::kInvalidInput, std::string("\"") + key + "\" must be " + type);
}

}  // namespace

Result<Json> ParseLineObject(std::string_view line, const char* what) {
  auto parsed = ParseJson(line, JsonLimits{kMaxLineBytes, kMaxLineDepth});
  if (!parsed) return tl::unexpected(parsed.error());
  if (!parsed->is_object()) {
    return Fail(ErrorKind::kInvalidInput, std::string(what) + " must be a JSON object");
  }
  return parsed;
}

Result<std::string> TextField(const Json& obj, const char* key) {
  auto value = GetOptionalString(obj, key);
  if (!value) return tl::unexpected(value.error());
  return value->value_or("");
}

Result<std::string> ShortField(const Json& obj, const char* key) {
  auto out = TextField(obj, key);
  if (!out) return out;
  if (out->size() > kMaxFieldBytes) {
    return Fail(ErrorKind::kInvalidInput, std::string("\"") + key + "\" is too long");
  }
  if (out->find('\0') != std::string::npos) {
    return Fail(ErrorKind::kInvalidInput, std::string("\"") + key + "\" contains NUL");
  }
  return out;
}

Result<std::string> RequiredShortField(const Json& obj, const char* key) {
  if (!obj.contains(key)) {
    return Fail(ErrorKind::kInvalidInput, std::string("missing \"") + key + "\"");
  }
  auto value = ShortField(obj, key);
  if (value && value->empty()) {
    return Fail(ErrorKind::kInvalidInput, std::string("\"") + key + "\" is empty");
  }
  return value;
}

Result<bool> BoolField(const Json& obj, const char* key, bool fallback) {
  auto it = obj.find(key);
  if (it == obj.end()) return fallback;
  if (!it->is_boolean()) return tl::unexpected(WrongType(key, "true or false").error());
  return it->get<bool>();
}

Result<std::optional<std::uint64_t>> UintField(const Json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return std::optional<std::uint64_t>();
  if (!it->is_number_unsigned()) {
    return tl::unexpected(WrongType(key, "a non-negative integer").error());
  }
  return std::optional<std::uint64_t>(it->get<std::uint64_t>());
}

Result<std::optional<std::int64_t>> IntField(const Json& obj, const char* key) {
  return GetOptionalInt(obj, key);
}

}  // namespace staffgate::common::protocol_internal
