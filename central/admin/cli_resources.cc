// `staffgate-admin shared-account|workstation|posix-group ...`
// (docs/design.md §5, posix groups §9).
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "central/admin/cli.h"
#include "central/admin/commands.h"
#include "central/validation.h"

namespace staffgate::central::admin {

namespace {

struct NameArgs {
  std::string name, groups;
  std::uint32_t gid = 0;
  bool local = false;
  bool json = false;
};

// `list [--json]` for a resource whose lister takes (client, json).
void AddList(CLI::App& parent, const std::string& help, Command& chosen,
             int (*list)(AdminClient&, bool)) {
  auto args = std::make_shared<NameArgs>();
  auto* sub = parent.add_subcommand("list", help);
  sub->add_flag("--json", args->json, "JSON output");
  sub->callback([args, &chosen, list] {
    chosen.run = [args, list](AdminClient& client) { return list(client, args->json); };
  });
}

// `VERB NAME` for a command that takes (client, name).
void AddNamed(CLI::App& parent, const std::string& verb, const std::string& help, Command& chosen,
              int (*command)(AdminClient&, const std::string&)) {
  auto args = std::make_shared<NameArgs>();
  auto* sub = parent.add_subcommand(verb, help);
  sub->add_option("NAME", args->name)->required();
  sub->callback([args, &chosen, command] {
    chosen.run = [args, command](AdminClient& client) { return command(client, args->name); };
  });
}

}  // namespace

void AddSharedAccountCommands(CLI::App& app, Command& chosen) {
  auto* shared = app.add_subcommand("shared-account", "generic accounts that are always refused")
                     ->require_subcommand(1);
  AddNamed(*shared, "add", "add a shared account", chosen, SharedAdd);
  AddNamed(*shared, "remove", "remove a shared account", chosen, SharedRemove);
  AddList(*shared, "list shared accounts", chosen, SharedList);
}

void AddWorkstationCommands(CLI::App& app, Command& chosen) {
  auto* ws = app.add_subcommand("workstation", "workstations")->require_subcommand(1);
  auto args = std::make_shared<NameArgs>();
  auto* add = ws->add_subcommand("add", "register a workstation; prints its token");
  add->add_option("NAME", args->name)->required();
  add->add_option("--groups", args->groups, "groups, comma-separated");
  add->callback([args, &chosen] {
    chosen.run = [args](AdminClient& client) {
      return WorkstationAdd(client, args->name, args->groups);
    };
  });
  AddList(*ws, "list workstations", chosen, WorkstationList);
  auto set = std::make_shared<NameArgs>();
  auto* set_groups = ws->add_subcommand("set-groups", "replace a workstation's groups");
  set_groups->add_option("NAME", set->name)->required();
  set_groups->add_option("--groups", set->groups, "groups, comma-separated")->required();
  set_groups->callback([set, &chosen] {
    chosen.usage_error = [set] {
      return SplitList(set->groups, ',').empty()
                 ? std::string("--groups must name at least one group")
                 : std::string();
    };
    chosen.run = [set](AdminClient& client) {
      return WorkstationSetGroups(client, set->name, set->groups);
    };
  });
  AddNamed(*ws, "rotate-token", "give a workstation a new token (prints it; the old one stops)",
           chosen, WorkstationRotateToken);
  AddNamed(*ws, "remove", "remove a workstation (its token stops working at once)", chosen,
           WorkstationRemove);
}

void AddPosixGroupCommands(CLI::App& app, Command& chosen) {
  auto* pg = app.add_subcommand("posix-group", "Unix groups that follow the job (roles)")
                 ->require_subcommand(1);
  auto args = std::make_shared<NameArgs>();
  auto* add = pg->add_subcommand("add", "add a posix group for employees holding one of the roles");
  add->add_option("NAME", args->name, "group name")->required();
  add->add_option("--roles", args->groups, "roles (employee groups), comma-separated")->required();
  auto* gid =
      add->add_option("--gid", args->gid, "adopt this gid (default: the next of gid_range)");
  add->add_flag("--local", args->local,
                "the workstation's own group of this name (no gid in the roster)")
      ->excludes(gid);
  add->callback([args, gid, &chosen] {
    chosen.usage_error = [args] {
      return SplitList(args->groups, ',').empty()
                 ? std::string("--roles must name at least one role")
                 : std::string();
    };
    std::optional<std::uint32_t> requested;
    if (gid->count() > 0) requested = args->gid;
    chosen.run = [args, requested](AdminClient& client) {
      return PosixGroupAdd(client, args->name, requested, args->local, args->groups);
    };
  });
  AddNamed(*pg, "remove", "remove a posix group (its gid is never given again)", chosen,
           PosixGroupRemove);
  AddList(*pg, "list posix groups", chosen, PosixGroupList);
}

}  // namespace staffgate::central::admin
