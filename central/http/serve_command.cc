#include "central/http/serve_command.h"

#include <csignal>
#include <cstdio>

#include "central/central_config.h"
#include "central/http/http_server.h"
#include "central/serve_lock.h"
#include "central/service.h"
#include "common/ed25519.h"
#include "common/terminal_text.h"

namespace staffgate::central {

common::Result<void> Serve(const std::string& config_path) {
  auto log = [](int priority, const std::string& line) {
    // Lines may quote client-supplied text: never raw on a terminal or journal.
    (void)std::fprintf(stderr, "<%d>%s\n", priority, common::EscapeForTerminal(line).c_str());
    (void)std::fflush(stderr);
  };
  auto config = LoadCentralConfig(config_path);
  if (!config) return tl::unexpected(config.error());
  auto key = common::PrivateKey::FromPemFile(config->signing_key);
  if (!key) return tl::unexpected(key.error());
  // Held until the process ends (serve_lock.h); none on PostgreSQL.
  auto lock = ServeLock::TakeIfSqlite(config->StoreLocation());
  if (!lock) return tl::unexpected(lock.error());
  common::SystemClock clock;
  ServiceOptions options;
  options.db_path = config->StoreLocation();
  options.organization = config->organization;
  options.roster_lifetime_s = config->roster_lifetime_s;
  options.lease_ttl_s = config->lease_ttl_s;
  options.online_window_s = config->online_window_s;
  options.events_db_path = config->events_db;
  options.events_max_bytes = config->events_max_bytes;
  options.events_min_free_bytes = config->events_min_free_bytes;
  options.events_retention_days = config->events_retention_days;
  options.events_per_workstation_per_hour = config->events_per_workstation_per_hour;
  options.uid_range = config->uid_range;
  options.gid_range = config->gid_range;
  options.publish_display_names = config->publish_display_names;
  options.argon2 = config->argon2;
  auto service = Service::Open(options, std::move(*key), clock);
  if (!service) return tl::unexpected(service.error());
  // The signal_set inside the server takes SIGTERM/SIGINT; a client that
  // vanishes mid-write must not kill the process.
  (void)std::signal(SIGPIPE, SIG_IGN);
  HttpServer server(*config, **service, log);
  auto served = server.Run();
  service->reset();  // Flushes and closes the database before we report.
  return served;
}

}  // namespace staffgate::central
