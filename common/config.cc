#include "common/config.h"

#include <sstream>

#include <toml.hpp>

#include "common/file_util.h"

namespace staffgate::common {
namespace {

constexpr std::size_t kMaxConfigBytes = 1024 * 1024;

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

std::string Quote(const std::string& s) {
  std::string out = "\"";
  for (char ch : s) {
    if (ch == '"' || ch == '\\') out += '\\';
    out += ch;
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
