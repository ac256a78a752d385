#include "central/event_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/time_util.h"

namespace staffgate::central {
namespace {

using common::Json;
using common::Result;

const char* const kSchema = R"sql(
CREATE TABLE IF NOT EXISTS events (
  id TEXT PRIMARY KEY,
  time_ms INTEGER NOT NULL,
  workstation TEXT NOT NULL,
  type TEXT NOT NULL DEFAULT '',
  account TEXT NOT NULL DEFAULT '',
  decision TEXT NOT NULL DEFAULT '',
  body TEXT NOT NULL,
  received_ms INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS events_received ON events(received_ms);
CREATE INDEX IF NOT EXISTS events_account ON events(account, received_ms);
CREATE INDEX IF NOT EXISTS events_workstation ON events(workstation, received_ms);
)sql";

// PostgreSQL's: BIGINT times, and the rowid SQLite gives every table (the
// order of receipt among equal received_ms) as an identity column.
const char* const kPgSchema = R"sql(
CREATE TABLE IF NOT EXISTS events (
  id TEXT PRIMARY KEY,
  time_ms BIGINT NOT NULL,
  workstation TEXT NOT NULL,
  type TEXT NOT NULL DEFAULT '',
  account TEXT NOT NULL DEFAULT '',
  decision TEXT NOT NULL DEFAULT '',
  body TEXT NOT NULL,
  received_ms BIGINT NOT NULL,
  rowid BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE);
CREATE INDEX IF NOT EXISTS events_received ON events(received_ms);
CREATE INDEX IF NOT EXISTS events_account ON events(account, received_ms);
CREATE INDEX IF NOT EXISTS events_workstation ON events(workstation, received_ms);
)sql";

std::string Field(const Json& obj, const char* key) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

std::optional<std::int64_t> EventTimeMs(const Json& obj) {
  const std::string text = Field(obj, "time");
  auto t = common::ParseRfc3339(text);
  if (!t) return std::nullopt;
  std::int64_t ms = 0;
  int digits = 0;
  auto dot = text.find('.');
  if (dot != std::string::npos) {
    for (std::size_t i = dot + 1; i < text.size() && digits < 3 && text[i] >= '0' && text[i] <= '9';
         ++i, ++digits) {
      ms = ms * 10 + (text[i] - '0');
    }
  }
  while (digits > 0 && digits++ < 3) ms *= 10;
  return *t * 1000 + ms;
}

Result<std::unique_ptr<EventStore>> EventStore::Open(const std::string& path,
                                                     std::uint64_t max_bytes) {
  if (IsPostgresUri(path)) {
    auto db = OpenDatabase(path);
    if (!db) return tl::unexpected(db.error());
    std::unique_ptr<EventStore> store(new EventStore(std::move(*db), path, max_bytes));
    // Two centrals starting at once would race on CREATE ... IF NOT EXISTS.
    auto made =
        store->db_->Exec(std::string("BEGIN; SELECT pg_advisory_xact_lock(7310594224925632358); ") +
                         kPgSchema + "; COMMIT");
    if (!made) return tl::unexpected(made.error());
    return store;
  }
  // Created owner-only before SQLite opens it: events name accounts.
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0)
    return common::Fail(common::ErrorKind::kIo,
                        "cannot open event store " + path + ": " + std::strerror(errno));
  ::close(fd);
  auto db = OpenDatabase(path);
  if (!db) return tl::unexpected(db.error());
  std::unique_ptr<EventStore> store(new EventStore(std::move(*db), path, max_bytes));
  if (auto ok = store->db_->Exec(kSchema); !ok) return tl::unexpected(ok.error());
  if (max_bytes > 0) {
    auto page = store->PragmaInt("PRAGMA page_size");
    if (!page) return tl::unexpected(page.error());
    const std::uint64_t pages =
        std::max<std::uint64_t>(max_bytes / static_cast<std::uint64_t>(*page), 16);
    if (auto ok = store->db_->Exec("PRAGMA max_page_count = " + std::to_string(pages)); !ok) {
      return tl::unexpected(ok.error());
    }
  }
  return store;
}

Result<std::int64_t> EventStore::PragmaInt(const char* pragma) {
  auto stmt = db_->Prepare(pragma);
  if (!stmt) return tl::unexpected(stmt.error());
  auto row = stmt->Step();
  if (!row) return tl::unexpected(row.error());
  return *row ? stmt->Int(0) : 0;
}

Result<void> EventStore::ImportLegacy(const std::string& legacy_db) {
  // PostgreSQL databases began after events had their own store.
  if (db_->engine() == Engine::kPostgres || IsPostgresUri(legacy_db)) return common::Ok();
  if (::access(legacy_db.c_str(), F_OK) != 0) return common::Ok();  // ATTACH would create it.
  auto attach = db_->Prepare("ATTACH DATABASE ? AS legacy");
  if (!attach) return tl::unexpected(attach.error());
  if (auto ok = attach->Bind(1, legacy_db).Run(); !ok) return ok;
  auto copy = [&]() -> Result<void> {
    auto has = db_->Prepare(
        "SELECT COUNT(*) FROM legacy.sqlite_master WHERE type = 'table' AND name = 'events'");
    if (!has) return tl::unexpected(has.error());
    auto row = has->Step();
    if (!row) return tl::unexpected(row.error());
    if (!*row || has->Int(0) == 0) return common::Ok();
    return db_->Exec(
        "INSERT OR IGNORE INTO main.events(id, time_ms, workstation, type, account, decision, "
        "body, received_ms) SELECT id, time_ms, workstation, type, account, decision, body, "
        "received_ms FROM legacy.events");
  };
  auto copied = copy();
  auto detached = db_->Exec("DETACH DATABASE legacy");
  if (!copied) return copied;
  return detached;
}

Result<InsertOutcome> EventStore::Insert(const Json& obj, const std::string& workstation,
                                         std::int64_t time_ms, std::int64_t received_ms) {
  auto stmt = db_->Prepare(
      "INSERT INTO events(id, time_ms, workstation, type, account, decision, body, received_ms) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING");
  if (!stmt) return tl::unexpected(stmt.error());
  auto ran = stmt->Bind(1, Field(obj, "id"))
                 .Bind(2, time_ms)
                 .Bind(3, workstation)
                 .Bind(4, Field(obj, "type"))
                 .Bind(5, Field(obj, "account"))
                 .Bind(6, Field(obj, "decision"))
                 .Bind(7, common::DumpJson(obj))
                 .Bind(8, received_ms)
                 .Run();
  if (!ran) {
    if (db_->LastErrorWasFull()) return InsertOutcome::kFull;
    return tl::unexpected(ran.error());
  }
  return db_->Changes() > 0 ? InsertOutcome::kInserted : InsertOutcome::kDuplicate;
}

Result<std::vector<Json>> EventStore::Query(const EventQuery& q) {
  // Newest (or with oldest_first, oldest) `limit` matches by receipt (a
  // workstation's clock cannot push other events out of view), returned
  // oldest first.
  const std::string order = q.oldest_first ? "ASC" : "DESC";
  auto stmt = db_->Prepare(
      "SELECT body, workstation, received_ms FROM (SELECT body, workstation, received_ms, rowid AS "
      "r "
      "FROM events WHERE received_ms >= ? AND (? = '' OR workstation = ?) AND (? = '' OR account = "
      "?) "
      "AND (? = '' OR decision = ?) AND (? = '' OR type = ?) "
      "ORDER BY received_ms " +
      order + ", r " + order + " LIMIT ?) AS page ORDER BY received_ms, r");
  if (!stmt) return tl::unexpected(stmt.error());
  stmt->Bind(1, q.since_ms.value_or(0))
      .Bind(2, q.workstation)
      .Bind(3, q.workstation)
      .Bind(4, q.account)
      .Bind(5, q.account)
      .Bind(6, q.decision)
      .Bind(7, q.decision)
      .Bind(8, q.type)
      .Bind(9, q.type)
      .Bind(10, static_cast<std::int64_t>(q.limit));
  std::vector<Json> out;
  for (;;) {
    auto row = stmt->Step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) break;
    auto obj = common::ParseJson(stmt->Text(0), common::JsonLimits{1 << 20, 16});
    if (!obj || !obj->is_object()) continue;
    (*obj)["workstation"] = stmt->Text(1);
    (*obj)["received"] = common::FormatRfc3339Ms(stmt->Int(2));
    out.push_back(std::move(*obj));
  }
  return out;
}

Result<std::int64_t> EventStore::Count() { return PragmaInt("SELECT COUNT(*) FROM events"); }

Result<std::int64_t> EventStore::PruneReceivedBefore(std::int64_t before_ms,
                                                     std::int64_t max_rows) {
  auto stmt = db_->Prepare(
      "DELETE FROM events WHERE rowid IN (SELECT rowid FROM events WHERE received_ms < ? LIMIT ?)");
  if (!stmt) return tl::unexpected(stmt.error());
  if (auto ok = stmt->Bind(1, before_ms).Bind(2, max_rows).Run(); !ok)
    return tl::unexpected(ok.error());
  return db_->Changes();
}

Result<std::uint64_t> EventStore::UsedBytes() {
  if (db_->engine() == Engine::kPostgres) {
    auto size = PragmaInt("SELECT pg_total_relation_size('events')");
    if (!size) return tl::unexpected(size.error());
    return static_cast<std::uint64_t>(*size);
  }
  auto pages = PragmaInt("PRAGMA page_count");
  if (!pages) return tl::unexpected(pages.error());
  auto free_pages = PragmaInt("PRAGMA freelist_count");
  if (!free_pages) return tl::unexpected(free_pages.error());
  auto page = PragmaInt("PRAGMA page_size");
  if (!page) return tl::unexpected(page.error());
  return static_cast<std::uint64_t>(*pages - *free_pages) * static_cast<std::uint64_t>(*page);
}

}  // namespace staffgate::central
