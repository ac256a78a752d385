#include "agent/config/agent_config.h"

#include <dirent.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "common/terminal_text.h"
#include "common/toml_reader.h"

namespace staffgate::agent {
namespace {

// Each is retried and shown by `status`: a handful is plenty.
constexpr std::size_t kMaxCentrals = 16;

std::string Shown(const std::string& url) { return "\"" + common::EscapeForTerminal(url) + "\""; }

// central_url: one central, or "" for none.
common::Result<void> ApplyCentralUrl(const common::TomlKeyReader& r, const std::string& key,
                                     const toml::value& v, AgentConfig& c) {
  auto url = r.String(v, key);
  if (!url) return tl::unexpected(url.error());
  if (url->empty()) {
    c.central_urls.clear();
    return common::Ok();
  }
  if (auto why = CentralUrlProblem(*url); !why.empty()) {
    return r.Bad(v, key, Shown(*url) + " " + why);
  }
  c.central_urls = {*url};
  return common::Ok();
}

// central_urls: at least one central, in order of preference, each once.
common::Result<void> ApplyCentralUrls(const common::TomlKeyReader& r, const std::string& key,
                                      const toml::value& v, AgentConfig& c) {
  auto urls = r.StringArray(v, key);
  if (!urls) return tl::unexpected(urls.error());
  if (urls->empty()) {
    return r.Bad(v, key,
                 "[] lists no central: list at least one https:// URL, or remove the key "
                 "for no sync");
  }
  if (urls->size() > kMaxCentrals) {
    return r.Bad(v, key,
                 "lists " + std::to_string(urls->size()) + " centrals; at most " +
                     std::to_string(kMaxCentrals));
  }
  for (std::size_t i = 0; i < urls->size(); ++i) {
    const std::string& url = (*urls)[i];
    if (auto why = CentralUrlProblem(url); !why.empty()) {
      return r.Bad(v, key, Shown(url) + " " + why);
    }
    for (std::size_t j = 0; j < i; ++j) {
      if ((*urls)[j] == url) return r.Bad(v, key, Shown(url) + " is listed twice");
    }
  }
  c.central_urls = std::move(*urls);
  return common::Ok();
}

common::Result<void> Apply(const common::TomlKeyReader& r, const std::string& key,
                           const toml::value& v, AgentConfig& c) {
  auto assign = [](auto& field, auto result) -> common::Result<void> {
    if (!result) return tl::unexpected(result.error());
    field = std::move(*result);
    return common::Ok();
  };
  if (key == "workstation") return assign(c.workstation, r.NonEmptyString(v, key));
  if (key == "central_url") return ApplyCentralUrl(r, key, v, c);
  if (key == "central_urls") return ApplyCentralUrls(r, key, v, c);
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
    auto uid = r.Integer(v, key, 0, 0x7fffffff, "expected a non-negative integer");
    if (!uid) return tl::unexpected(uid.error());
    c.min_uid = static_cast<uid_t>(*uid);
    return common::Ok();
  }
  if (key == "unknown_accounts") {
    return assign(
        c.unknown_accounts,
        r.Choice<UnknownAccounts>(
            v, key, {{"deny", UnknownAccounts::kDeny}, {"ignore", UnknownAccounts::kIgnore}}));
  }
  if (key == "on_revoke") {
    return assign(c.on_revoke,
                  r.Choice<OnRevoke>(
                      v, key, {{"terminate", OnRevoke::kTerminate}, {"none", OnRevoke::kNone}}));
  }
  if (key == "lease_unreachable") {
    return assign(
        c.lease_unreachable,
        r.Choice<LeaseUnreachable>(
            v, key, {{"allow", LeaseUnreachable::kAllow}, {"deny", LeaseUnreachable::kDeny}}));
  }
  if (key == "offline_credentials_days") {
    auto days = r.Integer(v, key, 0, 365, "expected a whole number of days from 0 to 365");
    if (!days) return tl::unexpected(days.error());
    c.offline_credentials_days = static_cast<int>(*days);
    return common::Ok();
  }
  if (key == "nss_enumerate") {
    if (!v.is_boolean()) return r.Bad(v, key, "expected true or false");
    c.nss_enumerate = v.as_boolean();
    return common::Ok();
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
      (void)std::snprintf(buf, sizeof(buf), "\\u%04X", u);
      out += buf;
    } else {
      out += ch;
    }
  }
  return out + "\"";
}

std::string QuoteList(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i != 0U) out += ", ";
    out += Quote(items[i]);
  }
  return out + "]";
}

// The centrals as TOML: `central_url` for one (what older agents read too),
// `central_urls` for several; nothing for none.
std::string RenderCentrals(const std::vector<std::string>& urls) {
  if (urls.empty()) return "";
  if (urls.size() == 1) return "central_url = " + Quote(urls.front()) + "\n";
  return "central_urls = " + QuoteList(urls) + "\n";
}

// Applies one file's keys on top of `config`. Across files, central_url and
// central_urls are one setting (a later file's replaces the earlier one);
// within one file, both is a mistake: which list was meant?
common::Result<void> ApplyText(std::string_view text, const std::string& path,
                               AgentConfig& config) {
  auto root = common::ParseTomlTable(text, path);
  if (!root) return tl::unexpected(root.error());
  const common::TomlKeyReader reader(path);
  const auto& table = root->as_table();
  if (table.contains("central_url") && table.contains("central_urls")) {
    return reader.Bad(table.at("central_urls"), "central_urls",
                      "set together with 'central_url': keep one (central_urls lists several "
                      "centrals in order, central_url names one)");
  }
  for (const auto& [key, value] : table) {
    auto applied = Apply(reader, key, value, config);
    if (!applied) return tl::unexpected(applied.error());
  }
  return common::Ok();
}

// The drop-in files of `dir`, sorted; none when the directory is missing.
common::Result<std::vector<std::string>> DropIns(const std::string& dir) {
  std::vector<std::string> names;
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) {
    if (errno == ENOENT) return names;
    return common::Fail(common::ErrorKind::kConfig,
                        "cannot load config: " + dir + ": " + std::strerror(errno));
  }
  while (const dirent* entry = readdir(d)) {
    const std::string name = entry->d_name;
    // Hidden files and editor or dpkg leftovers (x.conf~, x.conf.dpkg-old)
    // do not end in ".conf".
    if (name[0] == '.' || name.size() <= 5 || name.compare(name.size() - 5, 5, ".conf") != 0) {
      continue;
    }
    names.push_back(dir + "/");
    names.back() += name;
  }
  closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace

std::string DropInDir(const std::string& config_path) { return config_path + ".d"; }

std::string CentralUrlProblem(const std::string& url) {
  constexpr std::string_view kScheme = "https://";
  if (url.rfind(kScheme, 0) != 0) return "must start with https://";
  for (char ch : url) {
    const auto u = static_cast<unsigned char>(ch);
    if (u <= 0x20 || u >= 0x7f) return "must not hold spaces, control or non-ASCII characters";
    if (ch == '?' || ch == '#' || ch == '@') return "must not hold a user, query or fragment";
  }
  const std::string rest = url.substr(kScheme.size());
  const std::string authority = rest.substr(0, rest.find('/'));
  std::string host = authority;
  std::string port;
  if (!authority.empty() && authority[0] == '[') {  // [::1]:8443
    const auto close = authority.find(']');
    if (close == std::string::npos) return "has an unclosed [ in its host";
    host = authority.substr(0, close + 1);
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') return "has a bad port";
      port = authority.substr(close + 2);
      if (port.empty()) return "has an empty port";
    }
  } else if (const auto colon = authority.find(':'); colon != std::string::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
    if (port.empty()) return "has an empty port";
  }
  if (host.empty() || host == "[]") return "names no host";
  if (!port.empty()) {
    if (port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos ||
        std::stoi(port) < 1 || std::stoi(port) > 65535) {
      return "has a bad port (1-65535)";
    }
  }
  return "";
}

std::string JoinCentralUrls(const std::vector<std::string>& urls) {
  std::string out;
  for (const auto& url : urls) out += (out.empty() ? "" : ", ") + url;
  return out;
}

common::Result<AgentConfig> ParseAgentConfig(std::string_view text, const std::string& path) {
  AgentConfig config;
  config.path = path;
  auto applied = ApplyText(text, path, config);
  if (!applied) return tl::unexpected(applied.error());
  return config;
}

common::Result<AgentConfig> LoadAgentConfig(const std::string& path) {
  auto text = common::ReadConfigText(path);
  if (!text) return tl::unexpected(text.error());
  auto config = ParseAgentConfig(*text, path);
  if (!config) return config;
  auto drop_ins = DropIns(DropInDir(path));
  if (!drop_ins) return tl::unexpected(drop_ins.error());
  for (const auto& file : *drop_ins) {
    auto more = common::ReadConfigText(file);
    if (!more) return tl::unexpected(more.error());
    auto applied = ApplyText(*more, file, *config);
    if (!applied) return tl::unexpected(applied.error());
  }
  return config;
}

std::string RenderEnrollment(const AgentConfig& c) {
  std::string out =
      "# Written by `staffgatectl enroll`; it rewrites this file on the next enrollment.\n";
  if (!c.workstation.empty()) out += "workstation = " + Quote(c.workstation) + "\n";
  out += RenderCentrals(c.central_urls);
  out += "ca_file = " + Quote(c.ca_file) + "\n";
  out += "token_file = " + Quote(c.token_file) + "\n";
  out += "trusted_keys = " + QuoteList(c.trusted_keys) + "\n";
  return out;
}

std::string RenderAgentConfig(const AgentConfig& c) {
  std::string out = "# staffgate agent configuration; see staffgated(8).\n";
  if (!c.workstation.empty()) out += "workstation = " + Quote(c.workstation) + "\n";
  out += RenderCentrals(c.central_urls);
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
  if (c.nss_enumerate) out += "nss_enumerate = true\n";
  if (c.offline_credentials_days != AgentConfig{}.offline_credentials_days) {
    out += "offline_credentials_days = " + std::to_string(c.offline_credentials_days) + "\n";
  }
  return out;
}

}  // namespace staffgate::agent
