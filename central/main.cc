// staffgate-central: the authoritative employee status service.
//   init  --dir DIR ...        create keys, certificates, database, config
//   init  --dir DIR --join DIR0  another central for DIR0's PostgreSQL database
//   serve --config FILE        serve HTTPS
//   sign  --key K --in P --out E  sign a roster payload offline
//   cert renew [--dir DIR] [--san NAME ...]  new server certificate, same CA
//   token rotate [--dir DIR]   new admin token
//   migrate --config FILE [--to URI]  schema upgrade; or copy a SQLite
//                              central into PostgreSQL
// Exit codes: 0 success, 1 error (one line on stderr), 2 bad usage.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <string>
#include <vector>

#include "central/http/serve_command.h"
#include "central/init_command.h"
#include "central/maintenance_command.h"
#include "central/migrate_command.h"
#include "central/sign_command.h"
#include "common/cli/unknown_command.h"

namespace {

int Report(const staffgate::common::Result<void>& result) {
  if (result) return 0;
  (void)std::fprintf(stderr, "staffgate-central: %s\n", result.error().message.c_str());
  return 1;
}

// The command line's values and the subcommands that were given.
struct Commands {
  std::string key, in, out;  // sign
  staffgate::central::InitOptions init_options;
  std::string config_path;  // serve
  std::string dir = staffgate::central::kDefaultCentralDir;
  std::vector<std::string> renew_sans;
  staffgate::central::MigrateOptions migrate_options;
  CLI::App* sign = nullptr;
  CLI::App* init = nullptr;
  CLI::App* serve = nullptr;
  CLI::App* renew = nullptr;
  CLI::App* rotate = nullptr;
  CLI::App* migrate = nullptr;
};

void AddCommands(CLI::App& app, Commands& c) {
  c.sign = app.add_subcommand("sign", "Sign a roster payload file into a DSSE envelope");
  c.sign->add_option("--key", c.key, "Ed25519 private key (PKCS#8 PEM)")->required();
  c.sign->add_option("--in", c.in, "roster payload (staffgate.roster.v1 JSON)")->required();
  c.sign->add_option("--out", c.out, "envelope file to write")->required();

  auto& init_options = c.init_options;
  c.init = app.add_subcommand("init", "Create keys, certificates, database and config in DIR");
  c.init->add_option("--dir", init_options.dir, "directory to create")->required();
  c.init->add_option("--listen", init_options.listen, "HOST:PORT to serve on")
      ->default_val("127.0.0.1:8443");
  c.init->add_option("--org", init_options.organization, "organisation name for rosters");
  c.init->add_option("--san", init_options.sans, "extra DNS name or IP for the TLS certificate");
  c.init
      ->add_option("--database", init_options.database,
                   "\"sqlite\" (DIR/central.db) or an empty PostgreSQL database's URI "
                   "(no password: PGPASSFILE)")
      ->default_val("sqlite");
  auto* join = c.init->add_option("--join", init_options.join,
                                  "another central for the PostgreSQL database of the central in "
                                  "DIR0: its keys, CA, admin token and settings");
  join->excludes("--database")->excludes("--org");

  c.serve = app.add_subcommand("serve", "Serve HTTPS until SIGTERM");
  c.serve->add_option("--config", c.config_path, "central.conf")->required();

  auto* cert = app.add_subcommand("cert", "The central's TLS certificate");
  cert->require_subcommand(1);
  c.renew = cert->add_subcommand(
      "renew", "Issue a new server certificate under the same CA (workstations keep trusting it)");
  c.renew->add_option("--dir", c.dir, "the central's directory")->default_val(c.dir);
  c.renew->add_option("--san", c.renew_sans,
                      "DNS name or IP to certify (default: the current certificate's names)");
  auto* token = app.add_subcommand("token", "The admin token");
  token->require_subcommand(1);
  c.rotate = token->add_subcommand("rotate", "Replace the admin token (DIR/admin.token)");
  c.rotate->add_option("--dir", c.dir, "the central's directory")->default_val(c.dir);

  c.migrate = app.add_subcommand(
      "migrate",
      "Apply pending schema migrations; with --to, copy this stopped SQLite central into an "
      "empty PostgreSQL database and point central.conf there");
  c.migrate->add_option("--config", c.migrate_options.config, "central.conf")->required();
  c.migrate->add_option("--to", c.migrate_options.to,
                        "an empty PostgreSQL database's URI (no password: PGPASSFILE)");
}

int Run(const Commands& c) {
  if (*c.init) {
    auto done = staffgate::central::InitCentral(c.init_options);
    if (done) std::printf("initialised %s\n", c.init_options.dir.c_str());
    return Report(done);
  }
  if (*c.serve) return Report(staffgate::central::Serve(c.config_path));
  if (*c.migrate) {
    auto done = staffgate::central::MigrateCentral(c.migrate_options);
    if (done) std::printf("%s\n", done->c_str());
    return Report(done ? staffgate::common::Ok() : tl::unexpected(done.error()));
  }
  if (*c.sign) return Report(staffgate::central::SignRosterFile(c.key, c.in, c.out));
  if (*c.renew) {
    auto names = staffgate::central::RenewCertificate(c.dir, c.renew_sans);
    if (!names) return Report(tl::unexpected(names.error()));
    std::string list;
    for (const auto& n : *names) list += (list.empty() ? "" : ", ") + n;
    std::printf("renewed %s/tls.crt for %s under the same CA; restart the central to serve it\n",
                c.dir.c_str(), list.c_str());
    return 0;
  }
  if (*c.rotate) {
    auto rotated = staffgate::central::RotateAdminToken(c.dir);
    if (rotated) {
      std::printf(
          "wrote a new admin token to %s/admin.token; the running central takes it on "
          "SIGHUP (systemctl reload staffgate-central) or restart\n",
          c.dir.c_str());
    }
    return Report(rotated);
  }
  return 2;
}

}  // namespace

// A function-try-block: an exception escaping a command (out of memory,
// say) is one line on stderr and exit 1 instead of std::terminate.
int main(int argc, char** argv) try {
  CLI::App app{"staffgate-central: signed employee rosters for the staffgate fleet"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("staffgate-central ") + STAFFGATE_VERSION);
  Commands commands;
  AddCommands(app, commands);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (std::string unknown = staffgate::common::UnknownCommandSentence(app, argc, argv);
        !unknown.empty()) {
      (void)std::fprintf(stderr, "staffgate-central: %s\n", unknown.c_str());
      return 2;
    }
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  return Run(commands);
} catch (const std::exception& e) {
  (void)std::fprintf(stderr, "staffgate-central: %s\n", e.what());
  return 1;
} catch (...) {
  return 1;
}
