#include "central/roster_builder.h"

#include "common/json_util.h"
#include "common/roster.h"

namespace staffgate::central {

std::string BuildRosterPayload(const State& state, std::uint64_t serial,
                               common::UnixSeconds issued_at, common::UnixSeconds expires_at,
                               const RosterBuildOptions& options) {
  using common::Json;
  Json employees = Json::array();
  for (const auto& [id, e] : state.employees) {
    Json obj = {{"id", id},
                {"status", common::EmployeeStatusName(e.status)},
                {"accounts", e.accounts},
                {"groups", e.groups}};
    if (e.credentials_reset_after) {
      obj["credentials_reset_after"] = common::FormatRfc3339(*e.credentials_reset_after);
    }
    // Only for staffgate passwords: agents compare credentials_reset_after
    // with it instead of the local shadow (docs/design.md §3 row 10).
    if (auto pw = state.passwords.find(id); pw != state.passwords.end()) {
      obj["credentials_changed_at"] = common::FormatRfc3339(pw->second.changed_at);
    }
    if (!e.uids.empty()) {
      Json posix = Json::object();
      for (const auto& [account, uid] : e.uids) posix[account] = {{"uid", uid}};
      obj["posix"] = std::move(posix);
    }
    if (options.publish_display_names && !e.name.empty()) obj["display_name"] = e.name;
    // Scheduled changes (docs/design.md §11): agents enforce them offline.
    if (e.valid_from) obj["valid_from"] = common::FormatRfc3339(*e.valid_from);
    if (e.pending) obj["valid_until"] = common::FormatRfc3339(e.pending->at);
    employees.push_back(std::move(obj));
  }
  Json workstations = Json::object();
  for (const auto& [name, w] : state.workstations) workstations[name] = {{"groups", w.groups}};
  Json posix_groups = Json::object();
  for (const auto& [name, g] : state.posix_groups) {
    Json obj = {{"roles", g.roles}};
    if (g.gid) obj["gid"] = *g.gid;
    posix_groups[name] = std::move(obj);
  }
  Json payload = {
      {"schema", common::kRosterSchema},
      {"serial", serial},
      {"issued_at", common::FormatRfc3339(issued_at)},
      {"expires_at", common::FormatRfc3339(expires_at)},
      {"organization", options.organization},
      {"employees", std::move(employees)},
      {"shared_accounts", Json(state.shared_accounts)},
      {"workstations", std::move(workstations)},
      {"policy", {{"max_workstations_per_account", state.max_workstations_per_account}}},
      {"posix_groups", std::move(posix_groups)}};
  return common::DumpJson(payload) + "\n";
}

}  // namespace staffgate::central
