#include "agent/config/agent_config.h"

#include <dirent.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "common/toml_reader.h"

namespace staffgate::agent {
namespace {

common::Result<void> Apply(const common::TomlKeyReader& r, const std::string& key,
                           const toml::value& v, AgentConfig& c) {
  auto assign = [](auto& field, auto result) -> common::Result<void> {
    if (!result) return tl::unexpected(result.error());
    field = std::move(*result);
    return common::Ok();
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

// Applies one file's keys on top of `config`.
common::Result<void> ApplyText(std::string_view text, const std::string& path,
                               AgentConfig& config) {
  auto root = common::ParseTomlTable(text, path);
  if (!root) return tl::unexpected(root.error());
  const common::TomlKeyReader reader(path);
  for (const auto& [key, value] : root->as_table()) {
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
    names.push_back(dir + "/" + name);
  }
  closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace

std::string DropInDir(const std::string& config_path) { return config_path + ".d"; }

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
  if (!c.central_url.empty()) out += "central_url = " + Quote(c.central_url) + "\n";
  out += "ca_file = " + Quote(c.ca_file) + "\n";
  out += "token_file = " + Quote(c.token_file) + "\n";
  out += "trusted_keys = " + QuoteList(c.trusted_keys) + "\n";
  return out;
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
  if (c.nss_enumerate) out += "nss_enumerate = true\n";
  if (c.offline_credentials_days != AgentConfig{}.offline_credentials_days) {
    out += "offline_credentials_days = " + std::to_string(c.offline_credentials_days) + "\n";
  }
  return out;
}

}  // namespace staffgate::agent
