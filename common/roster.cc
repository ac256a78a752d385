#include "common/roster.h"

#include <algorithm>
#include <utility>

#include "common/envelope.h"
#include "common/json_util.h"
#include "common/roster_posix.h"

namespace staffgate::common {
namespace {

Result<std::vector<std::string>> StringList(const Json& obj, const char* key,
                                            std::vector<std::string> fallback) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return fallback;
  if (!it->is_array())
    return Fail(ErrorKind::kInvalidInput, std::string("\"") + key + "\" must be an array");
  std::vector<std::string> out;
  out.reserve(it->size());
  for (const Json& v : *it) {
    if (!v.is_string()) {
      return Fail(ErrorKind::kInvalidInput, std::string("\"") + key + "\" must hold strings");
    }
    out.push_back(v.get<std::string>());
  }
  return out;
}

Result<Employee> ParseEmployee(const Json& e) {
  if (!e.is_object()) return Fail(ErrorKind::kInvalidInput, "employee entry is not an object");
  Employee emp;
  auto id = GetString(e, "id");
  if (!id) return tl::unexpected(id.error());
  emp.id = std::move(*id);
  auto status_name = GetString(e, "status");
  if (!status_name)
    return Fail(ErrorKind::kInvalidInput,
                "employee " + emp.id + ": " + status_name.error().message);
  auto status = ParseEmployeeStatus(*status_name);
  if (!status) {
    return Fail(ErrorKind::kInvalidInput,
                "employee " + emp.id + ": unknown status '" + *status_name + "'");
  }
  emp.status = *status;
  auto accounts = StringList(e, "accounts", {});
  if (!accounts)
    return Fail(ErrorKind::kInvalidInput, "employee " + emp.id + ": " + accounts.error().message);
  emp.accounts = std::move(*accounts);
  auto groups = StringList(e, "groups", {"*"});
  if (!groups)
    return Fail(ErrorKind::kInvalidInput, "employee " + emp.id + ": " + groups.error().message);
  emp.groups = std::move(*groups);
  for (auto [key, field] :
       {std::pair{"credentials_reset_after", &emp.credentials_reset_after},
        std::pair{"credentials_changed_at", &emp.credentials_changed_at},
        std::pair{"valid_from", &emp.valid_from}, std::pair{"valid_until", &emp.valid_until}}) {
    auto text = GetOptionalString(e, key);
    if (!text)
      return Fail(ErrorKind::kInvalidInput, "employee " + emp.id + ": " + text.error().message);
    if (!*text) continue;
    auto t = ParseRfc3339(**text);
    if (!t) {
      return Fail(ErrorKind::kInvalidInput,
                  "employee " + emp.id + ": \"" + key + "\": " + t.error().message);
    }
    *field = *t;
  }
  if (auto posix = ParseEmployeePosix(e, emp); !posix) return tl::unexpected(posix.error());
  return emp;
}

void BuildIndex(Roster& r) {
  std::unordered_map<std::string, std::size_t> seen;
  for (std::size_t i = 0; i < r.employees.size(); ++i) {
    for (const std::string& account : r.employees[i].accounts) {
      auto [it, inserted] = seen.emplace(account, i);
      if (!inserted && it->second != i) {
        if (r.conflicting_accounts.insert(account).second) {
          r.warnings.push_back("account '" + account + "' is listed under employees " +
                               r.employees[it->second].id + " and " + r.employees[i].id +
                               "; it will be refused as shared");
        }
      }
    }
  }
  for (auto& [account, index] : seen) {
    if (r.shared_accounts.contains(account)) {
      if (r.conflicting_accounts.insert(account).second) {
        r.warnings.push_back("account '" + account + "' is both a shared account and employee " +
                             r.employees[index].id + "'s; it will be refused as shared");
      }
      continue;
    }
    if (!r.conflicting_accounts.contains(account)) r.account_index.emplace(account, index);
  }
}

}  // namespace

std::string_view EmployeeStatusName(EmployeeStatus status) {
  switch (status) {
    case EmployeeStatus::kActive:
      return "active";
    case EmployeeStatus::kSuspended:
      return "suspended";
    case EmployeeStatus::kTerminated:
      return "terminated";
  }
  return "terminated";
}

std::optional<EmployeeStatus> ParseEmployeeStatus(std::string_view name) {
  if (name == "active") return EmployeeStatus::kActive;
  if (name == "suspended") return EmployeeStatus::kSuspended;
  if (name == "terminated") return EmployeeStatus::kTerminated;
  return std::nullopt;
}

const Employee* Roster::FindEmployee(std::string_view account) const {
  auto it = account_index.find(std::string(account));
  return it == account_index.end() ? nullptr : &employees[it->second];
}

bool Roster::IsShared(std::string_view account) const {
  std::string key(account);
  return shared_accounts.contains(key) || conflicting_accounts.contains(key);
}

const std::vector<std::string>& Roster::GroupsOf(std::string_view workstation) const {
  static const std::vector<std::string> kNone;
  auto it = workstation_groups.find(std::string(workstation));
  return it == workstation_groups.end() ? kNone : it->second;
}

bool GroupsPermit(const std::vector<std::string>& employee_groups,
                  const std::vector<std::string>& workstation_groups) {
  return std::ranges::any_of(employee_groups, [&](const std::string& g) {
    return g == "*" || std::ranges::find(workstation_groups, g) != workstation_groups.end();
  });
}

Result<Roster> ParseRoster(std::string_view payload) {
  auto parsed = ParseJson(payload, JsonLimits{kMaxEnvelopeBytes, 16});
  if (!parsed) return Fail(parsed.error().kind, "roster: " + parsed.error().message);
  const Json& doc = *parsed;
  if (!doc.is_object()) return Fail(ErrorKind::kInvalidInput, "roster is not a JSON object");
  auto schema = GetString(doc, "schema");
  if (!schema) return Fail(ErrorKind::kInvalidInput, "roster: " + schema.error().message);
  if (*schema != kRosterSchema) {
    return Fail(ErrorKind::kInvalidInput, "roster schema is '" + schema->substr(0, 80) +
                                              "', expected '" + kRosterSchema + "'");
  }
  Roster r;
  auto serial = GetUint(doc, "serial");
  if (!serial) return Fail(ErrorKind::kInvalidInput, "roster: " + serial.error().message);
  r.serial = *serial;
  for (auto [key, field] :
       {std::pair{"issued_at", &r.issued_at}, std::pair{"expires_at", &r.expires_at}}) {
    auto text = GetString(doc, key);
    if (!text) return Fail(ErrorKind::kInvalidInput, "roster: " + text.error().message);
    auto t = ParseRfc3339(*text);
    if (!t)
      return Fail(ErrorKind::kInvalidInput,
                  std::string("roster ") + key + ": " + t.error().message);
    *field = *t;
  }
  auto org = GetOptionalString(doc, "organization");
  if (!org) return Fail(ErrorKind::kInvalidInput, "roster: " + org.error().message);
  r.organization = org->value_or("");

  auto employees = doc.find("employees");
  if (employees == doc.end() || !employees->is_array()) {
    return Fail(ErrorKind::kInvalidInput, "roster: \"employees\" must be an array");
  }
  r.employees.reserve(employees->size());
  for (const Json& e : *employees) {
    auto emp = ParseEmployee(e);
    if (!emp) return Fail(ErrorKind::kInvalidInput, "roster: " + emp.error().message);
    r.employees.push_back(std::move(*emp));
  }
  auto shared = StringList(doc, "shared_accounts", {});
  if (!shared) return Fail(ErrorKind::kInvalidInput, "roster: " + shared.error().message);
  r.shared_accounts.insert(shared->begin(), shared->end());

  if (auto ws = doc.find("workstations"); ws != doc.end() && !ws->is_null()) {
    if (!ws->is_object())
      return Fail(ErrorKind::kInvalidInput, "roster: \"workstations\" must be an object");
    for (const auto& [name, entry] : ws->items()) {
      if (!entry.is_object()) {
        return Fail(ErrorKind::kInvalidInput,
                    "roster: workstation '" + name + "' must be an object");
      }
      auto groups = StringList(entry, "groups", {});
      if (!groups)
        return Fail(ErrorKind::kInvalidInput,
                    "roster: workstation '" + name + "': " + groups.error().message);
      r.workstation_groups[name] = std::move(*groups);
    }
  }
  if (auto policy = doc.find("policy"); policy != doc.end() && !policy->is_null()) {
    if (!policy->is_object())
      return Fail(ErrorKind::kInvalidInput, "roster: \"policy\" must be an object");
    if (auto max = policy->find("max_workstations_per_account"); max != policy->end()) {
      if (!max->is_number_unsigned() || max->get<std::uint64_t>() > 1000000) {
        return Fail(ErrorKind::kInvalidInput,
                    "roster: policy.max_workstations_per_account must be a small unsigned integer");
      }
      r.max_workstations_per_account = static_cast<std::uint32_t>(max->get<std::uint64_t>());
    }
  }
  if (auto groups = ParsePosixGroups(doc, r); !groups) {
    return Fail(ErrorKind::kInvalidInput, "roster: " + groups.error().message);
  }
  BuildIndex(r);
  PrunePosix(r);
  return r;
}

}  // namespace staffgate::common
