// staffgatectl [--config FILE | --socket PATH] COMMAND (docs/design.md §5).
// Exit codes: see commands.h; 2 for bad usage.
#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <string>

#include "agent/config/agent_config.h"
#include "agent/ctl/commands.h"
#include "agent/sync/enroll.h"
#include "common/cli/unknown_command.h"
#include "common/https/https_client.h"

namespace {

using staffgate::agent::CtlContext;

// The agent we talk to must run as the owner of its config: root for
// /etc/staffgate/agent.conf; the test user for a test's temporary config.
// With --socket the caller says exactly what it connects to: no check.
CtlContext MakeContext(const std::string& config_path, const std::string& socket_path) {
  CtlContext ctx;
  if (!socket_path.empty()) {
    ctx.client.socket_path = socket_path;
    ctx.client.agent_uid = std::nullopt;
    return ctx;
  }
  auto config = staffgate::agent::LoadAgentConfig(config_path);
  if (!config) {
    ctx.config_error = config.error().message;
    ctx.client.socket_path = staffgate::common::kDefaultSocketPath;
    ctx.client.agent_uid = 0;
    return ctx;
  }
  struct stat st {};
  ctx.client.agent_uid = stat(config_path.c_str(), &st) == 0 ? st.st_uid : 0;
  ctx.client.socket_path = config->socket;
  ctx.config = std::move(*config);
  return ctx;
}

// `staffgatectl enroll` and its options, filled into `options`.
CLI::App* AddEnroll(CLI::App& app, staffgate::agent::EnrollOptions& options) {
  auto* enroll = app.add_subcommand("enroll", "enroll this workstation with a central (root)");
  enroll
      ->add_option("--central", options.central_urls,
                   "https://HOST:PORT; repeat for several centrals, in order of preference")
      ->required()
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  enroll->add_option("--token-file", options.token_file, "the workstation token")->required();
  enroll->add_option("--ca", options.ca_file, "the central's CA certificate (PEM)")->required();
  enroll->add_option("--roster-key", options.roster_key_file,
                     "pin this roster signing key instead of fetching it");
  enroll->add_option("--workstation", options.workstation,
                     "checked against the name the central registered the token under (the name "
                     "always comes from the central)");
  enroll->add_option("--key-out", options.key_path,
                     "where to write the trusted key (default: beside the config)");
  return enroll;
}

// The trusted key goes beside the config unless --key-out says otherwise.
std::string DefaultKeyPath(const std::string& config_path) {
  auto slash = config_path.rfind('/');
  return (slash == std::string::npos ? std::string(".") : config_path.substr(0, slash)) +
         "/roster-signing.pub";
}

}  // namespace

// A function-try-block: an exception escaping a command (out of memory, say)
// is one line on stderr and exit 1 instead of std::terminate.
int main(int argc, char** argv) try {
  CLI::App app{"staffgatectl: inspect and control the staffgate agent"};
  app.require_subcommand(1);
  std::string config_path = staffgate::agent::kDefaultAgentConfigPath;
  std::string socket_path;
  auto* config_opt = app.add_option("--config", config_path, "agent configuration file");
  app.add_option("--socket", socket_path, "agent socket (skips the config)")->excludes(config_opt);
  app.set_version_flag("--version", "staffgatectl " STAFFGATE_VERSION);

  bool json = false;
  auto* status = app.add_subcommand("status", "show the agent's state");
  status->add_flag("--json", json, "print the agent's JSON answer");

  std::string account;
  std::string phase = "account";
  std::string service = "staffgatectl";
  auto* check = app.add_subcommand("check", "show the decision for an account");
  check->add_option("ACCOUNT", account, "account name")->required();
  check->add_option("--phase", phase, "auth, account or session")
      ->check(CLI::IsMember({"auth", "account", "session"}));
  check->add_option("--service", service, "PAM service name");
  check->add_flag("--json", json, "print the agent's JSON answer");

  auto* sessions = app.add_subcommand("sessions", "open sessions known to the agent (root)");
  sessions->add_flag("--json", json, "print the agent's JSON answer");

  auto* id = app.add_subcommand("id", "show an account's NSS identity and groups here");
  id->add_option("ACCOUNT", account, "account name")->required();

  std::string file;
  auto* roster = app.add_subcommand("roster", "roster commands");
  roster->require_subcommand(1);
  auto* install = roster->add_subcommand("install", "verify and install a roster envelope (root)");
  install->add_option("FILE", file, "DSSE envelope file")->required();

  auto* sync = app.add_subcommand("sync", "sync with the central now (root)");

  staffgate::agent::EnrollOptions enroll_options;
  auto* enroll = AddEnroll(app, enroll_options);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (std::string unknown = staffgate::common::UnknownCommandSentence(app, argc, argv);
        !unknown.empty()) {
      (void)std::fprintf(stderr, "staffgatectl: %s\n", unknown.c_str());
      return staffgate::agent::kExitUsage;
    }
    int rc = app.exit(e);
    return rc == 0 ? 0 : staffgate::agent::kExitUsage;
  }

  staffgate::common::HttpsGlobal https;
  CtlContext ctx = MakeContext(config_path, socket_path);
  if (status->parsed()) return staffgate::agent::CmdStatus(ctx, json);
  if (check->parsed()) return staffgate::agent::CmdCheck(ctx, account, phase, service, json);
  if (sessions->parsed()) return staffgate::agent::CmdSessions(ctx, json);
  if (id->parsed()) return staffgate::agent::CmdId(ctx, account);
  if (install->parsed()) return staffgate::agent::CmdRosterInstall(ctx, file);
  if (sync->parsed()) return staffgate::agent::CmdSync(ctx);
  if (enroll->parsed()) {
    enroll_options.config_path = config_path;
    if (enroll_options.key_path.empty()) enroll_options.key_path = DefaultKeyPath(config_path);
    return staffgate::agent::CmdEnroll(ctx, enroll_options);
  }
  return staffgate::agent::kExitUsage;
} catch (const std::exception& e) {
  (void)std::fprintf(stderr, "staffgatectl: %s\n", e.what());
  return staffgate::agent::kExitFailed;
} catch (...) {
  return staffgate::agent::kExitFailed;
}
