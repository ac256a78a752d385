#include "central/init_command.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "central/central_config.h"
#include "central/database.h"
#include "central/pg_conn.h"
#include "central/service.h"
#include "central/tls_certs.h"
#include "central/tokens.h"
#include "common/ed25519.h"
#include "common/file_util.h"

namespace staffgate::central {

using common::ErrorKind;
using common::Fail;
using common::Result;

namespace {

constexpr const char* kOwnedFiles[] = {
    "central.conf", "central.db", "roster-signing.key", "roster-signing.pub", "ca.pem", "ca.key",
    "tls.crt",      "tls.key",    "admin.token"};

// A new central gets an empty PostgreSQL database: one holding another
// central's data has its own signing key and admin token, and a second
// central for it is made with `init --join` instead (docs/design.md §12).
Result<void> CheckDatabase(const std::string& uri) {
  if (!IsPostgresUri(uri)) {
    return Fail(ErrorKind::kInvalidInput, "--database must be \"sqlite\" or a postgresql:// URI");
  }
  if (auto ok = CheckPostgresUri(uri); !ok) {
    return Fail(ErrorKind::kConfig, "--database: " + ok.error().message);
  }
  auto empty = Store::IsEmpty(uri);
  if (!empty) return tl::unexpected(empty.error());
  if (!*empty) {
    return Fail(ErrorKind::kInvalidInput,
                "--database: the PostgreSQL database already holds a central's data; "
                "refusing to make a second signing key and admin token for it (another central "
                "for the same database is made with --join DIR0)");
  }
  return common::Ok();
}

Result<void> CheckFreshDir(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  for (const char* name : kOwnedFiles) {
    fs::path p = fs::path(dir) / name;
    if (fs::exists(p, ec)) {
      return Fail(ErrorKind::kInvalidInput,
                  p.string() + " already exists; refusing to overwrite an existing central");
    }
  }
  return common::Ok();
}

// Directories made here are never group- or world-writable, whatever the
// caller's umask (under umask 000 anyone could swap the keys otherwise).
Result<void> MakeCentralDir(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const mode_t caller_umask = ::umask(0);
  ::umask(caller_umask | 022);
  fs::path parent = fs::path(dir).parent_path();
  if (!parent.empty()) fs::create_directories(parent, ec);
  const bool made = ::mkdir(dir.c_str(), 0750) == 0;
  const int mkdir_errno = errno;
  ::umask(caller_umask);
  if (!made && mkdir_errno != EEXIST) {
    return Fail(ErrorKind::kIo, "cannot create " + dir + ": " + std::strerror(mkdir_errno));
  }
  return common::Ok();
}

}  // namespace

Result<void> InitCentral(const InitOptions& options) {
  if (!options.join.empty()) return JoinCentral(options);
  namespace fs = std::filesystem;
  auto listen = ParseListen(options.listen);
  if (!listen) return Fail(ErrorKind::kInvalidInput, "--listen: " + listen.error().message);
  if (options.dir.empty()) return Fail(ErrorKind::kInvalidInput, "--dir must not be empty");
  if (auto ok = CheckFreshDir(options.dir); !ok) return ok;
  const bool postgres = options.database != "sqlite";
  if (postgres) {
    if (auto ok = CheckDatabase(options.database); !ok) return ok;
  }
  if (auto ok = MakeCentralDir(options.dir); !ok) return ok;
  auto at = [&](const char* name) { return (fs::path(options.dir) / name).string(); };

  // Every secret is generated before anything is written, so an OpenSSL
  // failure leaves no half-made directory behind.
  auto key = common::PrivateKey::Generate();
  if (!key) return tl::unexpected(key.error());
  auto tls = MakeTlsMaterial(options.organization, options.sans);
  if (!tls) return tl::unexpected(tls.error());
  auto token = NewToken();
  if (!token) return tl::unexpected(token.error());

  struct File {
    const char* name;
    std::string data;
    mode_t mode;
  };
  CentralConfig config;
  config.listen_host = listen->first;
  config.listen_port = listen->second;
  config.organization = options.organization;
  config.database = options.database;
  const File files[] = {
      {"roster-signing.key", key->ToPem(), 0600},
      {"roster-signing.pub", key->Public().ToPem(), 0644},
      {"ca.pem", tls->ca_cert_pem, 0644},
      {"ca.key", tls->ca_key_pem, 0600},
      {"tls.crt", tls->server_cert_pem + tls->ca_cert_pem, 0644},
      {"tls.key", tls->server_key_pem, 0600},
      {"admin.token", *token + "\n", 0600},
  };
  for (const File& f : files) {
    if (auto ok = common::WriteFileAtomic(at(f.name), f.data, f.mode); !ok) return ok;
  }

  common::SystemClock clock;
  // SQLite creates the database and its -wal/-shm files: owner-only.
  mode_t old_umask = ::umask(0077);
  ServiceOptions service_options;
  service_options.db_path = postgres ? options.database : at("central.db");
  service_options.organization = options.organization;
  service_options.roster_lifetime_s = config.roster_lifetime_s;
  auto service = Service::Open(service_options, std::move(*key), clock);
  ::umask(old_umask);
  if (!service) return tl::unexpected(service.error());
  if (auto ok = (*service)->SetAdminTokenHash(TokenHash(*token)); !ok) return ok;
  service->reset();

  // The config goes last: its presence means "this directory is complete".
  return common::WriteFileAtomic(at("central.conf"), RenderCentralConfig(config), 0640);
}

Result<void> JoinCentral(const InitOptions& options) {
  namespace fs = std::filesystem;
  auto listen = ParseListen(options.listen);
  if (!listen) return Fail(ErrorKind::kInvalidInput, "--listen: " + listen.error().message);
  if (options.dir.empty()) return Fail(ErrorKind::kInvalidInput, "--dir must not be empty");
  if (auto ok = CheckFreshDir(options.dir); !ok) return ok;
  auto base = LoadCentralConfig((fs::path(options.join) / "central.conf").string());
  if (!base) return Fail(base.error().kind, "--join: " + base.error().message);
  const std::string location = base->StoreLocation();
  if (!IsPostgresUri(location)) {
    return Fail(ErrorKind::kInvalidInput,
                "--join: the central in " + options.join +
                    " keeps its data in SQLite; several centrals share one PostgreSQL "
                    "database (database = \"postgresql://...\" in its central.conf)");
  }
  auto empty = Store::IsEmpty(location);
  if (!empty) return tl::unexpected(empty.error());
  if (*empty) {
    return Fail(ErrorKind::kInvalidInput,
                "--join: the PostgreSQL database of the central in " + options.join +
                    " holds no central yet (make that one first: init --database)");
  }
  // What the centrals share, read before anything is written.
  auto from = [&](const std::string& name) { return (fs::path(options.join) / name).string(); };
  struct Shared {
    std::string name, path;
    mode_t mode;
  };
  const Shared shared[] = {{"roster-signing.key", base->signing_key, 0600},
                           {"ca.pem", from("ca.pem"), 0644},
                           {"ca.key", from("ca.key"), 0600},
                           {"admin.token", from("admin.token"), 0600}};
  std::vector<std::string> texts;
  for (const Shared& f : shared) {
    auto text = common::ReadFileCapped(f.path, 1 << 20);
    if (!text) return Fail(text.error().kind, "--join: " + text.error().message);
    texts.push_back(std::move(*text));
  }
  // The public key from the private one: the pair cannot disagree.
  auto key = common::PrivateKey::FromPem(texts[0]);
  if (!key) return Fail(key.error().kind, "--join: " + key.error().message);
  std::vector<std::string> sans = options.sans;
  sans.push_back(listen->first);
  auto tls = RenewServerCert(texts[1], texts[2], sans);
  if (!tls) return tl::unexpected(tls.error());
  if (auto ok = MakeCentralDir(options.dir); !ok) return ok;
  auto at = [&](const std::string& name) { return (fs::path(options.dir) / name).string(); };
  for (std::size_t i = 0; i < texts.size(); ++i) {
    if (auto ok = common::WriteFileAtomic(at(shared[i].name), texts[i], shared[i].mode); !ok) {
      return ok;
    }
  }
  if (auto ok = common::WriteFileAtomic(at("roster-signing.pub"), key->Public().ToPem(), 0644);
      !ok) {
    return ok;
  }
  if (auto ok = common::WriteFileAtomic(at("tls.crt"), tls->server_cert_pem + texts[1], 0644);
      !ok) {
    return ok;
  }
  if (auto ok = common::WriteFileAtomic(at("tls.key"), tls->server_key_pem, 0600); !ok) return ok;
  // DIR0's settings (what the roster says must match), DIR's own files.
  CentralConfig config = *base;
  const CentralConfig defaults;
  config.listen_host = listen->first;
  config.listen_port = listen->second;
  config.db = defaults.db;
  config.signing_key = defaults.signing_key;
  config.tls_cert = defaults.tls_cert;
  config.tls_key = defaults.tls_key;
  config.events_db = defaults.events_db;  // DIR0's own file when set (SQLite events).
  return common::WriteFileAtomic(at("central.conf"), RenderCentralConfig(config), 0640);
}

}  // namespace staffgate::central
