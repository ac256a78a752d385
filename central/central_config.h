// central.conf (TOML, top-level keys only): where the central keeps its
// database and keys, and the limits it serves with. Loading is
// all-or-nothing like the agent's: an unknown key or a bad value is an
// error naming file, line and key. Relative paths are relative to the
// directory of the config file, so a whole `init --dir` tree can be moved.
#ifndef STAFFGATE_CENTRAL_CENTRAL_CONFIG_H_
#define STAFFGATE_CENTRAL_CENTRAL_CONFIG_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "central/auth/argon2_hash.h"
#include "central/posix_ids.h"
#include "common/result.h"

namespace staffgate::central {

struct CentralConfig {
  std::string path;  // The file this was read from.
  std::string listen_host = "127.0.0.1";
  std::uint16_t listen_port = 8443;
  std::string db = "central.db";
  // "sqlite" (the file `db`) or a PostgreSQL URI (docs/design.md §12);
  // never with a password (CheckPostgresUri).
  std::string database = "sqlite";
  std::string signing_key = "roster-signing.key";
  std::string tls_cert = "tls.crt";
  std::string tls_key = "tls.key";
  std::string organization;
  std::int64_t roster_lifetime_s = 7L * 24 * 3600;
  std::int64_t lease_ttl_s = 90;
  // Rollout confirmation counts the workstations in contact within this
  // many seconds (docs/design.md §11).
  std::int64_t online_window_s = 300;
  std::size_t max_body_bytes = 8UL * 1024 * 1024;
  int max_wait_s = 60;
  int header_timeout_s = 10;
  int idle_timeout_s = 75;
  int threads = 2;
  std::size_t max_connections = 20000;
  // Open connections from one client address; beyond it, that address's
  // new connections are closed at once (others keep being served).
  std::size_t max_connections_per_client = 1000;
  // The event store (docs/design.md §13): its own SQLite file (empty:
  // "<db stem>-events.db"), a size cap, free space kept for employee
  // changes, retention by receipt time, and a per-workstation quota.
  std::string events_db;
  std::uint64_t events_max_bytes = 4ULL << 30;
  std::uint64_t events_min_free_bytes = 256ULL << 20;
  std::int64_t events_retention_days = 365;
  std::uint64_t events_per_workstation_per_hour = 3600;
  IdRange uid_range = kDefaultUidRange;  // uid_range = [first, last]
  IdRange gid_range = kDefaultGidRange;  // gid_range = [first, last]
  bool publish_display_names = false;
  // Staffgate passwords (docs/design.md §10): fleet-wide lockout, policy,
  // argon2id cost, and the bound on hashing at once (memory: about
  // max_concurrent_hashes x argon2_memory_kib) and on waiting for it.
  int lockout_failures = 10;
  std::int64_t lockout_window_s = 300;
  std::int64_t lockout_s = 900;
  std::size_t password_min_length = 12;
  Argon2Params argon2;  // argon2_memory_kib, argon2_iterations, argon2_parallelism
  std::size_t max_concurrent_hashes = 2;
  std::size_t max_hash_queue = 1024;
  std::int64_t max_hash_wait_ms = 10000;
  // The HR console's sessions (docs/design.md §11): signed out after this
  // long without a request, and this long after signing in in any case.
  std::int64_t console_idle_timeout_s = 30L * 60;
  std::int64_t console_absolute_timeout_s = 10L * 3600;

  // "host:port" as written in `listen`.
  std::string Listen() const;
  // Where the store lives: the PostgreSQL URI, or the SQLite path `db`.
  std::string StoreLocation() const;
};

// Splits "HOST:PORT" ("[::1]:8443" for IPv6). Errors: kInvalidInput.
common::Result<std::pair<std::string, std::uint16_t>> ParseListen(std::string_view text);

// Errors: kConfig "<file>:<line>: key '<k>': <what>".
common::Result<CentralConfig> ParseCentralConfig(std::string_view text, const std::string& path);
common::Result<CentralConfig> LoadCentralConfig(const std::string& path);

// The documented config file `init` writes (every key with a comment).
std::string RenderCentralConfig(const CentralConfig& config);

}  // namespace staffgate::central

#endif  // STAFFGATE_CENTRAL_CENTRAL_CONFIG_H_
