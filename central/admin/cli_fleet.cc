// `staffgate-admin import|events|policy|sessions|rollout` (docs/design.md §5,
// §11).
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "central/admin/cli.h"
#include "central/admin/commands.h"

namespace staffgate::central::admin {

namespace {

void AddImport(CLI::App& app, Command& chosen) {
  auto args = std::make_shared<ImportArgs>();
  auto* import =
      app.add_subcommand("import", "upsert employees from an HR CSV export (all rows or none)");
  import
      ->add_option("FILE", args->file,
                   "CSV with the header employee_id,name,accounts,status,groups")
      ->required();
  import
      ->add_option("--missing", args->missing,
                   "active or suspended employees not in the file: report (default), "
                   "suspend or terminate them")
      ->check(CLI::IsMember({"report", "suspend", "terminate"}));
  import->add_flag("--allow-reactivate", args->allow_reactivate,
                   "let the file make terminated employees active again");
  import->add_flag("--dry-run", args->dry_run, "print what would change; change nothing");
  import->add_flag("--json", args->json, "JSON output");
  import->callback([args, &chosen] {
    chosen.run = [args](AdminClient& client) { return Import(client, *args);
};
}  // namespace
);
}  // namespace staffgate::central::admin

void AddEvents(CLI::App& app, Command& chosen) {
  struct Args {
    EventFilter filter;
    bool json = false;
  };
  auto args = std::make_shared<Args>();
  auto* events = app.add_subcommand("events", "audit events from all workstations");
  events->add_option("--since", args->filter.since, "30m, 1h, 7d, RFC 3339 or Unix seconds");
  events->add_option("--workstation", args->filter.workstation);
  events->add_option("--account", args->filter.account);
  events->add_option("--decision", args->filter.decision);
  events->add_option("--limit", args->filter.limit, "newest N events (default 1000)");
  events->add_flag("--json", args->json, "JSON output");
  events->callback([args, &chosen] {
    chosen.run = [args](AdminClient& client) { return Events(client, args->filter, args->json); };
  });
}

void AddPolicy(CLI::App& app, Command& chosen) {
  struct Args {
    std::string key;
    std::uint64_t value = 0;
  };
  auto args = std::make_shared<Args>();
  auto* policy = app.add_subcommand("policy", "fleet policy")->require_subcommand(1);
  auto* set = policy->add_subcommand("set", "set a policy value");
  set->add_option("KEY", args->key, "max-workstations-per-account")->required();
  set->add_option("VALUE", args->value)->required();
  set->callback([args, &chosen] {
    chosen.run = [args](AdminClient& client) { return PolicySet(client, args->key, args->value); };
  });
}

void AddSessions(CLI::App& app, Command& chosen) {
  struct Args {
    std::string id, account, workstation;
    bool json = false;
  };
  auto args = std::make_shared<Args>();
  auto* sessions = app.add_subcommand("sessions", "live session leases fleet-wide");
  sessions->require_subcommand(0, 1);
  sessions->add_flag("--json", args->json, "JSON output");
  auto* end = sessions->add_subcommand(
      "end",
      "end session leases and their sessions on the workstations (the account may sign in again)");
  auto* id = end->add_option("ID", args->id, "lease id (from `sessions`)");
  auto* account = end->add_option("--account", args->account, "every lease of this account");
  auto* workstation =
      end->add_option("--workstation", args->workstation, "every lease on this workstation");
  // The parent's callback runs after its subcommand's: keep `end` if chosen.
  sessions->callback([args, end, id, account, workstation, &chosen] {
    if (!*end) {
      chosen.run = [args](AdminClient& client) { return Sessions(client, args->json); };
      return;
    }
    // Given but blank stays present: the central refuses it, naming it.
    SessionSelector selector;
    if (id->count() > 0) selector.id = args->id;
    if (account->count() > 0) selector.account = args->account;
    if (workstation->count() > 0) selector.workstation = args->workstation;
    chosen.run = [selector](AdminClient& client) { return SessionEnd(client, selector); };
  });
}

void AddRollout(CLI::App& app, Command& chosen) {
  struct Args {
    std::uint64_t serial = 0;
    bool json = false;
  };
  auto args = std::make_shared<Args>();
  auto* rollout = app.add_subcommand(
      "rollout", "which workstations have installed a roster serial (confirmed on N of M)");
  auto* serial =
      rollout->add_option("SERIAL", args->serial, "roster serial (default: the current one)")
          ->check(CLI::Range(std::uint64_t{1}, UINT64_MAX));
  rollout->add_flag("--json", args->json, "JSON output");
  rollout->callback([args, serial, &chosen] {
    std::optional<std::uint64_t> which;
    if (serial->count() > 0) which = args->serial;
    chosen.run = [args, which](AdminClient& client) { return Rollout(client, which, args->json); };
  });
}

}  // namespace

void AddFleetCommands(CLI::App& app, Command& chosen) {
  AddImport(app, chosen);
  AddEvents(app, chosen);
  AddPolicy(app, chosen);
  AddSessions(app, chosen);
  AddRollout(app, chosen);
}

}  // namespace staffgate::central::admin
