// `staffgate-central migrate` (docs/operations.md, "Moving to PostgreSQL"):
//   migrate --config FILE            apply pending schema migrations now
//                                    (serve does it too, at start)
//   migrate --config FILE --to URI   copy a stopped SQLite central into an
//                                    empty PostgreSQL database, then point
//                                    its central.conf there
// The copy keeps everything an agent or an auditor relies on: uids and
// gids, workstation token hashes (no workstation enrols again), roster
// envelopes and serials (the next serial is above every one published),
// the action journal and the audit events.
#ifndef STAFFGATE_CENTRAL_MIGRATE_COMMAND_H_
#define STAFFGATE_CENTRAL_MIGRATE_COMMAND_H_

#include <string>

#include "common/result.h"

namespace staffgate::central {

struct MigrateOptions {
  std::string config;  // central.conf
  std::string to;      // "" (schema only) or a PostgreSQL URI without a password.
};

// Does what MigrateOptions says; returns what it did, in a sentence or
// two for the operator. Errors (no row copied, central.conf unchanged; the
// source may have been brought to this build's schema, as serve would): kConfig (central.conf, a
// URI with a password), kInvalidInput (the central is still running, it is already on PostgreSQL,
// the target database holds data), kIo (a database), kInternal.
common::Result<std::string> MigrateCentral(const MigrateOptions& options);

// `text` (central.conf) with its `database` key set to `value` (the line
// replaced where there is one, added otherwise), comments and other keys
// as they were. Errors: kConfig when the result would not read back with
// that value (`path` names the file).
common::Result<std::string> WithDatabaseKey(const std::string& text, const std::string& value,
                                            const std::string& path);

}  // namespace staffgate::central

#endif  // STAFFGATE_CENTRAL_MIGRATE_COMMAND_H_
