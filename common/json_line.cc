#include "common/json_line.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "common/json_depth.h"
#include "common/utf8_sequence.h"

namespace staffgate::common {
namespace {

// Whether a number literal that is not an integer of 64 bits is finite as a
// double (nlohmann refuses the others). The digits are handed to strtod
// without a decimal point, so the host's locale cannot change the answer.
bool FiniteNumber(std::string_view literal) {
  std::string digits;
  long long exponent = 0;
  std::size_t i = 0;
  if (literal[i] == '-') digits += literal[i++];
  for (; i < literal.size() && literal[i] >= '0' && literal[i] <= '9'; ++i) digits += literal[i];
  if (i < literal.size() && literal[i] == '.') {
    for (++i; i < literal.size() && literal[i] >= '0' && literal[i] <= '9'; ++i) {
      digits += literal[i];
      --exponent;
    }
  }
  if (i < literal.size() && (literal[i] == 'e' || literal[i] == 'E')) {
    ++i;
    const bool negative = literal[i] == '-';
    if (literal[i] == '-' || literal[i] == '+') ++i;
    long long written = 0;
    for (; i < literal.size(); ++i)
      written = std::min(written * 10 + (literal[i] - '0'), 1000000LL);
    exponent += negative ? -written : written;
  }
  // Beyond these, any digits (at most a line's worth) give 0 or infinity.
  exponent = std::clamp(exponent, -1000000LL, 1000000LL);
  digits += 'e';
  digits += std::to_string(exponent);
  return std::isfinite(std::strtod(digits.c_str(), nullptr));
}

// A recursive-descent reader of one JSON text; depth is bounded by the
// JsonMaxDepth check made before it runs (as ParseJson does).
class Reader {
 public:
  explicit Reader(std::string_view text) : s_(text) {}

  // The whole text: one value, then only whitespace. On a top-level
  // object its members go to `top`; *is_object says whether it was one.
  bool Document(std::vector<std::pair<std::string, JsonValue>>* top, bool* is_object) {
    // nlohmann skips a UTF-8 byte order mark at the very start.
    if (s_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;
    SkipSpace();
    *is_object = Peek() == '{';
    const bool ok = *is_object ? Object(top, 1) : Value(nullptr, 0);
    SkipSpace();
    return ok && pos_ == s_.size();
  }

  const std::string& duplicate() const { return duplicate_; }

 private:
  char Peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }

  bool Eat(char c) {
    if (Peek() != c) return false;
    ++pos_;
    return true;
  }

  bool Literal(std::string_view word) {
    if (s_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  void SkipSpace() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) {
      ++pos_;
    }
  }

  // Four hex digits after \u, or -1.
  long Hex4() {
    if (s_.size() - pos_ < 4) return -1;
    long value = 0;
    for (int k = 0; k < 4; ++k) {
      const char c = s_[pos_++];
      int digit = -1;
      if (c >= '0' && c <= '9') digit = c - '0';
      if (c >= 'a' && c <= 'f') digit = c - 'a' + 10;
      if (c >= 'A' && c <= 'F') digit = c - 'A' + 10;
      if (digit < 0) return -1;
      value = value * 16 + digit;
    }
    return value;
  }

  bool Escape(std::string* out) {
    const char c = Peek();
    ++pos_;
    switch (c) {
      case '"':
      case '\\':
      case '/':
        *out += c;
        return true;
      case 'b':
        *out += '\b';
        return true;
      case 'f':
        *out += '\f';
        return true;
      case 'n':
        *out += '\n';
        return true;
      case 'r':
        *out += '\r';
        return true;
      case 't':
        *out += '\t';
        return true;
      case 'u':
        break;
      default:
        return false;
    }
    long cp = Hex4();
    if (cp < 0 || (cp >= 0xDC00 && cp <= 0xDFFF)) return false;
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      if (!Eat('\\') || !Eat('u')) return false;
      const long low = Hex4();
      if (low < 0xDC00 || low > 0xDFFF) return false;
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    }
    AppendUtf8(*out, static_cast<std::uint32_t>(cp));
    return true;
  }

  // A string literal (at its opening quote), decoded into *out.
  bool String(std::string* out) {
    if (!Eat('"')) return false;
    for (;;) {
      if (pos_ >= s_.size()) return false;
      const auto c = static_cast<unsigned char>(s_[pos_]);
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (c == '\\') {
        ++pos_;
        if (!Escape(out)) return false;
      } else if (c < 0x20) {
        return false;
      } else if (c < 0x80) {
        // A run of plain ASCII in one append.
        const std::size_t start = pos_;
        while (pos_ < s_.size() && s_[pos_] != '"' && s_[pos_] != '\\' &&
               static_cast<unsigned char>(s_[pos_]) >= 0x20 &&
               static_cast<unsigned char>(s_[pos_]) < 0x80) {
          ++pos_;
        }
        out->append(s_, start, pos_ - start);
      } else {
        std::size_t resume = 0;
        const std::size_t length = SequenceLength(s_, pos_, &resume);
        if (length == 0) return false;
        out->append(s_, pos_, length);
        pos_ += length;
      }
    }
  }

  bool Digits() {
    const std::size_t start = pos_;
    while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_;
    return pos_ > start;
  }

  // A number literal, classified as nlohmann's lexer does.
  bool Number(JsonValue* out) {
    const std::size_t start = pos_;
    const bool negative = Eat('-');
    if (Eat('0')) {
      // A leading zero stands alone: "01" is 0 followed by garbage.
    } else if (Peek() < '1' || Peek() > '9' || !Digits()) {
      return false;
    }
    bool integer = true;
    if (Eat('.')) {
      if (!Digits()) return false;
      integer = false;
    }
    if (Eat('e') || Eat('E')) {
      if (!Eat('+')) Eat('-');
      if (!Digits()) return false;
      integer = false;
    }
    const std::string_view literal = s_.substr(start, pos_ - start);
    if (integer) {
      // Magnitude within 64 bits (2^63 for a negative): an integer.
      std::uint64_t magnitude = 0;
      bool fits = true;
      for (char c : literal.substr(negative ? 1 : 0)) {
        const auto digit = static_cast<std::uint64_t>(c - '0');
        if (magnitude > (UINT64_MAX - digit) / 10) fits = false;
        if (!fits) break;
        magnitude = magnitude * 10 + digit;
      }
      if (fits && negative && magnitude <= (std::uint64_t{1} << 63)) {
        out->type = JsonValue::Type::kSigned;
        out->signed_value = static_cast<std::int64_t>(0 - magnitude);
        return true;
      }
      if (fits && !negative) {
        out->type = JsonValue::Type::kUnsigned;
        out->unsigned_value = magnitude;
        return true;
      }
    }
    out->type = JsonValue::Type::kFloat;
    return FiniteNumber(literal);
  }

  // Any value; *out (may be null for nested values) receives a scalar.
  bool Value(JsonValue* out, int depth) {
    JsonValue scratch;
    JsonValue* value = out != nullptr ? out : &scratch;
    switch (Peek()) {
      case '{':
        value->type = JsonValue::Type::kNested;
        return Object(nullptr, depth + 1);
      case '[':
        value->type = JsonValue::Type::kNested;
        return Array(depth + 1);
      case '"':
        value->type = JsonValue::Type::kString;
        return String(&value->text);
      case 't':
      case 'f':
        value->type = JsonValue::Type::kBool;
        value->boolean = Peek() == 't';
        return Literal(value->boolean ? "true" : "false");
      case 'n':
        value->type = JsonValue::Type::kNull;
        return Literal("null");
      default:
        return Number(value);
    }
  }

  bool Array(int depth) {
    if (depth > kMaxLineDepth || !Eat('[')) return false;
    SkipSpace();
    if (Eat(']')) return true;
    for (;;) {
      SkipSpace();
      if (!Value(nullptr, depth)) return false;
      SkipSpace();
      if (Eat(']')) return true;
      if (!Eat(',')) return false;
    }
  }

  // An object; with `top`, its members are kept there.
  bool Object(std::vector<std::pair<std::string, JsonValue>>* top, int depth) {
    if (depth > kMaxLineDepth || !Eat('{')) return false;
    std::vector<std::string> nested_keys;
    SkipSpace();
    if (Eat('}')) return true;
    for (;;) {
      SkipSpace();
      std::string key;
      if (!String(&key)) return false;
      SkipSpace();
      if (!Eat(':')) return false;
      SkipSpace();
      JsonValue value;
      if (!Value(top != nullptr ? &value : nullptr, depth)) return false;
      if (top != nullptr) {
        top->emplace_back(std::move(key), std::move(value));
      } else {
        nested_keys.push_back(std::move(key));
      }
      SkipSpace();
      if (Eat('}')) break;
      if (!Eat(',')) return false;
    }
    std::vector<std::string_view> keys;
    if (top != nullptr) {
      keys.reserve(top->size());
      for (const auto& member : *top) keys.emplace_back(member.first);
    } else {
      keys.assign(nested_keys.begin(), nested_keys.end());
    }
    return Distinct(keys);
  }

  // Whether no key repeats; notes the first repeated one otherwise.
  bool Distinct(std::vector<std::string_view>& keys) {
    std::sort(keys.begin(), keys.end());
    auto repeated = std::adjacent_find(keys.begin(), keys.end());
    if (repeated == keys.end()) return true;
    duplicate_ = std::string(*repeated);
    return false;
  }

  std::string_view s_;
  std::size_t pos_ = 0;
  std::string duplicate_;
};

}  // namespace

const JsonValue* JsonLine::Find(std::string_view key) const {
  for (const auto& [name, value] : members) {
    if (name == key) return &value;
  }
  return nullptr;
}

Result<JsonLine> ParseJsonLine(std::string_view line, std::size_t max_bytes, const char* what) {
  // The checks of ParseJson (common/json_util.cc), in its order.
  if (line.size() > max_bytes) {
    return Fail(ErrorKind::kTooLarge, "JSON document of " + std::to_string(line.size()) +
                                          " bytes exceeds the limit of " +
                                          std::to_string(max_bytes));
  }
  if (line.find('\0') != std::string_view::npos) {
    return Fail(ErrorKind::kInvalidInput, "NUL byte in JSON text");
  }
  if (JsonMaxDepth(line, kMaxLineDepth) > kMaxLineDepth) {
    return Fail(ErrorKind::kTooLarge, "JSON nesting deeper than " + std::to_string(kMaxLineDepth));
  }
  JsonLine parsed;
  parsed.members.reserve(16);  // A reply has 5 to 8 members.
  Reader reader(line);
  bool is_object = false;
  const bool ok = reader.Document(&parsed.members, &is_object);
  if (!reader.duplicate().empty()) {
    return Fail(ErrorKind::kInvalidInput, "duplicate key \"" + reader.duplicate() + "\"");
  }
  if (!ok) return Fail(ErrorKind::kInvalidInput, "not valid JSON");
  if (!is_object) {
    return Fail(ErrorKind::kInvalidInput, std::string(what) + " must be a JSON object");
  }
  return parsed;
}

}  // namespace staffgate::common
