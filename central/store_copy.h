// Copies a SQLite central's data into a PostgreSQL database that holds the
// schema of this build and no data (`staffgate-central migrate --to`,
// docs/operations.md): every table of the store, row by row with its
// values as stored (uids, token hashes, envelopes, the journal's sequence
// numbers), and the audit events. The copy is column-driven: the target's
// columns say what to read, and a source table or column the target has no
// place for fails the copy rather than being left behind.
//
// All or nothing: the whole copy is one transaction on `to`, each table's
// rows are counted on both sides before the commit, and a failure rolls
// back. The source is only read, in one read transaction (a snapshot).
#ifndef STAFFGATE_CENTRAL_STORE_COPY_H_
#define STAFFGATE_CENTRAL_STORE_COPY_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "central/database.h"
#include "common/result.h"

namespace staffgate::central {

struct CopySources {
  Database* store = nullptr;   // The central's SQLite database (central.db).
  Database* events = nullptr;  // Its event store (central-events.db); may be null.
  // Both opened as serve would (legacy events handed over, schema current).
  // A floor for the serial high-water mark (the SQLite central's
  // central.db.serial file): the next serial published is above it.
  std::uint64_t serial_floor = 0;
};

struct CopyCounts {
  std::vector<std::pair<std::string, std::int64_t>> tables;  // In copy order.
  std::int64_t events = 0;
  std::uint64_t serial_high_water = 0;
};

// Copies `from` into `to` (PostgreSQL, migrated to the current schema, with
// the events table made, every table empty). Errors: kInvalidInput (`to`
// already holds rows, or the source has a table or column the target
// lacks, named), kIo (either database), kInternal (a count that differs
// after the copy: nothing is committed).
common::Result<CopyCounts> CopyCentral(const CopySources& from, Database& to);

}  // namespace staffgate::central

#endif  // STAFFGATE_CENTRAL_STORE_COPY_H_
