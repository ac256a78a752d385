// `staffgate-admin employee ...` (docs/design.md §5, uids §9).
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "central/admin/cli.h"
#include "central/admin/commands.h"

namespace staffgate::central::admin {

namespace {

struct EmployeeArgs {
  std::string id, name, groups;
  std::vector<std::string> accounts;
  std::vector<std::uint32_t> uids;
  bool json = false;
  bool one_time = false;
  bool clear = false;
  bool start_flag = false;
  int wait_s = kDefaultWaitS;
  std::string at, start;  // --at, --start (RFC 3339).
};

// A usage error for a bad --at/--start value ("" when fine); `out` gets
// the time.
std::string ScheduleUsage(const std::string& flag, const std::string& text,
                          std::optional<std::int64_t>& out) {
  if (text.empty()) return "";
  auto t = ParseScheduleTime(flag, text);
  if (!t) return t.error().message;
  out = *t;
  return "";
}

void AddEmployeeAdd(CLI::App& employee, Command& chosen) {
  auto args = std::make_shared<EmployeeArgs>();
  auto* add = employee.add_subcommand("add", "create an employee");
  add->add_option("ID", args->id, "employee id")->required();
  add->add_option("--account", args->accounts, "login account (repeatable)")->required();
  add->add_option("--groups", args->groups, "workstation groups, comma-separated (default *)");
  add->add_option("--name", args->name,
                  "full name (kept in the central unless publish_display_names)");
  add->add_option("--uid", args->uids,
                  "adopt this uid (>= 1000, never given to anyone) for the account in the same "
                  "position as --account; the others get uids from uid_range (repeatable)");
  add->add_option("--start", args->start,
                  "RFC 3339 time (e.g. 2026-12-07T08:00:00Z) before which the employee may not "
                  "sign in; must be in the future");
  auto start = std::make_shared<std::optional<std::int64_t>>();
  add->callback([args, start, &chosen] {
    chosen.usage_error = [args, start] {
      if (args->uids.size() > args->accounts.size()) {
        return std::string(
            "more --uid than --account options: each --uid belongs to the "
            "--account in the same position");
      }
      return ScheduleUsage("--start", args->start, *start);
    };
    chosen.run = [args, start](AdminClient& client) {
      return EmployeeAdd(client, args->id, args->accounts, args->groups, args->name, args->uids,
                         *start);
    };
  });
}

void AddPasswordCommands(CLI::App& employee, Command& chosen) {
  auto args = std::make_shared<EmployeeArgs>();
  auto* set = employee.add_subcommand(
      "set-password", "set a staffgate password: the first line of stdin, or --one-time");
  set->add_option("ID", args->id, "employee id")->required();
  set->add_flag("--one-time", args->one_time,
                "generate a password, print it once; it must be changed at first use");
  set->callback([args, &chosen] {
    chosen.run = [args](AdminClient& client) {
      return EmployeeSetPassword(client, args->id, args->one_time);
    };
  });
  auto unlock_args = std::make_shared<EmployeeArgs>();
  auto* unlock = employee.add_subcommand("unlock", "clear a password lockout");
  unlock->add_option("ID", unlock_args->id, "employee id")->required();
  unlock->callback([unlock_args, &chosen] {
    chosen.run = [unlock_args](AdminClient& client) {
      return EmployeeUnlock(client, unlock_args->id);
    };
  });
}

}  // namespace

void AddEmployeeCommands(CLI::App& app, Command& chosen) {
  auto* employee = app.add_subcommand("employee", "employees")->require_subcommand(1);
  AddEmployeeAdd(*employee, chosen);
  for (const char* verb : {"terminate", "suspend", "reinstate", "reset-credentials"}) {
    auto args = std::make_shared<EmployeeArgs>();
    auto* sub = employee->add_subcommand(verb, std::string(verb) + " an employee");
    sub->add_option("ID", args->id, "employee id")->required();
    if (std::string(verb) == "reset-credentials") {
      sub->add_flag("--clear", args->clear, "withdraw a reset that is no longer wanted");
    }
    if (std::string(verb) == "terminate" || std::string(verb) == "suspend") {
      sub->add_option("--at", args->at,
                      "RFC 3339 time (e.g. 2026-12-04T17:30:00Z) to " + std::string(verb) +
                          " at instead of now; agents refuse the employee from then on even "
                          "offline; cancel with `employee cancel ID`");
    }
    auto* wait =
        sub->add_option("--wait", args->wait_s,
                        "then wait up to SECONDS (default " + std::to_string(kDefaultWaitS) +
                            ") until every workstation in contact has installed the "
                            "change; exit 1 if one has not")
            ->expected(0, 1)
            ->default_str(std::to_string(kDefaultWaitS))
            ->check(CLI::Range(1, 86400));
    sub->callback([args, &chosen, verb, wait] {
      std::optional<int> wait_s;
      if (wait->count() > 0) wait_s = args->wait_s;
      auto at = std::make_shared<std::optional<std::int64_t>>();
      chosen.usage_error = [args, at] { return ScheduleUsage("--at", args->at, *at); };
      chosen.run = [args, verb, wait_s, at](AdminClient& client) {
        return EmployeeAction(client, args->id, args->clear ? "clear-credentials-reset" : verb,
                              wait_s, *at);
      };
    });
  }
  auto cancel_args = std::make_shared<EmployeeArgs>();
  auto* cancel = employee->add_subcommand(
      "cancel", "withdraw a pending terminate/suspend --at (or with --start, a pending start)");
  cancel->add_option("ID", cancel_args->id, "employee id")->required();
  cancel->add_flag("--start", cancel_args->start_flag,
                   "cancel the pending start instead: the employee may sign in at once");
  cancel->callback([cancel_args, &chosen] {
    chosen.run = [cancel_args](AdminClient& client) {
      return EmployeeCancel(client, cancel_args->id, cancel_args->start_flag);
    };
  });
  AddPasswordCommands(*employee, chosen);
  auto args = std::make_shared<EmployeeArgs>();
  auto* list = employee->add_subcommand("list", "list employees");
  list->add_flag("--json", args->json, "JSON output");
  list->callback([args, &chosen] {
    chosen.run = [args](AdminClient& client) { return EmployeeList(client, args->json); };
  });
}

}  // namespace staffgate::central::admin
