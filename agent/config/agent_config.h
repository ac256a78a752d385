// The agent configuration, /etc/staffgate/agent.conf (TOML, docs/design.md §5).
// Loading is all-or-nothing: an unknown key or a bad value is an error that
// names the file, the line and the key, and the agent refuses to start
// rather than enforce half a policy.
#ifndef STAFFGATE_AGENT_CONFIG_AGENT_CONFIG_H_
#define STAFFGATE_AGENT_CONFIG_AGENT_CONFIG_H_

#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace staffgate::agent {

inline constexpr char kDefaultAgentConfigPath[] = "/etc/staffgate/agent.conf";

enum class UnknownAccounts { kDeny, kIgnore };
enum class OnRevoke { kTerminate, kNone };
enum class LeaseUnreachable { kAllow, kDeny };

struct AgentConfig {
  std::string path;  // The file this came from, for messages.
  std::string workstation;
  // `central_urls` (or `central_url` for one) in order of preference,
  // each "https://..."; empty: no sync (docs/design.md §12).
  std::vector<std::string> central_urls;
  std::string ca_file = "/etc/staffgate/central-ca.pem";
  std::string token_file = "/etc/staffgate/workstation.token";
  std::vector<std::string> trusted_keys;  // Empty: not enrolled.
  std::string socket = "/run/staffgate/agent.sock";
  std::string state_dir = "/var/lib/staffgate";
  std::string audit_log = "/var/log/staffgate/audit.jsonl";
  std::vector<std::string> exempt_accounts{"root"};
  uid_t min_uid = 1000;
  UnknownAccounts unknown_accounts = UnknownAccounts::kDeny;
  OnRevoke on_revoke = OnRevoke::kTerminate;
  LeaseUnreachable lease_unreachable = LeaseUnreachable::kAllow;
  // docs/design.md §9: whether libnss_staffgate lists every employee
  // (getent passwd, login screens); lookups by name or id work either way.
  bool nss_enumerate = false;
  // docs/design.md §10: how long a staffgate password verified online may
  // be checked offline (never past the roster's expiry); 0 keeps no
  // offline verifier.
  int offline_credentials_days = 3;
};

// Parses TOML text; `path` is only used in messages. Errors: kConfig with
// "PATH:LINE: key 'KEY': what is wrong".
common::Result<AgentConfig> ParseAgentConfig(std::string_view text, const std::string& path);

// Drop-ins (docs/design.md §7): every `*.conf` in `<path>.d/`, in byte
// order of their names, applied after the main file; a key in a later file
// replaces the earlier value. `staffgatectl enroll` writes kEnrollDropIn
// there, so the dpkg conffile itself stays as shipped.
inline constexpr char kEnrollDropIn[] = "50-enrollment.conf";
std::string DropInDir(const std::string& config_path);

// Reads and parses the file, then its drop-ins. Errors: kConfig naming the
// file (the main one or a drop-in) and line; an unreadable file or drop-in
// directory is an error too (never half a policy). A missing `<path>.d/`
// is fine.
common::Result<AgentConfig> LoadAgentConfig(const std::string& path);

// Why `url` cannot name a central ("must start with https://", ...), or
// empty when it can: https, a host, an optional port 1-65535 and path; no
// user, query, fragment, space or control character.
std::string CentralUrlProblem(const std::string& url);

// The centrals as one line for messages: "https://a, https://b".
std::string JoinCentralUrls(const std::vector<std::string>& urls);

// Renders a config as TOML that ParseAgentConfig reads back identically.
std::string RenderAgentConfig(const AgentConfig& config);

// Renders only what enrollment sets (workstation, central_url or
// central_urls, ca_file, token_file, trusted_keys): the content of the
// kEnrollDropIn file.
std::string RenderEnrollment(const AgentConfig& config);

}  // namespace staffgate::agent

#endif  // STAFFGATE_AGENT_CONFIG_AGENT_CONFIG_H_
