#include "common/json_util.h"

#include <set>
#include <vector>

#include "common/json_depth.h"

namespace staffgate::common {
namespace {

// Builds the DOM like Json::parse and refuses a key repeated within one
// object. A SAX wrapper rather than parse()'s callback: nlohmann's callback
// parser rescans the parent container at every object_end, which made a
// 100,000-employee roster take seconds (quadratic).
class StrictDomBuilder {
 public:
  explicit StrictDomBuilder(Json& result) : dom_(result, /*allow_exceptions_=*/false) {}

  bool null() { return dom_.null(); }
  bool boolean(bool v) { return dom_.boolean(v); }
  bool number_integer(Json::number_integer_t v) { return dom_.number_integer(v); }
  bool number_unsigned(Json::number_unsigned_t v) { return dom_.number_unsigned(v); }
  bool number_float(Json::number_float_t v, const std::string& s) {
    return dom_.number_float(v, s);
  }
  bool string(std::string& v) { return dom_.string(v); }
  bool binary(Json::binary_t& v) { return dom_.binary(v); }
  bool start_object(std::size_t n) {
    keys_.emplace_back();
    return dom_.start_object(n);
  }
  bool key(std::string& k) {
    if (!keys_.empty() && !keys_.back().insert(k).second) {
      duplicate_ = k;
      return false;  // Stops the parse.
    }
    return dom_.key(k);
  }
  bool end_object() {
    if (!keys_.empty()) keys_.pop_back();
    return dom_.end_object();
  }
  bool start_array(std::size_t n) { return dom_.start_array(n); }
  bool end_array() { return dom_.end_array(); }
  template <typename Exception>
  bool parse_error(std::size_t pos, const std::string& token, const Exception& ex) {
    return dom_.parse_error(pos, token, ex);
  }

  const std::string& duplicate() const { return duplicate_; }

 private:
  nlohmann::detail::json_sax_dom_parser<Json> dom_;
  std::vector<std::set<std::string>> keys_;
  std::string duplicate_;
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
  if (JsonMaxDepth(text, limits.max_depth) > limits.max_depth) {
    return Fail(ErrorKind::kTooLarge,
                "JSON nesting deeper than " + std::to_string(limits.max_depth));
  }
  Json value;
  StrictDomBuilder builder(value);
  const bool ok = Json::sax_parse(text.begin(), text.end(), &builder, Json::input_format_t::json,
                                  /*strict=*/true);
  if (!builder.duplicate().empty()) {
    return Fail(ErrorKind::kInvalidInput, "duplicate key \"" + builder.duplicate() + "\"");
  }
  if (!ok || value.is_discarded()) {
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
