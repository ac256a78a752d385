// staffgate-central: the authoritative employee status service.
//   init  --dir DIR ...        create keys, certificates, database, config
//   serve --config FILE        serve HTTPS
//   sign  --key K --in P --out E  sign a roster payload offline
//   cert renew [--dir DIR] [--san NAME ...]  new server certificate, same CA
//   token rotate [--dir DIR]   new admin token
// Exit codes: 0 success, 1 error (one line on stderr), 2 bad usage.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <string>

#include "central/http/serve_command.h"
#include "central/init_command.h"
#include "central/maintenance_command.h"
#include "central/sign_command.h"
#include "common/cli/unknown_command.h"

namespace {

int Report(const staffgate::common::Result<void>& result) {
  if (result) return 0;
  (void)std::fprintf(stderr, "staffgate-central: %s\n", result.error().message.c_str());
  return 1;
}

}  // namespace

// A function-try-block: an exception escaping a command (out of memory,
// say) is one line on stderr and exit 1 instead of std::terminate.
int main(int argc, char** argv) try {
  CLI::App app{"staffgate-central: signed employee rosters for the staffgate fleet"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("staffgate-central ") + STAFFGATE_VERSION);

  std::string key;
  std::string in;
  std::string out;
  auto* sign = app.add_subcommand("sign", "Sign a roster payload file into a DSSE envelope");
  sign->add_option("--key", key, "Ed25519 private key (PKCS#8 PEM)")->required();
  sign->add_option("--in", in, "roster payload (staffgate.roster.v1 JSON)")->required();
  sign->add_option("--out", out, "envelope file to write")->required();

  staffgate::central::InitOptions init_options;
  auto* init = app.add_subcommand("init", "Create keys, certificates, database and config in DIR");
  init->add_option("--dir", init_options.dir, "directory to create")->required();
  init->add_option("--listen", init_options.listen, "HOST:PORT to serve on")
      ->default_val("127.0.0.1:8443");
  init->add_option("--org", init_options.organization, "organisation name for rosters");
  init->add_option("--san", init_options.sans, "extra DNS name or IP for the TLS certificate");
  init->add_option("--database", init_options.database,
                   "\"sqlite\" (DIR/central.db) or an empty PostgreSQL database's URI "
                   "(no password: PGPASSFILE)")
      ->default_val("sqlite");

  std::string config_path;
  auto* serve = app.add_subcommand("serve", "Serve HTTPS until SIGTERM");
  serve->add_option("--config", config_path, "central.conf")->required();

  std::string dir = staffgate::central::kDefaultCentralDir;
  std::vector<std::string> renew_sans;
  auto* cert = app.add_subcommand("cert", "The central's TLS certificate");
  cert->require_subcommand(1);
  auto* renew = cert->add_subcommand(
      "renew", "Issue a new server certificate under the same CA (workstations keep trusting it)");
  renew->add_option("--dir", dir, "the central's directory")->default_val(dir);
  renew->add_option("--san", renew_sans,
                    "DNS name or IP to certify (default: the current certificate's names)");
  auto* token = app.add_subcommand("token", "The admin token");
  token->require_subcommand(1);
  auto* rotate = token->add_subcommand("rotate", "Replace the admin token (DIR/admin.token)");
  rotate->add_option("--dir", dir, "the central's directory")->default_val(dir);

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
  if (*init) {
    auto done = staffgate::central::InitCentral(init_options);
    if (done) std::printf("initialised %s\n", init_options.dir.c_str());
    return Report(done);
  }
  if (*serve) return Report(staffgate::central::Serve(config_path));
  if (*sign) return Report(staffgate::central::SignRosterFile(key, in, out));
  if (*renew) {
    auto names = staffgate::central::RenewCertificate(dir, renew_sans);
    if (!names) return Report(tl::unexpected(names.error()));
    std::string list;
    for (const auto& n : *names) list += (list.empty() ? "" : ", ") + n;
    std::printf("renewed %s/tls.crt for %s under the same CA; restart the central to serve it\n",
                dir.c_str(), list.c_str());
    return 0;
  }
  if (*rotate) {
    auto rotated = staffgate::central::RotateAdminToken(dir);
    if (rotated) {
      std::printf(
          "wrote a new admin token to %s/admin.token; the running central takes it on "
          "SIGHUP (systemctl reload staffgate-central) or restart\n",
          dir.c_str());
    }
    return Report(rotated);
  }
  return 2;
} catch (const std::exception& e) {
  (void)std::fprintf(stderr, "staffgate-central: %s\n", e.what());
  return 1;
} catch (...) {
  return 1;
}
