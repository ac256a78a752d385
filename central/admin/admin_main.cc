// staffgate-admin: HR and IT drive the central with this (docs/design.md §5).
// Connection: --central URL --ca FILE --token-file FILE, or the variables
// STAFFGATE_CENTRAL, STAFFGATE_CA, STAFFGATE_TOKEN_FILE.
// Exit codes: 0 success, 1 error (one line on stderr), 2 bad usage.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>

#include "central/admin/admin_client.h"
#include "central/admin/commands.h"
#include "central/validation.h"
#include "common/file_util.h"
#include "common/https/https_client.h"
#include "common/terminal_text.h"

namespace {

namespace admin = staffgate::central::admin;
using staffgate::central::SplitList;

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"staffgate-admin: manage employees, shared accounts and workstations"};
  app.require_subcommand(1);
  app.fallthrough();
  app.set_version_flag("--version", std::string("staffgate-admin ") + STAFFGATE_VERSION);
  std::string central = Env("STAFFGATE_CENTRAL"), ca = Env("STAFFGATE_CA"),
              token_file = Env("STAFFGATE_TOKEN_FILE");
  app.add_option("--central", central, "central URL (https://host:port) [STAFFGATE_CENTRAL]");
  app.add_option("--ca", ca, "CA certificate of the central [STAFFGATE_CA]");
  app.add_option("--token-file", token_file, "file holding the admin token [STAFFGATE_TOKEN_FILE]");

  bool json = false;
  std::string id, name, groups, file, policy_key;
  std::vector<std::string> accounts;
  std::vector<std::uint32_t> uids;
  std::uint32_t gid = 0;
  bool local = false;
  std::uint64_t policy_value = 0;
  admin::EventFilter filter;

  auto* employee = app.add_subcommand("employee", "employees")->require_subcommand(1);
  auto* emp_add = employee->add_subcommand("add", "create an employee");
  emp_add->add_option("ID", id, "employee id")->required();
  emp_add->add_option("--account", accounts, "login account (repeatable)")->required();
  emp_add->add_option("--groups", groups, "workstation groups, comma-separated (default *)");
  emp_add->add_option("--name", name,
                      "full name (kept in the central unless publish_display_names)");
  emp_add->add_option("--uid", uids,
                      "adopt this uid (>= 1000, never given to anyone) for the account in the same "
                      "position as --account; the others get uids from uid_range (repeatable)");
  std::string action;
  for (const char* verb : {"terminate", "suspend", "reinstate", "reset-credentials"}) {
    auto* sub = employee->add_subcommand(verb, std::string(verb) + " an employee");
    sub->add_option("ID", id, "employee id")->required();
    sub->callback([&action, verb] { action = verb; });
  }
  auto* emp_list = employee->add_subcommand("list", "list employees");
  emp_list->add_flag("--json", json, "JSON output");

  auto* shared = app.add_subcommand("shared-account", "generic accounts that are always refused")->require_subcommand(1);
  auto* shared_add = shared->add_subcommand("add", "add a shared account");
  shared_add->add_option("NAME", name)->required();
  auto* shared_remove = shared->add_subcommand("remove", "remove a shared account");
  shared_remove->add_option("NAME", name)->required();
  auto* shared_list = shared->add_subcommand("list", "list shared accounts");
  shared_list->add_flag("--json", json, "JSON output");

  auto* ws = app.add_subcommand("workstation", "workstations")->require_subcommand(1);
  auto* ws_add = ws->add_subcommand("add", "register a workstation; prints its token");
  ws_add->add_option("NAME", name)->required();
  ws_add->add_option("--groups", groups, "groups, comma-separated");
  auto* ws_list = ws->add_subcommand("list", "list workstations");
  ws_list->add_flag("--json", json, "JSON output");

  auto* pg = app.add_subcommand("posix-group", "Unix groups that follow the job (roles)")
                 ->require_subcommand(1);
  auto* pg_add =
      pg->add_subcommand("add", "add a posix group for employees holding one of the roles");
  pg_add->add_option("NAME", name, "group name")->required();
  pg_add->add_option("--roles", groups, "roles (employee groups), comma-separated")->required();
  auto* pg_gid =
      pg_add->add_option("--gid", gid, "adopt this gid (default: the next of gid_range)");
  pg_add
      ->add_flag("--local", local,
                 "the workstation's own group of this name (no gid in the roster)")
      ->excludes(pg_gid);
  auto* pg_remove =
      pg->add_subcommand("remove", "remove a posix group (its gid is never given again)");
  pg_remove->add_option("NAME", name)->required();
  auto* pg_list = pg->add_subcommand("list", "list posix groups");
  pg_list->add_flag("--json", json, "JSON output");

  auto* import = app.add_subcommand("import", "upsert employees from an HR CSV export (all rows or none)");
  import->add_option("FILE", file, "employee_id,name,accounts,status,groups")->required();
  import->add_flag("--json", json, "JSON output");

  auto* events = app.add_subcommand("events", "audit events from all workstations");
  events->add_option("--since", filter.since, "30m, 1h, 7d, RFC 3339 or Unix seconds");
  events->add_option("--workstation", filter.workstation);
  events->add_option("--account", filter.account);
  events->add_option("--decision", filter.decision);
  events->add_option("--limit", filter.limit, "newest N events (default 1000)");
  events->add_flag("--json", json, "JSON output");

  auto* policy = app.add_subcommand("policy", "fleet policy")->require_subcommand(1);
  auto* policy_set = policy->add_subcommand("set", "set a policy value");
  policy_set->add_option("KEY", policy_key, "max-workstations-per-account")->required();
  policy_set->add_option("VALUE", policy_value)->required();

  auto* sessions = app.add_subcommand("sessions", "live session leases fleet-wide");
  sessions->require_subcommand(0, 1);
  sessions->add_flag("--json", json, "JSON output");
  auto* sessions_end = sessions->add_subcommand("end", "end a session lease (the account may sign in elsewhere)");
  sessions_end->add_option("ID", id, "lease id (from `sessions`)")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  if (uids.size() > accounts.size()) {
    std::fprintf(stderr,
                 "staffgate-admin: more --uid than --account options: each --uid belongs to the "
                 "--account in the same position\n");
    return 2;
  }
  if (*pg_add && SplitList(groups, ',').empty()) {
    std::fprintf(stderr, "staffgate-admin: --roles must name at least one role\n");
    return 2;
  }
  if (central.empty() || token_file.empty()) {
    std::fprintf(stderr, "staffgate-admin: --central and --token-file (or STAFFGATE_CENTRAL and "
                         "STAFFGATE_TOKEN_FILE) are required\n");
    return 2;
  }
  auto token = staffgate::common::ReadSecretFile(token_file, 4096);
  if (!token) {
    std::fprintf(stderr, "staffgate-admin: %s\n",
                 staffgate::common::EscapeForTerminal(token.error().message).c_str());
    return 1;
  }
  while (!token->empty() && (token->back() == '\n' || token->back() == '\r' || token->back() == ' ')) token->pop_back();
  staffgate::common::HttpsGlobal https;
  admin::AdminClient client(central, ca, *token);

  int rc = 2;
  if (*emp_add)
    rc = admin::EmployeeAdd(client, id, accounts, groups, name, uids);
  else if (!action.empty()) rc = admin::EmployeeAction(client, id, action);
  else if (*emp_list) rc = admin::EmployeeList(client, json);
  else if (*shared_add) rc = admin::SharedAdd(client, name);
  else if (*shared_remove) rc = admin::SharedRemove(client, name);
  else if (*shared_list) rc = admin::SharedList(client, json);
  else if (*ws_add) rc = admin::WorkstationAdd(client, name, groups);
  else if (*ws_list) rc = admin::WorkstationList(client, json);
  else if (*pg_add) {
    std::optional<std::uint32_t> requested;
    if (pg_gid->count() > 0) requested = gid;
    rc = admin::PosixGroupAdd(client, name, requested, local, groups);
  } else if (*pg_remove)
    rc = admin::PosixGroupRemove(client, name);
  else if (*pg_list)
    rc = admin::PosixGroupList(client, json);
  else if (*import) rc = admin::Import(client, file, json);
  else if (*events) rc = admin::Events(client, filter, json);
  else if (*policy_set) rc = admin::PolicySet(client, policy_key, policy_value);
  else if (*sessions_end) rc = admin::SessionEnd(client, id);
  else if (*sessions)
    rc = admin::Sessions(client, json);
  return rc;
}
