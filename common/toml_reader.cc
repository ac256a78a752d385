#include "common/toml_reader.h"

#include <sstream>

#include "common/file_util.h"

namespace staffgate::common {
namespace {

constexpr std::size_t kMaxConfigBytes = 1024 * 1024;
// toml11 recurses once per nested array or inline table and overflows the
// stack on a few thousand levels; no real config needs more than 3.
constexpr int kMaxConfigNesting = 32;

// Length of the valid UTF-8 sequence at s[i] (1-4), or 0 when invalid
// (overlong forms, surrogates and code points above U+10FFFF included).
std::size_t Utf8SequenceLength(std::string_view s, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = byte(i);
  if (c < 0x80) return 1;
  std::size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
  if (len == 0 || c > 0xF4 || i + len > s.size()) return 0;
  for (std::size_t k = 1; k < len; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
  }
  unsigned char c1 = byte(i + 1);
  if ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 > 0x9F) || (c == 0xF0 && c1 < 0x90) ||
      (c == 0xF4 && c1 > 0x8F)) {
    return 0;
  }
  return len;
}

// Checks what toml11 3.7 does not survive before it sees the text: invalid
// UTF-8 (its error path reads out of bounds) and deep nesting (stack
// overflow). Brackets inside strings and comments are not counted.
Result<void> PrecheckToml(std::string_view text, const std::string& path) {
  std::size_t line = 1;
  int depth = 0;
  std::string_view quote;  // The open string's delimiter: ", ', """ or '''.
  bool comment = false;
  for (std::size_t i = 0; i < text.size();) {
    std::size_t len = Utf8SequenceLength(text, i);
    if (len == 0) {
      return Fail(ErrorKind::kConfig, path + ":" + std::to_string(line) + ": invalid UTF-8");
    }
    char c = text[i];
    if (c == '\n') {
      ++line;
      comment = false;
      if (quote.size() == 1) quote = {};  // A one-line string cannot go on.
      ++i;
      continue;
    }
    if (comment) {
      i += len;
      continue;
    }
    if (!quote.empty()) {
      if (c == '\\' && quote[0] == '"') {
        ++i;  // Skip the escaped character too; a newline is counted next round.
        if (i < text.size() && text[i] != '\n') i += Utf8SequenceLength(text, i);
      } else if (text.substr(i, quote.size()) == quote) {
        i += quote.size();
        quote = {};
      } else {
        i += len;
      }
      continue;
    }
    if (c == '"' || c == '\'') {
      std::string_view triple = c == '"' ? R"(""")" : "'''";
      quote = text.substr(i, 3) == triple ? triple : text.substr(i, 1);
      i += quote.size();
      continue;
    }
    i += len;
    if (c == '#') {
      comment = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxConfigNesting) {
        return Fail(ErrorKind::kConfig,
                    path + ":" + std::to_string(line) + ": arrays or tables nested too deeply");
      }
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return Ok();
}

}  // namespace

Result<std::string> ReadConfigText(const std::string& path) {
  auto text = ReadFileCapped(path, kMaxConfigBytes);
  if (!text) return Fail(ErrorKind::kConfig, "cannot load config: " + text.error().message);
  return text;
}

Result<toml::value> ParseTomlTable(std::string_view text, const std::string& path) {
  if (auto checked = PrecheckToml(text, path); !checked) return tl::unexpected(checked.error());
  toml::value root;
  try {
    std::istringstream in{std::string(text)};
    root = toml::parse(in, path);
  } catch (const std::exception& e) {
    return Fail(ErrorKind::kConfig, std::string(e.what()));
  }
  if (!root.is_table()) return Fail(ErrorKind::kConfig, path + ": not a TOML table");
  return root;
}

tl::unexpected<Error> TomlKeyReader::Bad(const toml::value& v, const std::string& key,
                                         const std::string& what) const {
  return Fail(ErrorKind::kConfig,
              path_ + ":" + std::to_string(v.location().line()) + ": key '" + key + "': " + what);
}

Result<std::string> TomlKeyReader::String(const toml::value& v, const std::string& key) const {
  if (!v.is_string()) return Bad(v, key, "expected a string");
  return v.as_string().str;
}

Result<std::string> TomlKeyReader::NonEmptyString(const toml::value& v,
                                                  const std::string& key) const {
  auto s = String(v, key);
  if (s && s->empty()) return Bad(v, key, "must not be empty");
  return s;
}

Result<std::vector<std::string>> TomlKeyReader::StringArray(const toml::value& v,
                                                            const std::string& key) const {
  if (!v.is_array()) return Bad(v, key, "expected an array of strings");
  std::vector<std::string> out;
  for (const toml::value& item : v.as_array()) {
    if (!item.is_string()) return Bad(item, key, "expected an array of strings");
    out.push_back(item.as_string().str);
  }
  return out;
}

Result<std::int64_t> TomlKeyReader::Integer(const toml::value& v, const std::string& key,
                                            std::int64_t lo, std::int64_t hi,
                                            std::string_view what) const {
  if (!v.is_integer() || v.as_integer() < lo || v.as_integer() > hi) {
    if (!what.empty()) return Bad(v, key, std::string(what));
    return Bad(v, key,
               "expected an integer from " + std::to_string(lo) + " to " + std::to_string(hi));
  }
  return v.as_integer();
}

}  // namespace staffgate::common
