// `staffgate-admin admin add|list|remove|reset-password` and `actions`
// (docs/design.md §11): administrators' accounts and the action journal.
#include <algorithm>
#include <cstdio>
#include <ctime>
#include <memory>
#include <set>
#include <string>

#include "central/admin/cli.h"
#include "central/admin/commands.h"
#include "central/admin/output.h"
#include "central/admin/table.h"

namespace staffgate::central::admin {

using common::Json;

namespace {

struct AdminArgs {
  std::string name, role, since;
  std::size_t limit = 1000;
  bool json = false;
};

// The one-time password alone on stdout (scripts read it from there), what
// it is on stderr.
int PrintPassword(const common::Result<Json>& answer, const std::string& what) {
  if (!answer) return Failed(answer.error());
  (void)std::fprintf(stderr, "%s; its one-time password (change it at the first sign-in):\n",
                     Safe(what).c_str());
  std::printf("%s\n", Safe(Str(*answer, "password")).c_str());
  return 0;
}

int AdminAdd(AdminClient& client, const AdminArgs& args) {
  Json body = {{"name", args.name}, {"role", args.role}};
  return PrintPassword(client.Call("POST", "/v1/admin/admins", common::DumpJson(body)),
                       "added administrator " + args.name + " (" + args.role + ")");
}

int AdminResetPassword(AdminClient& client, const AdminArgs& args) {
  return PrintPassword(
      client.Call("POST", "/v1/admin/admins/" + UrlEncode(args.name) + "/reset-password", "{}"),
      "new password for administrator " + args.name);
}

int AdminRemove(AdminClient& client, const AdminArgs& args) {
  auto answer = client.Call("DELETE", "/v1/admin/admins/" + UrlEncode(args.name));
  if (!answer) return Failed(answer.error());
  std::printf("removed administrator %s\n", Safe(args.name).c_str());
  return 0;
}

int AdminList(AdminClient& client, const AdminArgs& args) {
  auto answer = client.Call("GET", "/v1/admin/admins");
  if (!answer) return Failed(answer.error());
  if (args.json) return PrintJson((*answer)["admins"]), 0;
  std::vector<std::vector<std::string>> rows;
  for (const Json& a : (*answer)["admins"]) {
    rows.push_back({Str(a, "name"), Str(a, "role"), Str(a, "created_at"),
                    a.value("must_change_password", false) ? "yes" : "no", Str(a, "locked_until")});
  }
  (void)std::fputs(
      RenderTable({"NAME", "ROLE", "CREATED", "MUST CHANGE PASSWORD", "LOCKED UNTIL"}, rows)
          .c_str(),
      stdout);
  return 0;
}

// The kinds a journal entry names when it changed several objects
// (journal/state_diff.h); one object's entry holds its fields alone.
bool Nested(const Json& side) {
  static const std::set<std::string> kKinds = {
      "employees", "passwords", "workstations", "posix_groups",    "shared_accounts",
      "policy",    "admins",    "sessions",     "password_lockout"};
  if (!side.is_object() || side.empty()) return false;
  const auto items = side.items();
  return std::all_of(items.begin(), items.end(),
                     [](const auto& item) { return kKinds.contains(item.key()); });
}

// "status: "active" -> "terminated"", "added", "removed" for one object.
std::string Fields(const Json& was, const Json& now) {
  if (was.is_null() && !now.is_null()) return "added";
  if (now.is_null()) return "removed";
  std::string out;
  for (const auto& [field, value] : now.items()) {
    out += (out.empty() ? "" : ", ") + field + ": " + common::DumpJson(was.value(field, Json())) +
           " -> " + common::DumpJson(value);
  }
  return out;
}

// What changed, one line for the table (cut at 160 characters).
std::string Summary(const Json& before, const Json& after) {
  std::string out;
  if (!Nested(before) && !Nested(after)) {
    out = Fields(before, after);
  } else {
    for (const auto& [kind, objects] : after.items()) {
      for (const auto& [key, fields] : objects.items()) {
        const Json was = before.value(kind, Json::object()).value(key, Json());
        if (!out.empty()) out += "; ";
        out += kind;
        out += "/";
        out += key;
        out += " ";
        out += Fields(was, fields);
      }
    }
  }
  constexpr std::size_t kMax = 160;
  if (out.size() > kMax) out = out.substr(0, kMax - 3) + "...";
  return out;
}

int Actions(AdminClient& client, const AdminArgs& args) {
  std::string query = "?limit=" + std::to_string(args.limit);
  if (!args.since.empty()) {
    auto since = ParseSince(args.since, static_cast<std::int64_t>(std::time(nullptr)));
    if (!since) return Failed(since.error());
    query += "&since=" + std::to_string(*since);
  }
  auto answer = client.Call("GET", "/v1/admin/actions" + query);
  if (!answer) return Failed(answer.error());
  if (args.json) return PrintJson((*answer)["actions"]), 0;
  std::vector<std::vector<std::string>> rows;
  for (const Json& a : (*answer)["actions"]) {
    rows.push_back({Str(a, "time"), Str(a, "who"), Str(a, "from"), Str(a, "action"),
                    Str(a, "target"),
                    Summary(a.value("before", Json::object()), a.value("after", Json::object()))});
  }
  (void)std::fputs(RenderTable({"TIME", "WHO", "FROM", "ACTION", "TARGET", "CHANGE"}, rows).c_str(),
                   stdout);
  return 0;
}

// Registers `VERB` on `parent`, running `run` with the parsed args.
CLI::App* Sub(CLI::App& parent, const std::string& verb, const std::string& help, Command& chosen,
              const std::shared_ptr<AdminArgs>& args, int (*run)(AdminClient&, const AdminArgs&)) {
  auto* sub = parent.add_subcommand(verb, help);
  sub->callback([args, &chosen, run] {
    chosen.run = [args, run](AdminClient& client) { return run(client, *args); };
  });
  return sub;
}

}  // namespace

void AddAdminCommands(CLI::App& app, Command& chosen) {
  auto args = std::make_shared<AdminArgs>();
  auto* admin = app.add_subcommand("admin", "administrators of the central and the console")
                    ->require_subcommand(1);
  auto* add = Sub(*admin, "add", "add an administrator; prints a one-time password", chosen, args,
                  AdminAdd);
  add->add_option("NAME", args->name)->required();
  add->add_option("--role", args->role, "owner, hr, it or auditor")->required();
  Sub(*admin, "list", "administrators and their roles", chosen, args, AdminList)
      ->add_flag("--json", args->json, "JSON output");
  Sub(*admin, "remove", "remove an administrator", chosen, args, AdminRemove)
      ->add_option("NAME", args->name)
      ->required();
  Sub(*admin, "reset-password", "give an administrator a new one-time password", chosen, args,
      AdminResetPassword)
      ->add_option("NAME", args->name)
      ->required();
  auto* actions =
      Sub(app, "actions", "the journal of administrative changes", chosen, args, Actions);
  actions->add_option("--since", args->since, "30m, 1h, 2d, RFC 3339 or Unix seconds");
  actions->add_option("--limit", args->limit, "newest N entries (default 1000)");
  actions->add_flag("--json", args->json, "JSON output");
}

}  // namespace staffgate::central::admin
