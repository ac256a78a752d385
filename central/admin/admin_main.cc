// staffgate-admin: HR and IT drive the central with this (docs/design.md §5).
// Connection: --central URL --ca FILE --token-file FILE, or the variables
// STAFFGATE_CENTRAL, STAFFGATE_CA, STAFFGATE_TOKEN_FILE.
// Exit codes: 0 success, 1 error (one line on stderr), 2 bad usage.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <utility>

#include "central/admin/admin_client.h"
#include "central/admin/cli.h"
#include "common/cli/unknown_command.h"
#include "common/file_util.h"
#include "common/https/https_client.h"
#include "common/terminal_text.h"

namespace {

namespace admin = staffgate::central::admin;

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr ? v : "";
}

// Checks the connection settings and reads the admin token; nullopt after
// printing why (`rc` set to the exit code).
std::optional<std::string> ReadToken(const std::string& central, const std::string& token_file,
                                     int& rc) {
  if (central.empty() || token_file.empty()) {
    (void)std::fprintf(stderr,
                       "staffgate-admin: --central and --token-file (or STAFFGATE_CENTRAL and "
                       "STAFFGATE_TOKEN_FILE) are required\n");
    rc = 2;
    return std::nullopt;
  }
  auto token = staffgate::common::ReadSecretFile(token_file, 4096);
  if (!token) {
    (void)std::fprintf(stderr, "staffgate-admin: %s\n",
                       staffgate::common::EscapeForTerminal(token.error().message).c_str());
    rc = 1;
    return std::nullopt;
  }
  while (!token->empty() &&
         (token->back() == '\n' || token->back() == '\r' || token->back() == ' ')) {
    token->pop_back();
  }
  return std::move(*token);
}

}  // namespace

// A function-try-block: an exception escaping a command (out of memory,
// say) is one line on stderr and exit 1 instead of std::terminate.
int main(int argc, char** argv) try {
  CLI::App app{"staffgate-admin: manage employees, shared accounts and workstations"};
  app.require_subcommand(1);
  app.fallthrough();
  app.set_version_flag("--version", std::string("staffgate-admin ") + STAFFGATE_VERSION);
  std::string central = Env("STAFFGATE_CENTRAL");
  std::string ca = Env("STAFFGATE_CA");
  std::string token_file = Env("STAFFGATE_TOKEN_FILE");
  app.add_option("--central", central, "central URL (https://host:port) [STAFFGATE_CENTRAL]");
  app.add_option("--ca", ca, "CA certificate of the central [STAFFGATE_CA]");
  app.add_option("--token-file", token_file, "file holding the admin token [STAFFGATE_TOKEN_FILE]");
  int timeout_s = admin::kTotalTimeoutS;
  app.add_option("--timeout", timeout_s, "seconds to wait for the central's answer (default 120)")
      ->check(CLI::Range(1, 3600));

  admin::Command chosen;
  admin::AddEmployeeCommands(app, chosen);
  admin::AddSharedAccountCommands(app, chosen);
  admin::AddWorkstationCommands(app, chosen);
  admin::AddPosixGroupCommands(app, chosen);
  admin::AddFleetCommands(app, chosen);
  admin::AddAdminCommands(app, chosen);
  admin::AddReportCommands(app, chosen);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (std::string unknown = staffgate::common::UnknownCommandSentence(app, argc, argv);
        !unknown.empty()) {
      (void)std::fprintf(stderr, "staffgate-admin: %s\n", unknown.c_str());
      return 2;
    }
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  if (!chosen.run) return 2;
  if (std::string usage = chosen.usage_error(); !usage.empty()) {
    (void)std::fprintf(stderr, "staffgate-admin: %s\n", usage.c_str());
    return 2;
  }
  int rc = 0;
  auto token = ReadToken(central, token_file, rc);
  if (!token) return rc;
  staffgate::common::HttpsGlobal https;
  admin::AdminClient client(central, ca, *token, timeout_s);
  return chosen.run(client);
} catch (const std::exception& e) {
  (void)std::fprintf(stderr, "staffgate-admin: %s\n", e.what());
  return 1;
} catch (...) {
  return 1;
}
