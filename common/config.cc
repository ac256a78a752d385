#include "common/config.h"

#include <cstdio>
#include <sstream>

#include <toml.hpp>

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
        return Fail(ErrorKind::kConfig, path + ":" + std::to_string(line) +
                                            ": arrays or tables nested too deeply");
      }
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return Ok();
}

class ConfigReader {
 public:
  ConfigReader(const std::string& path) : path_(path) {}

  tl::unexpected<Error> Bad(const toml::value& v, const std::string& key, const std::string& what) {
    return Fail(ErrorKind::kConfig, path_ + ":" + std::to_string(v.location().line()) + ": key '" +
                                        key + "': " + what);
  }

  Result<std::string> String(const toml::value& v, const std::string& key) {
    if (!v.is_string()) return Bad(v, key, "expected a string");
    return v.as_string().str;
  }

  Result<std::string> NonEmptyString(const toml::value& v, const std::string& key) {
    auto s = String(v, key);
    if (s && s->empty()) return Bad(v, key, "must not be empty");
    return s;
  }

  Result<std::vector<std::string>> StringArray(const toml::value& v, const std::string& key) {
    if (!v.is_array()) return Bad(v, key, "expected an array of strings");
    std::vector<std::string> out;
    for (const toml::value& item : v.as_array()) {
      if (!item.is_string()) return Bad(item, key, "expected an array of strings");
      out.push_back(item.as_string().str);
    }
    return out;
  }

  template <typename Enum>
  Result<Enum> Choice(const toml::value& v, const std::string& key,
                      std::initializer_list<std::pair<const char*, Enum>> choices) {
    auto s = String(v, key);
    if (!s) return tl::unexpected(s.error());
    std::string names;
    for (const auto& [name, value] : choices) {
      if (*s == name) return value;
      names += names.empty() ? "" : " or ";
      names += std::string("\"") + name + "\"";
    }
    return Bad(v, key, "must be " + names + ", not \"" + *s + "\"");
  }

 private:
  std::string path_;
};

Result<void> Apply(ConfigReader& r, const std::string& key, const toml::value& v, AgentConfig& c) {
  auto assign = [](auto& field, auto result) -> Result<void> {
    if (!result) return tl::unexpected(result.error());
    field = std::move(*result);
    return Ok();
  };
  if (key == "workstation") return assign(c.workstation, r.NonEmptyString(v, key));
  if (key == "central_url") {
    auto url = r.String(v, key);
    if (url && !url->empty() && url->rfind("https://", 0) != 0) {
      return r.Bad(v, key, "must start with https://");
    }
    return assign(c.central_url, std::move(url));
  }
  if (key == "ca_file") return assign(c.ca_file, r.NonEmptyString(v, key));
  if (key == "token_file") return assign(c.token_file, r.NonEmptyString(v, key));
  if (key == "trusted_keys") return assign(c.trusted_keys, r.StringArray(v, key));
  if (key == "socket") {
    auto s = r.NonEmptyString(v, key);
    if (s && (*s)[0] != '/') return r.Bad(v, key, "must be an absolute path");
    if (s && s->size() >= 108) return r.Bad(v, key, "path is too long for a unix socket");
    return assign(c.socket, std::move(s));
  }
  if (key == "state_dir") return assign(c.state_dir, r.NonEmptyString(v, key));
  if (key == "audit_log") return assign(c.audit_log, r.NonEmptyString(v, key));
  if (key == "exempt_accounts") return assign(c.exempt_accounts, r.StringArray(v, key));
  if (key == "min_uid") {
    if (!v.is_integer() || v.as_integer() < 0 || v.as_integer() > 0x7fffffff) {
      return r.Bad(v, key, "expected a non-negative integer");
    }
    c.min_uid = static_cast<uid_t>(v.as_integer());
    return Ok();
  }
  if (key == "unknown_accounts") {
    return assign(c.unknown_accounts,
                  r.Choice<UnknownAccounts>(v, key, {{"deny", UnknownAccounts::kDeny},
                                                     {"ignore", UnknownAccounts::kIgnore}}));
  }
  if (key == "on_revoke") {
    return assign(c.on_revoke, r.Choice<OnRevoke>(v, key, {{"terminate", OnRevoke::kTerminate},
                                                           {"none", OnRevoke::kNone}}));
  }
  if (key == "lease_unreachable") {
    return assign(c.lease_unreachable,
                  r.Choice<LeaseUnreachable>(v, key, {{"allow", LeaseUnreachable::kAllow},
                                                      {"deny", LeaseUnreachable::kDeny}}));
  }
  return r.Bad(v, key, "unknown key");
}

// A TOML basic string. Control characters must be escaped there, or the
// rendered file would not parse back.
std::string Quote(const std::string& s) {
  std::string out = "\"";
  for (char ch : s) {
    auto u = static_cast<unsigned char>(ch);
    if (ch == '"' || ch == '\\') {
      out += '\\';
      out += ch;
    } else if (u < 0x20 || u == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\u%04X", u);
      out += buf;
    } else {
      out += ch;
    }
  }
  return out + "\"";
}

std::string QuoteList(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + Quote(items[i]);
  return out + "]";
}

}  // namespace

Result<AgentConfig> ParseAgentConfig(std::string_view text, const std::string& path) {
  if (auto checked = PrecheckToml(text, path); !checked) return tl::unexpected(checked.error());
  toml::value root;
  try {
    std::istringstream in{std::string(text)};
    root = toml::parse(in, path);
  } catch (const std::exception& e) {
    return Fail(ErrorKind::kConfig, std::string(e.what()));
  }
  if (!root.is_table()) return Fail(ErrorKind::kConfig, path + ": not a TOML table");
  AgentConfig config;
  config.path = path;
  ConfigReader reader(path);
  for (const auto& [key, value] : root.as_table()) {
    auto applied = Apply(reader, key, value, config);
    if (!applied) return tl::unexpected(applied.error());
  }
  return config;
}

Result<AgentConfig> LoadAgentConfig(const std::string& path) {
  auto text = ReadFileCapped(path, kMaxConfigBytes);
  if (!text) return Fail(ErrorKind::kConfig, "cannot load config: " + text.error().message);
  return ParseAgentConfig(*text, path);
}

std::string RenderAgentConfig(const AgentConfig& c) {
  std::string out = "# staffgate agent configuration; see staffgated(8).\n";
  if (!c.workstation.empty()) out += "workstation = " + Quote(c.workstation) + "\n";
  if (!c.central_url.empty()) out += "central_url = " + Quote(c.central_url) + "\n";
  out += "ca_file = " + Quote(c.ca_file) + "\n";
  out += "token_file = " + Quote(c.token_file) + "\n";
  out += "trusted_keys = " + QuoteList(c.trusted_keys) + "\n";
  out += "socket = " + Quote(c.socket) + "\n";
  out += "state_dir = " + Quote(c.state_dir) + "\n";
  out += "audit_log = " + Quote(c.audit_log) + "\n";
  out += "exempt_accounts = " + QuoteList(c.exempt_accounts) + "\n";
  out += "min_uid = " + std::to_string(c.min_uid) + "\n";
  out += std::string("unknown_accounts = ") +
         (c.unknown_accounts == UnknownAccounts::kDeny ? "\"deny\"" : "\"ignore\"") + "\n";
  out += std::string("on_revoke = ") +
         (c.on_revoke == OnRevoke::kTerminate ? "\"terminate\"" : "\"none\"") + "\n";
  out += std::string("lease_unreachable = ") +
         (c.lease_unreachable == LeaseUnreachable::kAllow ? "\"allow\"" : "\"deny\"") + "\n";
  return out;
}

}  // namespace staffgate::common
