// One staffgate-central per SQLite database. `serve` holds an exclusive
// flock(2) on `<db>.lock` for as long as it runs, and `migrate --to` for as
// long as it copies: a second central on the same file would publish the
// same serials with different rosters, and a copy taken while a central
// writes would miss its last changes. A PostgreSQL database takes no lock
// file (several centrals share one by design, docs/design.md §12).
//
// The lock is the kernel's, on an open file: it ends with the process, so
// a crash never leaves a stale lock behind (the file stays; it holds
// nothing). Threads: a ServeLock is owned by one thread; the lock is
// per process.
#ifndef STAFFGATE_CENTRAL_SERVE_LOCK_H_
#define STAFFGATE_CENTRAL_SERVE_LOCK_H_

#include <string>
#include <utility>

#include "common/result.h"
#include "common/unique_fd.h"

namespace staffgate::central {

class ServeLock {
 public:
  // Takes the lock of the SQLite database at `db_path` (creating
  // `<db_path>.lock`, mode 0644, so a lock file root made while migrating
  // stays usable by the service user). Errors: kUnavailable when another
  // process holds it (the message names the file), kIo when the file
  // cannot be opened or locked.
  static common::Result<ServeLock> Take(const std::string& db_path);

  // The lock file of the SQLite database at `db_path`.
  static std::string PathFor(const std::string& db_path) { return db_path + ".lock"; }

 private:
  explicit ServeLock(common::UniqueFd fd) : fd_(std::move(fd)) {}

  common::UniqueFd fd_;  // Closing it releases the lock.
};

}  // namespace staffgate::central

#endif  // STAFFGATE_CENTRAL_SERVE_LOCK_H_
