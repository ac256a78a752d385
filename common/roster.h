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
  // docs/design.md §10: when the person's staffgate password last changed
  // (published by the central); absent for people without one.
  std::optional<UnixSeconds> credentials_changed_at;
  // docs/design.md §11 scheduled changes, enforced by §3 rows 7a/7b on the
  // agent's own clock: refused before valid_from (a starter) and from
  // valid_until on (a scheduled leaver). Absent: no bound.
  std::optional<UnixSeconds> valid_from;
  std::optional<UnixSeconds> valid_until;
  // docs/design.md §9: account -> uid, only for accounts whose entry passed
  // validation (valid name and uid, one of this employee's unconflicted
  // accounts, uid held by no other account). Others are dropped with a
  // warning.
  std::map<std::string, std::uint32_t> posix_uids;
  // Published only when the central says so; dropped (with a warning) when
  // it could not be shown safely in a passwd line.
  std::optional<std::string> display_name;
};

// A Unix group granted by role (docs/design.md §9 `posix_groups`). With a
// gid it is served by staffgate; without, it names a local group.
struct PosixGroup {
  std::optional<std::uint32_t> gid;
  std::vector<std::string> roles;
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
  // Validated: invalid names or gids, a gid used twice or equal to an
  // account's uid, and a name equal to an account are dropped with a warning.
  std::map<std::string, PosixGroup> posix_groups;

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

// A portable user or group name: 1 to 32 of [A-Za-z0-9._-], not starting
// with '-' or '.', not all digits (docs/design.md §9).
bool IsValidPosixName(std::string_view name);

// The ids staffgate hands out: 1 to 2^31-1, never 65534 (nobody) or 65535.
bool IsValidPosixId(std::uint64_t id);

// The group rule of docs/design.md §3: "*" or a shared group.
bool GroupsPermit(const std::vector<std::string>& employee_groups,
                  const std::vector<std::string>& workstation_groups);

}  // namespace staffgate::common

#endif  // STAFFGATE_COMMON_ROSTER_H_
