#include "central/roster_builder.h"

#include "common/json_util.h"
#include "common/roster.h"

namespace staffgate::central {

std::string BuildRosterPayload(const State& state, std::uint64_t serial,
                               common::UnixSeconds issued_at, common::UnixSeconds expires_at,
                               const std::string& organization) {
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
    employees.push_back(std::move(obj));
  }
  Json workstations = Json::object();
  for (const auto& [name, w] : state.workstations) workstations[name] = {{"groups", w.groups}};
  Json payload = {{"schema", common::kRosterSchema},
                  {"serial", serial},
                  {"issued_at", common::FormatRfc3339(issued_at)},
                  {"expires_at", common::FormatRfc3339(expires_at)},
                  {"organization", organization},
                  {"employees", std::move(employees)},
                  {"shared_accounts", Json(state.shared_accounts)},
                  {"workstations", std::move(workstations)},
                  {"policy", {{"max_workstations_per_account", state.max_workstations_per_account}}}};
  return common::DumpJson(payload) + "\n";
}

}  // namespace staffgate::central
