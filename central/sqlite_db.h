// A thin RAII layer over SQLite: one connection, prepared statements,
// errors as values. Not thread-safe: the owner (Store) serialises access.
#ifndef STAFFGATE_CENTRAL_SQLITE_DB_H_
#define STAFFGATE_CENTRAL_SQLITE_DB_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/result.h"

struct sqlite3;
struct sqlite3_stmt;

namespace staffgate::central {

class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  // Binds are 1-based, as in SQLite. Returns *this for chaining.
  Statement& Bind(int index, std::string_view text);
  Statement& Bind(int index, std::int64_t value);
  Statement& BindNull(int index);
  Statement& Bind(int index, const std::optional<std::int64_t>& value);

  // true: a row is available; false: done. Errors: kIo, kInvalidInput
  // (constraint violation, with SQLite's message).
  common::Result<bool> Step();
  // Steps to completion (for INSERT/UPDATE/DELETE).
  common::Result<void> Run();
  void Reset();

  std::string Text(int column) const;
  std::int64_t Int(int column) const;
  bool IsNull(int column) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

class Database {
 public:
  // Opens (creating) `path` with WAL, synchronous=FULL (an acknowledged
  // admin change survives a crash), foreign keys and a busy timeout.
  // Errors: kIo.
  static common::Result<std::unique_ptr<Database>> Open(const std::string& path);
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();

  common::Result<void> Exec(const std::string& sql);
  common::Result<Statement> Prepare(std::string_view sql);
  // The statement for `sql`, prepared once per connection and kept: reset,
  // bindings cleared. For statements run once per row (an import of 50,000
  // employees parsed the same SQL 150,000 times). Valid until the next
  // Cached call with the same `sql` or the database closes. Errors: as
  // Prepare.
  common::Result<Statement*> Cached(const std::string& sql);
  // Rows changed by the last statement.
  std::int64_t Changes() const;
  // The primary SQLite result code of the last failed call (SQLITE_FULL:
  // the database reached max_page_count or the disk is full).
  int LastErrorCode() const;

 private:
  explicit Database(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  std::unordered_map<std::string, Statement> cached_;  // Finalized before close.
};

// BEGIN IMMEDIATE ... COMMIT; rolls back in the destructor unless committed.
// kSynced: COMMIT waits for fsync (the default: employee changes, events).
// kRelaxed: WAL with synchronous=NORMAL for this transaction only: a kill -9
// loses nothing, a power cut may lose the last commits. Used for session
// leases, which live for a TTL and sit on the login path.
enum class Durability { kSynced, kRelaxed };

class Transaction {
 public:
  static common::Result<Transaction> Begin(Database& db,
                                           Durability durability = Durability::kSynced);
  Transaction(Transaction&& other) noexcept : db_(other.db_), relaxed_(other.relaxed_) {
    other.db_ = nullptr;
    other.relaxed_ = false;
  }
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();
  common::Result<void> Commit();

 private:
  Transaction(Database* db, bool relaxed) : db_(db), relaxed_(relaxed) {}
  void RestoreSync();
  Database* db_;
  bool relaxed_;
};

}  // namespace staffgate::central

#endif  // STAFFGATE_CENTRAL_SQLITE_DB_H_
