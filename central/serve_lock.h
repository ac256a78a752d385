// One staffgate-central per SQLite database. `serve` holds an exclusive
// flock(2) on `<db>.lock` for as long as it runs, and `migrate` for as long
// as it upgrades or copies: a second central on the same file would publish
// the same serials with different rosters, and a copy taken while a central
// writes would miss its last changes. A PostgreSQL database takes no lock
// file (several centrals share one by design, docs/design.md §12).
//
// The lock is the kernel's, on an open file description: it ends with the
// process (a crash never leaves a stale lock; the file stays and holds
// nothing), and a second Take refuses even in the same process. Threads: a
// ServeLock is owned by one thread.
#ifndef STAFFGATE_CENTRAL_SERVE_LOCK_H_
#define STAFFGATE_CENTRAL_SERVE_LOCK_H_

#include <optional>
#include <string>
#include <utility>

#include "common/result.h"
#include "common/unique_fd.h"

namespace staffgate::central {

class ServeLock {
 public:
  // Takes the lock of the SQLite database at `db_path`, creating
  // `<db_path>.lock` with mode 0644 (so one root made while migrating stays
  // usable by the service user). An existing lock file is used as it is,
  // and must be a plain file: a symbolic link, FIFO or device is refused.
  // Errors: kUnavailable when another holder has it (the message names the
  // file), kIo when the file cannot be opened or locked.
  static common::Result<ServeLock> Take(const std::string& db_path);
  // Take for the database at `location` (CentralConfig::StoreLocation) on
  // SQLite; nullopt, taking nothing, for a PostgreSQL URI. Errors: Take's.
  static common::Result<std::optional<ServeLock>> TakeIfSqlite(const std::string& location);

  // The lock file of the SQLite database at `db_path`.
  static std::string PathFor(const std::string& db_path) { return db_path + ".lock"; }

 private:
  explicit ServeLock(common::UniqueFd fd) : fd_(std::move(fd)) {}

  common::UniqueFd fd_;  // Closing it releases the lock.
};

}  // namespace staffgate::central

#endif  // STAFFGATE_CENTRAL_SERVE_LOCK_H_
