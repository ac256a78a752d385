#include "central/migrate_command.h"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <memory>
#include <sstream>
#include <string>

#include "central/central_config.h"
#include "central/database.h"
#include "central/event_store.h"
#include "central/maintenance_command.h"
#include "central/pg_conn.h"
#include "central/serve_lock.h"
#include "central/service_types.h"
#include "central/store.h"
#include "central/store_copy.h"
#include "common/file_util.h"
#include "common/unique_fd.h"

namespace staffgate::central {
namespace {

using common::ErrorKind;
using common::Fail;
using common::Result;

// Whether something accepts connections on `host`:`port` (a wildcard
// address is asked on loopback), within a second.
bool Answers(std::string host, std::uint16_t port) {
  if (host == "0.0.0.0" || host.empty()) host = "127.0.0.1";
  if (host == "::") host = "::1";
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* found = nullptr;
  if (getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0) return false;
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> list(found, &freeaddrinfo);
  for (const addrinfo* a = found; a != nullptr; a = a->ai_next) {
    const common::UniqueFd fd(
        socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (!fd) continue;
    bool up = connect(fd.get(), a->ai_addr, a->ai_addrlen) == 0;
    if (!up && errno == EINPROGRESS) {
      pollfd p{fd.get(), POLLOUT, 0};
      int error = 0;
      socklen_t len = sizeof(error);
      up = poll(&p, 1, 1000) == 1 &&
           getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &error, &len) == 0 && error == 0;
    }
    if (up) return true;
  }
  return false;
}

std::string EventsPath(const CentralConfig& config) {
  ServiceOptions where;
  where.db_path = config.StoreLocation();
  where.events_db_path = config.events_db;
  return EventsDbPath(where);
}

// The central's two databases as `serve` opens them.
struct Opened {
  std::unique_ptr<EventStore> events;
  std::unique_ptr<Store> store;
};

// A database from before the event store had its own file first hands its
// events over (migration 3 drops them there), then the schema is brought
// to this build's.
Result<Opened> OpenAsServeWould(const CentralConfig& config) {
  auto events = EventStore::Open(EventsPath(config), 0);
  if (!events) return tl::unexpected(events.error());
  if (auto ok = (*events)->ImportLegacy(config.StoreLocation()); !ok) {
    return tl::unexpected(ok.error());
  }
  auto store = Store::Open(config.StoreLocation());
  if (!store) return tl::unexpected(store.error());
  return Opened{std::move(*events), std::move(*store)};
}

Result<void> CheckCopyable(const CentralConfig& config, const std::string& uri) {
  if (config.database != "sqlite") {
    return Fail(ErrorKind::kInvalidInput,
                config.path + " already names a PostgreSQL database; --to copies a SQLite central");
  }
  if (!IsPostgresUri(uri)) {
    return Fail(ErrorKind::kInvalidInput, "--to must be a postgresql:// URI");
  }
  if (auto ok = CheckPostgresUri(uri); !ok) {
    return Fail(ErrorKind::kConfig, "--to: " + ok.error().message);
  }
  if (::access(config.db.c_str(), F_OK) != 0) {
    return Fail(ErrorKind::kInvalidInput, "no SQLite database at " + config.db);
  }
  if (Answers(config.listen_host, config.listen_port)) {
    return Fail(ErrorKind::kInvalidInput,
                "the central still answers on " + config.Listen() +
                    "; stop it first (systemctl stop staffgate-central): a change it took "
                    "after the copy would be lost");
  }
  return common::Ok();
}

std::string Summary(const CopyCounts& counts, const std::string& uri, const std::string& conf) {
  std::ostringstream out;
  out << "copied into " << uri << ":";
  for (const auto& [table, rows] : counts.tables) out << " " << table << " " << rows << ",";
  out << " events " << counts.events << "; the next roster serial is above "
      << counts.serial_high_water << ".\n"
      << conf << " now says database = \"" << uri
      << "\" (the SQLite files are left as they were); start the central, then add more "
         "with `staffgate-central init --join`.";
  return out.str();
}

Result<std::string> CopyToPostgres(const CentralConfig& config, const std::string& uri) {
  if (auto ok = CheckCopyable(config, uri); !ok) return tl::unexpected(ok.error());
  // Also catches a central the port check missed (listening elsewhere),
  // and keeps one from starting on the SQLite files while they are read.
  auto lock = ServeLock::Take(config.db);
  if (!lock) return tl::unexpected(lock.error());
  auto conf_text = common::ReadFileCapped(config.path, 1024UL * 1024);
  if (!conf_text) return tl::unexpected(conf_text.error());
  auto new_conf = WithDatabaseKey(*conf_text, uri, config.path);
  if (!new_conf) return tl::unexpected(new_conf.error());
  auto floor = ReadSerialFile(SerialFilePath(config.db));
  if (!floor) return tl::unexpected(floor.error());
  auto source = OpenAsServeWould(config);
  if (!source) return tl::unexpected(source.error());
  auto target = Store::Open(uri);
  if (!target) return tl::unexpected(target.error());
  // The events table is the event store's to make.
  if (auto made = EventStore::Open(uri, 0); !made) return tl::unexpected(made.error());
  auto counts = CopyCentral(CopySources{&source->store->db(), &source->events->db(), *floor},
                            (*target)->db());
  if (!counts) return tl::unexpected(counts.error());
  // Absolute: a relative --config has no directory part to write into.
  const std::filesystem::path conf = std::filesystem::absolute(config.path);
  if (auto ok =
          WriteOwnedFile(conf.parent_path().string(), conf.filename().c_str(), *new_conf, 0640);
      !ok) {
    return Fail(ErrorKind::kIo, "copied, but could not point " + config.path + " at " + uri +
                                    " (set database there by hand): " + ok.error().message);
  }
  return Summary(*counts, uri, config.path);
}

}  // namespace

Result<std::string> WithDatabaseKey(const std::string& text, const std::string& value,
                                    const std::string& path) {
  std::string out;
  bool replaced = false;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    const std::size_t start = line.find_first_not_of(" \t");
    const bool is_key = start != std::string::npos && line.compare(start, 8, "database") == 0 &&
                        line.find_first_not_of(" \t", start + 8) != std::string::npos &&
                        line[line.find_first_not_of(" \t", start + 8)] == '=';
    if (is_key && !replaced) {
      out += "database = \"" + value + "\"\n";
      replaced = true;
    } else {
      out += line + "\n";
    }
  }
  if (!replaced) out += "database = \"" + value + "\"\n";
  // Read back as serve will: a value TOML would take differently is refused.
  auto parsed = ParseCentralConfig(out, path);
  if (!parsed) return tl::unexpected(parsed.error());
  if (parsed->database != value) {
    return Fail(ErrorKind::kConfig, path + ": database = \"" + value + "\" does not read back");
  }
  return out;
}

Result<std::string> MigrateCentral(const MigrateOptions& options) {
  auto config = LoadCentralConfig(options.config);
  if (!config) return tl::unexpected(config.error());
  if (!options.to.empty()) return CopyToPostgres(*config, options.to);
  // A SQLite file a running central uses is not upgraded under it.
  auto lock = ServeLock::TakeIfSqlite(config->StoreLocation());
  if (!lock) return tl::unexpected(lock.error());
  auto opened = OpenAsServeWould(*config);
  if (!opened) return tl::unexpected(opened.error());
  auto version = opened->store->SchemaVersion();
  if (!version) return tl::unexpected(version.error());
  return "the database of " + options.config + " is at schema version " + std::to_string(*version) +
         ", this build's";
}

}  // namespace staffgate::central
