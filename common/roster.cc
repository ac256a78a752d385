#include "common/roster.h"

#include <algorithm>
#include <utility>

#include "common/envelope.h"
#include "common/json_view.h"
#include "common/roster_posix.h"

namespace staffgate::common {
namespace {

Result<Employee> ParseEmployee(JsonValue value) {
  JsonObject e;
  if (value.get(e) != simdjson::SUCCESS)
    return Fail(ErrorKind::kInvalidInput, "employee entry is not an object");
  Employee emp;
  auto id = StringMember(e, "id");
  if (!id) return tl::unexpected(id.error());
  emp.id = std::string(*id);
  auto status_name = StringMember(e, "status");
  if (!status_name)
    return Fail(ErrorKind::kInvalidInput,
                "employee " + emp.id + ": " + status_name.error().message);
  auto status = ParseEmployeeStatus(*status_name);
  if (!status) {
    return Fail(ErrorKind::kInvalidInput,
                "employee " + emp.id + ": unknown status '" + std::string(*status_name) + "'");
  }
  emp.status = *status;
  auto accounts = StringListMember(e, "accounts", {});
  if (!accounts)
    return Fail(ErrorKind::kInvalidInput, "employee " + emp.id + ": " + accounts.error().message);
  emp.accounts = std::move(*accounts);
  auto groups = StringListMember(e, "groups", {"*"});
  if (!groups)
    return Fail(ErrorKind::kInvalidInput, "employee " + emp.id + ": " + groups.error().message);
  emp.groups = std::move(*groups);
  for (auto [key, field] :
       {std::pair{"credentials_reset_after", &emp.credentials_reset_after},
        std::pair{"credentials_changed_at", &emp.credentials_changed_at},
        std::pair{"valid_from", &emp.valid_from}, std::pair{"valid_until", &emp.valid_until}}) {
    auto text = OptionalStringMember(e, key);
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

// schema, serial, issued_at, expires_at, organization.
Result<void> ParseHeader(JsonObject doc, Roster& r) {
  auto schema = StringMember(doc, "schema");
  if (!schema) return Fail(ErrorKind::kInvalidInput, "roster: " + schema.error().message);
  if (*schema != kRosterSchema) {
    return Fail(ErrorKind::kInvalidInput, "roster schema is '" +
                                              std::string(schema->substr(0, 80)) + "', expected '" +
                                              kRosterSchema + "'");
  }
  auto serial = UintMember(doc, "serial");
  if (!serial) return Fail(ErrorKind::kInvalidInput, "roster: " + serial.error().message);
  r.serial = *serial;
  for (auto [key, field] :
       {std::pair{"issued_at", &r.issued_at}, std::pair{"expires_at", &r.expires_at}}) {
    auto text = StringMember(doc, key);
    if (!text) return Fail(ErrorKind::kInvalidInput, "roster: " + text.error().message);
    auto t = ParseRfc3339(*text);
    if (!t)
      return Fail(ErrorKind::kInvalidInput,
                  std::string("roster ") + key + ": " + t.error().message);
    *field = *t;
  }
  auto org = OptionalStringMember(doc, "organization");
  if (!org) return Fail(ErrorKind::kInvalidInput, "roster: " + org.error().message);
  r.organization = std::string(org->value_or(""));
  return Ok();
}

// employees and shared_accounts.
Result<void> ParseEmployees(JsonObject doc, Roster& r) {
  JsonArray employees;
  auto found = FindMember(doc, "employees");
  if (!found || found->get(employees) != simdjson::SUCCESS) {
    return Fail(ErrorKind::kInvalidInput, "roster: \"employees\" must be an array");
  }
  r.employees.reserve(employees.size());
  for (JsonValue e : employees) {
    auto emp = ParseEmployee(e);
    if (!emp) return Fail(ErrorKind::kInvalidInput, "roster: " + emp.error().message);
    r.employees.push_back(std::move(*emp));
  }
  auto shared = StringListMember(doc, "shared_accounts", {});
  if (!shared) return Fail(ErrorKind::kInvalidInput, "roster: " + shared.error().message);
  r.shared_accounts.insert(shared->begin(), shared->end());
  return Ok();
}

Result<void> ParseWorkstations(JsonObject doc, Roster& r) {
  auto workstations = OptionalObjectMember(doc, "workstations");
  if (!workstations)
    return Fail(ErrorKind::kInvalidInput, "roster: " + workstations.error().message);
  if (!*workstations) return Ok();
  for (auto [key, value] : **workstations) {
    const std::string name(key);
    JsonObject entry;
    if (value.get(entry) != simdjson::SUCCESS) {
      return Fail(ErrorKind::kInvalidInput, "roster: workstation '" + name + "' must be an object");
    }
    auto groups = StringListMember(entry, "groups", {});
    if (!groups)
      return Fail(ErrorKind::kInvalidInput,
                  "roster: workstation '" + name + "': " + groups.error().message);
    r.workstation_groups[name] = std::move(*groups);
  }
  return Ok();
}

Result<void> ParsePolicy(JsonObject doc, Roster& r) {
  auto policy = OptionalObjectMember(doc, "policy");
  if (!policy) return Fail(ErrorKind::kInvalidInput, "roster: " + policy.error().message);
  if (!*policy) return Ok();
  if (auto max = FindMember(**policy, "max_workstations_per_account")) {
    auto value = AsUint(*max);
    if (!value || *value > 1000000) {
      return Fail(ErrorKind::kInvalidInput,
                  "roster: policy.max_workstations_per_account must be a small unsigned integer");
    }
    r.max_workstations_per_account = static_cast<std::uint32_t>(*value);
  }
  return Ok();
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
  JsonDoc parsed;
  if (auto ok = parsed.Parse(payload, JsonLimits{kMaxEnvelopeBytes, 16}); !ok) {
    return Fail(ok.error().kind, "roster: " + ok.error().message);
  }
  JsonObject doc;
  if (parsed.root().get(doc) != simdjson::SUCCESS)
    return Fail(ErrorKind::kInvalidInput, "roster is not a JSON object");
  Roster r;
  for (auto* part : {&ParseHeader, &ParseEmployees, &ParseWorkstations, &ParsePolicy}) {
    if (auto ok = part(doc, r); !ok) return tl::unexpected(ok.error());
  }
  if (auto groups = ParsePosixGroups(doc, r); !groups) {
    return Fail(ErrorKind::kInvalidInput, "roster: " + groups.error().message);
  }
  BuildIndex(r);
  PrunePosix(r);
  return r;
}

}  // namespace staffgate::common
