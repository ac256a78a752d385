// staffgate-admin's command line, one registration function per resource
// (docs/design.md §5). Each adds its subcommands to the app; the one the user
// picked fills `Command` from its parse callback. main() then checks usage,
// connects and runs it, so every command shares one connection path.
// Not thread-safe (CLI11 parse state); used once per process.
#ifndef STAFFGATE_CENTRAL_ADMIN_CLI_H_
#define STAFFGATE_CENTRAL_ADMIN_CLI_H_

#include <CLI/CLI.hpp>
#include <functional>
#include <string>

#include "central/admin/admin_client.h"

namespace staffgate::central::admin {

struct Command {
  // A usage mistake CLI11 cannot express (one sentence; exit 2), or "".
  std::function<std::string()> usage_error = [] { return std::string(); };
  // Runs against the central; returns the exit code (0, or 1 after printing
  // one line on stderr). Empty until a subcommand was chosen.
  std::function<int(AdminClient&)> run;
};

void AddEmployeeCommands(CLI::App& app, Command& chosen);
void AddSharedAccountCommands(CLI::App& app, Command& chosen);
void AddWorkstationCommands(CLI::App& app, Command& chosen);
void AddPosixGroupCommands(CLI::App& app, Command& chosen);
// admin add|list|remove|reset-password, actions (cli_admins.cc).
void AddAdminCommands(CLI::App& app, Command& chosen);
// import, events, policy, sessions, rollout.
void AddFleetCommands(CLI::App& app, Command& chosen);
// report leaver ID [--format F] (report_command.cc).
void AddReportCommands(CLI::App& app, Command& chosen);

}  // namespace staffgate::central::admin

#endif  // STAFFGATE_CENTRAL_ADMIN_CLI_H_
