// The optional identity fields of the roster (docs/design.md §9): an
// employee's `posix` map and `display_name`, the top-level `posix_groups`.
// Internal to roster.cc: types are checked while parsing (a wrong type
// rejects the roster like any other), then PrunePosix drops, one by one and
// with a warning, the entries that cannot be served safely, as §2's
// conflict rule does for accounts.
#ifndef STAFFGATE_COMMON_ROSTER_POSIX_H_
#define STAFFGATE_COMMON_ROSTER_POSIX_H_

#include "common/json_view.h"
#include "common/result.h"
#include "common/roster.h"

namespace staffgate::common {

// Reads `posix` and `display_name` of one employee object into `emp`
// (unvalidated values). Errors: kInvalidInput naming the field.
Result<void> ParseEmployeePosix(JsonObject e, Employee& emp);

// Reads the top-level `posix_groups` (unvalidated values).
// Errors: kInvalidInput naming the group.
Result<void> ParsePosixGroups(JsonObject doc, Roster& r);

// Drops invalid or conflicting posix entries, display names and groups,
// adding one warning each. Needs the account index (BuildIndex) first.
void PrunePosix(Roster& r);

}  // namespace staffgate::common

#endif  // STAFFGATE_COMMON_ROSTER_POSIX_H_
