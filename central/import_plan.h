// The difference an HR import makes (docs/design.md §5 `import`): which
// employees it adds or changes (field by field, before -> after), which
// terminated ones it reactivates, and which active or suspended employees
// the file leaves out. Pure: the Service applies it inside one change.
#ifndef STAFFGATE_CENTRAL_IMPORT_PLAN_H_
#define STAFFGATE_CENTRAL_IMPORT_PLAN_H_

#include <vector>

#include "central/csv_import.h"
#include "central/model.h"
#include "common/result.h"

namespace staffgate::central {

// Applies `rows` to `state` as `options` say and returns the difference.
// Each row's employee keeps its credentials reset time and its uids.
// Employees not in the file and not terminated are listed in `missing`;
// with MissingPolicy::kSuspend the active ones are suspended, with
// kTerminate all of them are terminated.
// Errors: kInvalidInput when a row would move a terminated employee to
// active without options.allow_reactivate (unless options.dry_run, which
// reports it instead); `state` may then be half changed: discard it.
common::Result<ImportReport> PlanImport(State& state, std::vector<ImportRow> rows,
                                        const ImportOptions& options);

}  // namespace staffgate::central

#endif  // STAFFGATE_CENTRAL_IMPORT_PLAN_H_
