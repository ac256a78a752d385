// Input rules for what the central records (account ownership, names). Every admin
// change is checked against these before anything is written; a violation
// is kInvalidInput with a message fit for an HTTP 400 body.
#ifndef STAFFGATE_CENTRAL_VALIDATION_H_
#define STAFFGATE_CENTRAL_VALIDATION_H_

#include <string>
#include <string_view>
#include <vector>

#include "central/model.h"
#include "common/result.h"

namespace staffgate::central {

// POSIX-style account name: [A-Za-z_][A-Za-z0-9._-]* with an optional final
// '$' (Samba machine accounts), 1..32 characters.
bool IsValidAccountName(std::string_view name);
// Employee ids and workstation names: [A-Za-z0-9][A-Za-z0-9._-]*, 1..64.
bool IsValidId(std::string_view id);
// Workstation groups: "*" or an id.
bool IsValidGroup(std::string_view group);

common::Result<void> CheckAccountName(std::string_view name);
common::Result<void> CheckEmployeeId(std::string_view id);
common::Result<void> CheckWorkstationName(std::string_view name);
common::Result<void> CheckGroups(const std::vector<std::string>& groups);
// Full names: at most 200 bytes, no control characters.
common::Result<void> CheckPersonName(std::string_view name);

// A posix group: its name follows the account name rules, and it has at
// least one role, each a group name (an id; "*" is not a role: a group for
// everyone would widen, not follow the job).
common::Result<void> CheckPosixGroup(const PosixGroup& group);

// Whole-state rules: an account belongs to at most one employee and is
// never both shared and an employee's; a posix group is never named like
// an account (each account has a private group of its name); every field
// is well formed. With `before` (the state the change starts from), a clash
// names the employee that already held the account, not the newcomer.
common::Result<void> CheckState(const State& state, const State* before = nullptr);

// Splits "a;b;c" or "a,b,c" (separator given), trimming blanks, dropping
// empty items.
std::vector<std::string> SplitList(std::string_view text, char separator);

}  // namespace staffgate::central

#endif  // STAFFGATE_CENTRAL_VALIDATION_H_
