// The audit events, in their own SQLite file with its own connection, apart
// from the employee/roster database: a flood of events can fill this file
// up to its cap (`events_max_bytes`, enforced by SQLite's max_page_count)
// but never takes the space or the lock an employee change needs
// (docs/design.md §13). On PostgreSQL the events are a table of the
// central's database, on a connection of their own; the cap is checked
// before each batch (pg_total_relation_size). Not thread-safe: the Service
// serialises access with its own mutex for events.
#ifndef STAFFGATE_CENTRAL_EVENT_STORE_H_
#define STAFFGATE_CENTRAL_EVENT_STORE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "central/database.h"
#include "central/model.h"
#include "common/json_util.h"
#include "common/result.h"

namespace staffgate::central {

// How one insert went.
enum class InsertOutcome { kInserted, kDuplicate, kFull };

class EventStore {
 public:
  // Opens (creating, mode 0600) `path`, or the PostgreSQL database `path`
  // names (IsPostgresUri). `max_bytes` caps the events' size (0: no cap).
  // Errors: kIo.
  static common::Result<std::unique_ptr<EventStore>> Open(const std::string& path,
                                                          std::uint64_t max_bytes);

  // Copies the events of a database written before events had their own
  // file (`legacy_db`, the main database) once; idempotent by id. A
  // missing file or table is nothing to do. Errors: kIo.
  common::Result<void> ImportLegacy(const std::string& legacy_db);

  Database& db() { return *db_; }
  // Inserts one event (already validated, `obj` has a string "id").
  // `time_ms` is the event's own time (already clamped by the caller);
  // `received_ms` the central's receipt time. kFull: the cap is reached
  // (the caller's transaction must be rolled back).
  common::Result<InsertOutcome> Insert(const common::Json& obj, const std::string& workstation,
                                       std::int64_t time_ms, std::int64_t received_ms);
  // Newest `limit` matches by receipt time, returned oldest first, each
  // with "workstation" and "received" (RFC 3339 ms) added.
  common::Result<std::vector<common::Json>> Query(const EventQuery& query);
  common::Result<std::int64_t> Count();
  // Deletes at most `max_rows` events received before `before_ms`;
  // returns how many it deleted.
  common::Result<std::int64_t> PruneReceivedBefore(std::int64_t before_ms, std::int64_t max_rows);
  // Bytes the database holds (pages in use, free pages excluded).
  common::Result<std::uint64_t> UsedBytes();
  std::uint64_t max_bytes() const { return max_bytes_; }
  // Whether the events live on this host's disk (SQLite), so its free
  // space is ours to watch.
  bool local() const { return db_->engine() == Engine::kSqlite; }
  const std::string& path() const { return path_; }

 private:
  EventStore(std::unique_ptr<Database> db, std::string path, std::uint64_t max_bytes)
      : db_(std::move(db)), path_(std::move(path)), max_bytes_(max_bytes) {}
  common::Result<std::int64_t> PragmaInt(const char* pragma);
  std::unique_ptr<Database> db_;
  std::string path_;
  std::uint64_t max_bytes_;
};

// The event's own time in ms from its "time" field (RFC 3339, optional
// fraction), or nullopt when absent or malformed.
std::optional<std::int64_t> EventTimeMs(const common::Json& obj);

}  // namespace staffgate::central

#endif  // STAFFGATE_CENTRAL_EVENT_STORE_H_
