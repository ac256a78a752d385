// The roster payload (schema "staffgate.roster.v1", docs/design.md §2): who is
// employed, which accounts belong to whom, which accounts are generic, and
// which groups each workstation admits. Parsing never rejects a roster for
// a semantic conflict: conflicting accounts are listed and refused one by
// one, so one HR typo cannot lock out the whole dealership.
#ifndef STAFFGATE_COMMON_ROSTER_H_
#define STAFFGATE_COMMON_ROSTER_H_

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/result.h"
#include "common/time_util.h"

namespace staffgate::common {

inline constexpr char kRosterSchema[] = "staffgate.roster.v1";

enum class EmployeeStatus { kActive, kSuspended, kTerminated };
std::string_view EmployeeStatusName(EmployeeStatus status);
std::optional<EmployeeStatus> ParseEmployeeStatus(std::string_view name);

struct Employee {
  std::string id;
  EmployeeStatus status = EmployeeStatus::kActive;
  std::vector<std::string> accounts;
  std::vector<std::string> groups{"*"};
  std::optional<UnixSeconds> credentials_reset_after;
};

struct Roster {
  std::uint64_t serial = 0;
  UnixSeconds issued_at = 0;
  UnixSeconds expires_at = 0;
  std::string organization;
  std::vector<Employee> employees;
  std::set<std::string> shared_accounts;
  std::map<std::string, std::vector<std::string>> workstation_groups;
  // 0 = unlimited.
  std::uint32_t max_workstations_per_account = 1;

  // Derived at parse time.
  // account -> index into employees, for accounts under exactly one employee.
  std::unordered_map<std::string, std::size_t> account_index;
  // Accounts under two employees, or both shared and an employee's.
  std::set<std::string> conflicting_accounts;
  // One human-readable line per conflict, for the agent's log.
  std::vector<std::string> warnings;

  // The employee owning `account`, or nullptr (unknown or conflicting).
  const Employee* FindEmployee(std::string_view account) const;
  // True when the account must be refused as shared_account.
  bool IsShared(std::string_view account) const;
  // The groups of `workstation`; empty when it is not in the map.
  const std::vector<std::string>& GroupsOf(std::string_view workstation) const;
};

// Parses and indexes a payload (the bytes inside a verified envelope).
// Errors: kInvalidInput (bad JSON, wrong schema, wrong types), kTooLarge.
Result<Roster> ParseRoster(std::string_view payload);

// The group rule of docs/design.md §3: "*" or a shared group.
bool GroupsPermit(const std::vector<std::string>& employee_groups,
                  const std::vector<std::string>& workstation_groups);

}  // namespace staffgate::common

#endif  // STAFFGATE_COMMON_ROSTER_H_
