#include "central/central_config.h"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "central/auth/password_policy.h"
#include "central/database.h"
#include "central/pg_conn.h"
#include "common/roster_acceptance.h"
#include "common/toml_reader.h"

namespace staffgate::central {
namespace {

using common::ErrorKind;
using common::Fail;
using common::Result;
using common::TomlKeyReader;

std::string Quote(const std::string& s) {
  std::string out = "\"";
  for (char ch : s) {
    if (ch == '"' || ch == '\\') out += '\\';
    out += ch;
  }
  return out + "\"";
}

std::string Resolve(const std::string& dir, const std::string& p) {
  if (p.empty() || p[0] == '/') return p;
  return (std::filesystem::path(dir) / p).string();
}

// `[first, last]`: two integers from kMinPosixId to kMaxPosixId, first <= last.
Result<IdRange> Range(const TomlKeyReader& r, const std::string& key, const toml::value& v) {
  const std::string what = "expected [FIRST, LAST] with " + std::to_string(kMinPosixId) +
                           " <= FIRST <= LAST <= " + std::to_string(kMaxPosixId);
  if (!v.is_array() || v.as_array().size() != 2) return r.Bad(v, key, what);
  IdRange range;
  for (int i = 0; i < 2; ++i) {
    auto n = r.Integer(v.as_array()[i], key, kMinPosixId, kMaxPosixId, what);
    if (!n) return tl::unexpected(n.error());
    (i == 0 ? range.first : range.last) = static_cast<std::uint32_t>(*n);
  }
  if (range.first > range.last) return r.Bad(v, key, what);
  return range;
}

// One `key = value` line of the file and the reader that names the file
// and line in its errors: what every Apply* below takes.
struct ConfigLine {
  const TomlKeyReader& r;
  const std::string& key;
  const toml::value& v;

  Result<void> Bad(const std::string& what) const { return r.Bad(v, key, what); }

  // A non-empty string into `field`.
  Result<void> String(std::string& field) const {
    auto s = r.String(v, key);
    if (!s || s->empty()) return Bad("expected a non-empty string");
    field = std::move(*s);
    return common::Ok();
  }

  // An integer from `lo` to `hi` into `field`.
  template <typename Field>
  Result<void> Integer(Field& field, std::int64_t lo, std::int64_t hi) const {
    auto n = r.Integer(v, key, lo, hi);
    if (!n) return tl::unexpected(n.error());
    field = static_cast<Field>(*n);
    return common::Ok();
  }
};

// The HR console's keys (docs/design.md §11).
Result<void> ApplyConsole(const ConfigLine& line, CentralConfig& c) {
  if (line.key == "console_idle_timeout_s") {
    return line.Integer(c.console_idle_timeout_s, 1, 24L * 3600);
  }
  if (line.key == "console_absolute_timeout_s") {
    return line.Integer(c.console_absolute_timeout_s, 1, 7L * 24 * 3600);
  }
  return line.Bad("unknown key");
}

// `listen` and `database`, whose values are parsed beyond their type.
Result<void> ApplyEndpoint(const ConfigLine& line, CentralConfig& c) {
  const toml::value& v = line.v;
  if (line.key == "listen") {
    if (!v.is_string()) return line.Bad("expected \"HOST:PORT\"");
    auto hp = ParseListen(v.as_string().str);
    if (!hp) return line.Bad(hp.error().message);
    c.listen_host = hp->first;
    c.listen_port = hp->second;
    return common::Ok();
  }
  if (!v.is_string()) return line.Bad("expected \"sqlite\" or a postgresql:// URI");
  const std::string& text = v.as_string().str;
  if (text != "sqlite") {
    if (!IsPostgresUri(text)) return line.Bad("expected \"sqlite\" or a postgresql:// URI");
    if (auto ok = CheckPostgresUri(text); !ok) return line.Bad(ok.error().message);
  }
  c.database = text;
  return common::Ok();
}

// The password keys (docs/design.md §10): lockout, length and argon2 cost.
// Returns nullopt for a key that is not one of them.
std::optional<Result<void>> ApplyPassword(const ConfigLine& line, CentralConfig& c) {
  const std::string& key = line.key;
  if (key == "lockout_failures") return line.Integer(c.lockout_failures, 1, 1000000);
  if (key == "lockout_window_s") return line.Integer(c.lockout_window_s, 1, 366LL * 24 * 3600);
  if (key == "lockout_s") return line.Integer(c.lockout_s, 1, 366LL * 24 * 3600);
  if (key == "password_min_length") {
    return line.Integer(c.password_min_length, kMinPasswordMinLength, kMaxPasswordMinLength);
  }
  if (key == "argon2_memory_kib") {
    return line.Integer(c.argon2.memory_kib, kMinArgon2MemoryKib, kMaxArgon2MemoryKib);
  }
  if (key == "argon2_iterations") return line.Integer(c.argon2.iterations, 1, kMaxArgon2Iterations);
  if (key == "argon2_parallelism") {
    return line.Integer(c.argon2.parallelism, 1, kMaxArgon2Parallelism);
  }
  if (key == "max_concurrent_hashes") return line.Integer(c.max_concurrent_hashes, 1, 256);
  if (key == "max_hash_queue") return line.Integer(c.max_hash_queue, 0, 1000000);
  if (key == "max_hash_wait_ms") return line.Integer(c.max_hash_wait_ms, 1, 600000);
  return std::nullopt;
}

// The event store's keys; nullopt for a key that is not one of them.
std::optional<Result<void>> ApplyEvents(const ConfigLine& line, CentralConfig& c) {
  const std::string& key = line.key;
  constexpr std::int64_t kMaxBytes = std::int64_t{1} << 50;
  if (key == "events_db") return line.String(c.events_db);
  if (key == "events_max_bytes") return line.Integer(c.events_max_bytes, 0, kMaxBytes);
  if (key == "events_min_free_bytes") return line.Integer(c.events_min_free_bytes, 0, kMaxBytes);
  if (key == "events_retention_days") return line.Integer(c.events_retention_days, 1, 36500);
  if (key == "events_per_workstation_per_hour") {
    return line.Integer(c.events_per_workstation_per_hour, 0, 100000000);
  }
  return std::nullopt;
}

// Connections, lifetimes and id ranges; nullopt for another key.
std::optional<Result<void>> ApplyLimits(const ConfigLine& line, CentralConfig& c) {
  const std::string& key = line.key;
  // Agents refuse rosters valid for longer (common/roster_acceptance.h).
  if (key == "roster_lifetime_s") {
    return line.Integer(c.roster_lifetime_s, 300, common::kMaxRosterLifetime);
  }
  if (key == "lease_ttl_s") return line.Integer(c.lease_ttl_s, 1, 24L * 3600);
  if (key == "online_window_s") return line.Integer(c.online_window_s, 1, 366LL * 24 * 3600);
  if (key == "max_body_bytes") return line.Integer(c.max_body_bytes, 1024, 64LL * 1024 * 1024);
  if (key == "max_wait_s") return line.Integer(c.max_wait_s, 0, 60);
  if (key == "header_timeout_s") return line.Integer(c.header_timeout_s, 1, 300);
  if (key == "idle_timeout_s") return line.Integer(c.idle_timeout_s, 1, 3600);
  if (key == "threads") return line.Integer(c.threads, 1, 64);
  if (key == "max_connections") return line.Integer(c.max_connections, 1, 1000000);
  if (key == "max_connections_per_client") {
    return line.Integer(c.max_connections_per_client, 1, 1000000);
  }
  if (key == "uid_range" || key == "gid_range") {
    auto range = Range(line.r, key, line.v);
    if (!range) return tl::unexpected(range.error());
    (key == "uid_range" ? c.uid_range : c.gid_range) = *range;
    return common::Ok();
  }
  return std::nullopt;
}

Result<void> Apply(const ConfigLine& line, CentralConfig& c) {
  const std::string& key = line.key;
  if (key == "listen" || key == "database") return ApplyEndpoint(line, c);
  if (key == "db") return line.String(c.db);
  if (key == "signing_key") return line.String(c.signing_key);
  if (key == "tls_cert") return line.String(c.tls_cert);
  if (key == "tls_key") return line.String(c.tls_key);
  if (key == "organization") {
    auto s = line.r.String(line.v, key);
    if (!s) return tl::unexpected(s.error());
    c.organization = std::move(*s);
    return common::Ok();
  }
  if (key == "publish_display_names") {
    if (!line.v.is_boolean()) return line.Bad("expected true or false");
    c.publish_display_names = line.v.as_boolean();
    return common::Ok();
  }
  if (auto limits = ApplyLimits(line, c)) return *limits;
  if (auto events = ApplyEvents(line, c)) return *events;
  if (auto password = ApplyPassword(line, c)) return *password;
  if (key.rfind("console_", 0) == 0) return ApplyConsole(line, c);
  return line.Bad("unknown key");
}

}  // namespace

std::string CentralConfig::StoreLocation() const { return database == "sqlite" ? db : database; }

std::string CentralConfig::Listen() const {
  if (listen_host.find(':') != std::string::npos) {
    return "[" + listen_host + "]:" + std::to_string(listen_port);
  }
  return listen_host + ":" + std::to_string(listen_port);
}

Result<std::pair<std::string, std::uint16_t>> ParseListen(std::string_view text) {
  auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    return Fail(ErrorKind::kInvalidInput, "listen address must be HOST:PORT");
  }
  std::string host(text.substr(0, colon));
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  std::string_view port = text.substr(colon + 1);
  if (port.empty() || port.size() > 5)
    return Fail(ErrorKind::kInvalidInput, "bad port in listen address");
  unsigned value = 0;
  for (char ch : port) {
    if (ch < '0' || ch > '9') return Fail(ErrorKind::kInvalidInput, "bad port in listen address");
    value = value * 10 + static_cast<unsigned>(ch - '0');
  }
  if (value > 65535) return Fail(ErrorKind::kInvalidInput, "port out of range in listen address");
  return std::pair{host, static_cast<std::uint16_t>(value)};
}

Result<CentralConfig> ParseCentralConfig(std::string_view text, const std::string& path) {
  auto root = common::ParseTomlTable(text, path);
  if (!root) return tl::unexpected(root.error());
  CentralConfig c;
  c.path = path;
  const TomlKeyReader reader(path);
  for (const auto& [key, value] : root->as_table()) {
    auto applied = Apply(ConfigLine{reader, key, value}, c);
    if (!applied) return tl::unexpected(applied.error());
  }
  if (c.argon2.memory_kib < 8 * c.argon2.parallelism) {
    return Fail(ErrorKind::kConfig, path +
                                        ": key 'argon2_memory_kib': must be at least 8 x "
                                        "argon2_parallelism (libargon2's rule)");
  }
  std::string dir = std::filesystem::path(path).parent_path().string();
  if (dir.empty()) dir = ".";
  for (std::string* p : {&c.db, &c.signing_key, &c.tls_cert, &c.tls_key, &c.events_db})
    *p = Resolve(dir, *p);
  return c;
}

Result<CentralConfig> LoadCentralConfig(const std::string& path) {
  auto text = common::ReadConfigText(path);
  if (!text) return tl::unexpected(text.error());
  return ParseCentralConfig(*text, path);
}

namespace {

// Where and how the central serves: files, lifetimes, connections.
void RenderServiceKeys(const CentralConfig& c, std::string& o) {
  o += "# staffgate-central configuration (TOML, top-level keys only).\n";
  o += "# Relative paths are relative to the directory of this file.\n\n";
  o += "# Address and port to serve HTTPS on (\"HOST:PORT\", \"[::1]:8443\" for IPv6).\n";
  o += "listen = " + Quote(c.Listen()) + "\n\n";
  o += "# Where the central keeps its data: \"sqlite\" (the file `db` below) or a\n";
  o += "# PostgreSQL URI (\"postgresql://user@host/dbname\"; several centrals may share\n";
  o += "# it). Never a password here: libpq reads it from the file PGPASSFILE names.\n";
  o += "database = " + Quote(c.database) + "\n\n";
  o += "# SQLite database: employees, accounts, workstations, events, published\n";
  o += "# rosters. The highest serial ever published is also kept beside it in\n";
  o += "# <db>.serial so that restoring an older database never serves an older roster.\n";
  o += "db = " + Quote(c.db) + "\n\n";
  o += "# Ed25519 roster signing key (PKCS#8 PEM, mode 0600). Its public half is\n";
  o += "# served at GET /v1/keys and pinned by every agent.\n";
  o += "signing_key = " + Quote(c.signing_key) + "\n\n";
  o += "# TLS server certificate chain and private key (PEM).\n";
  o += "tls_cert = " + Quote(c.tls_cert) + "\n";
  o += "tls_key = " + Quote(c.tls_key) + "\n\n";
  o += "# Organisation name written into every roster.\n";
  o += "organization = " + Quote(c.organization) + "\n\n";
  o += "# Seconds a signed roster stays valid. The central re-signs when less than\n";
  o += "# half of it remains, so online agents never see an expired roster.\n";
  o += "roster_lifetime_s = " + std::to_string(c.roster_lifetime_s) + "\n\n";
  o += "# Seconds a session lease lives without renewal: agents renew while the\n";
  o += "# session lasts; a workstation that died keeps its accounts this long.\n";
  o += "lease_ttl_s = " + std::to_string(c.lease_ttl_s) + "\n\n";
  o += "# Rollout confirmation (staffgate-admin rollout, terminate --wait) counts the\n";
  o += "# workstations in contact within this many seconds; keep it above max_wait_s,\n";
  o += "# since a waiting agent's last contact is the start of its long-poll.\n";
  o += "online_window_s = " + std::to_string(c.online_window_s) + "\n\n";
  o += "# Largest accepted request body in bytes (event batches, CSV imports).\n";
  o += "max_body_bytes = " + std::to_string(c.max_body_bytes) + "\n\n";
  o += "# Longest long-poll (Prefer: wait=N) the central holds, in seconds (<= 60).\n";
  o += "max_wait_s = " + std::to_string(c.max_wait_s) + "\n\n";
  o += "# Seconds a client has to send a complete request header (slow clients).\n";
  o += "header_timeout_s = " + std::to_string(c.header_timeout_s) + "\n\n";
  o += "# Seconds an idle keep-alive connection is kept open.\n";
  o += "idle_timeout_s = " + std::to_string(c.idle_timeout_s) + "\n\n";
  o += "# Network threads.\n";
  o += "threads = " + std::to_string(c.threads) + "\n\n";
  o += "# Connections beyond this are closed at once (protects the fd limit). A\n";
  o += "# tenth is kept for connections that presented a valid token: the oldest\n";
  o += "# one without a token is closed to make room for a new connection.\n";
  o += "max_connections = " + std::to_string(c.max_connections) + "\n\n";
  o += "# Connections from one client address beyond this are closed at once, so\n";
  o += "# one client cannot take the whole max_connections from everyone else.\n";
  o += "max_connections_per_client = " + std::to_string(c.max_connections_per_client) + "\n\n";
}

// The audit event store's place, caps and retention.
void RenderEventKeys(const CentralConfig& c, std::string& o) {
  o += "# Audit events live in their own SQLite file (default: \"<db stem>-events.db\"\n";
  o += "# beside db), so a flood of events never fails an employee change.\n";
  o += "# events_db = \"central-events.db\"\n\n";
  o += "# Cap on the event store in bytes (0: none). When reached, workstations'\n";
  o += "# events are answered 507 and stay in their outboxes; /healthz says so.\n";
  o += "events_max_bytes = " + std::to_string(c.events_max_bytes) + "\n\n";
  o += "# Events are refused (507) while the event store's disk has less free space\n";
  o += "# than this, so employee changes always find room.\n";
  o += "events_min_free_bytes = " + std::to_string(c.events_min_free_bytes) + "\n\n";
  o += "# Events received longer ago than this are deleted (checked every minute).\n";
  o += "events_retention_days = " + std::to_string(c.events_retention_days) + "\n\n";
  o += "# Events one workstation may store an hour (a burst of one hour's worth);\n";
  o += "# beyond it its batches are answered 429 with Retry-After and stay in its\n";
  o += "# outbox. 0: no quota.\n";
  o += "events_per_workstation_per_hour = " + std::to_string(c.events_per_workstation_per_hour) +
       "\n\n";
}

// Unix ids, display names and staffgate passwords.
void RenderIdentityKeys(const CentralConfig& c, std::string& o) {
  o += "# Unix ids for roster identities (libnss_staffgate on workstations). Each\n";
  o += "# employee account gets the next uid of uid_range, each posix group the\n";
  o += "# next gid of gid_range; an id is never handed out twice, even after its\n";
  o += "# account or group is gone. Widening a range is safe; moving it only\n";
  o += "# affects ids handed out afterwards.\n";
  o += "uid_range = " + FormatRange(c.uid_range) + "\n";
  o += "gid_range = " + FormatRange(c.gid_range) + "\n\n";
  o += "# Put each employee's name in the roster as display_name (shown by login\n";
  o += "# screens and as the gecos field). The roster is on every workstation, so\n";
  o += "# names are personal data there: off unless you need it.\n";
  o +=
      std::string("publish_display_names = ") + (c.publish_display_names ? "true" : "false") + "\n";
  o += "\n# Staffgate passwords (optional; the staffgate-auth PAM profile). Fleet-wide\n";
  o += "# lockout: lockout_failures wrong passwords within lockout_window_s seconds\n";
  o += "# lock the password for lockout_s seconds, even against the right one.\n";
  o += "lockout_failures = " + std::to_string(c.lockout_failures) + "\n";
  o += "lockout_window_s = " + std::to_string(c.lockout_window_s) + "\n";
  o += "lockout_s = " + std::to_string(c.lockout_s) + "\n\n";
  o += "# Shortest password accepted (libpwquality, with cracklib's dictionary check).\n";
  o += "password_min_length = " + std::to_string(c.password_min_length) + "\n\n";
  o += "# argon2id cost of each hash (memory in KiB, passes, lanes); see\n";
  o += "# docs/performance.md for what the default costs. New values apply to\n";
  o += "# passwords set from then on.\n";
  o += "argon2_memory_kib = " + std::to_string(c.argon2.memory_kib) + "\n";
  o += "argon2_iterations = " + std::to_string(c.argon2.iterations) + "\n";
  o += "argon2_parallelism = " + std::to_string(c.argon2.parallelism) + "\n\n";
  o += "# Hashes computed at once (memory: about this x argon2_memory_kib), how many\n";
  o += "# password requests may wait for one, and for how many milliseconds; beyond\n";
  o += "# either, the request is answered 503 with Retry-After.\n";
  o += "max_concurrent_hashes = " + std::to_string(c.max_concurrent_hashes) + "\n";
  o += "max_hash_queue = " + std::to_string(c.max_hash_queue) + "\n";
  o += "max_hash_wait_ms = " + std::to_string(c.max_hash_wait_ms) + "\n";
}

void RenderConsoleKeys(const CentralConfig& c, std::string& o) {
  o += "\n# The HR console (https://<listen>/ui/): a signed-in administrator is signed\n";
  o += "# out after this many seconds without a request, and this many seconds after\n";
  o += "# signing in in any case.\n";
  o += "console_idle_timeout_s = " + std::to_string(c.console_idle_timeout_s) + "\n";
  o += "console_absolute_timeout_s = " + std::to_string(c.console_absolute_timeout_s) + "\n";
}

}  // namespace

std::string RenderCentralConfig(const CentralConfig& c) {
  std::string o;
  RenderServiceKeys(c, o);
  RenderEventKeys(c, o);
  RenderIdentityKeys(c, o);
  RenderConsoleKeys(c, o);
  return o;
}

}  // namespace staffgate::central
