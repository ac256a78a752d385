// The central's SQL database behind one interface, two engines: SQLite
// (sqlite_db.h, one file beside central.conf) and PostgreSQL (pg_db.h, a
// libpq connection URI; docs/design.md §12). The store writes one SQL text
// for both where the dialects agree ('?' placeholders are rewritten for
// PostgreSQL) and asks engine() where they do not. Errors are values:
// kIo for an unreachable or lost database (the caller may retry later and
// must refuse the write now), kInvalidInput for a constraint violation,
// kInternal for SQL the engine does not understand. Not thread-safe: the
// owner (Store, EventStore) serialises access.
#ifndef STAFFGATE_CENTRAL_DATABASE_H_
#define STAFFGATE_CENTRAL_DATABASE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/result.h"

namespace staffgate::central {

enum class Engine { kSqlite, kPostgres };

// Whether `location` names a PostgreSQL database (a libpq URI starting
// "postgresql://" or "postgres://") rather than a SQLite file path.
bool IsPostgresUri(std::string_view location);

// One engine's prepared statement; Statement owns it.
class StatementImpl {
 public:
  virtual ~StatementImpl() = default;
  virtual void BindText(int index, std::string_view text) = 0;
  virtual void BindInt(int index, std::int64_t value) = 0;
  virtual void BindNull(int index) = 0;
  virtual common::Result<bool> Step() = 0;
  virtual void Reset() = 0;
  virtual std::string Text(int column) const = 0;
  virtual std::int64_t Int(int column) const = 0;
  virtual bool IsNull(int column) const = 0;
};

class Statement {
 public:
  explicit Statement(std::unique_ptr<StatementImpl> impl) : impl_(std::move(impl)) {}

  // Binds are 1-based, as in SQLite. Returns *this for chaining.
  Statement& Bind(int index, std::string_view text);
  Statement& Bind(int index, std::int64_t value);
  Statement& BindNull(int index);
  Statement& Bind(int index, const std::optional<std::int64_t>& value);

  // true: a row is available; false: done. Errors: kIo, kInvalidInput
  // (constraint violation, with the engine's message), kInternal.
  common::Result<bool> Step() { return impl_->Step(); }
  // Steps to completion (for INSERT/UPDATE/DELETE).
  common::Result<void> Run();
  // Back to before the first Step, bindings cleared.
  void Reset() { impl_->Reset(); }

  // Column values of the current row; NULL reads as "" and 0.
  std::string Text(int column) const { return impl_->Text(column); }
  std::int64_t Int(int column) const { return impl_->Int(column); }
  bool IsNull(int column) const { return impl_->IsNull(column); }

 private:
  std::unique_ptr<StatementImpl> impl_;
};

// BEGIN ... COMMIT; rolls back in the destructor unless committed.
// kSynced: COMMIT waits until the change is durable (the default: employee
// changes, events). kRelaxed: a crash of the central loses nothing, a power
// cut of the database host may lose the last commits (SQLite: WAL with
// synchronous=NORMAL; PostgreSQL: synchronous_commit=off). Used for session
// leases, which live for a TTL and sit on the login path.
enum class Durability { kSynced, kRelaxed };

class Database {
 public:
  Database() = default;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  virtual ~Database() = default;

  virtual Engine engine() const = 0;
  // Runs one or more statements without parameters (schema, pragmas).
  virtual common::Result<void> Exec(const std::string& sql) = 0;
  virtual common::Result<Statement> Prepare(std::string_view sql) = 0;
  // The statement for `sql`, prepared once per connection and kept: reset,
  // bindings cleared. For statements run once per row (an import of 50,000
  // employees parsed the same SQL 150,000 times). Valid until the next
  // Cached call with the same `sql` or the database closes. Errors: as
  // Prepare.
  common::Result<Statement*> Cached(const std::string& sql);
  // Rows changed by the last statement.
  virtual std::int64_t Changes() const = 0;
  // Whether the last failure was the database reaching its size cap
  // (SQLite's max_page_count, or a full disk).
  virtual bool LastErrorWasFull() const = 0;

  // Transaction's steps (use Transaction, not these).
  virtual common::Result<void> BeginTransaction(Durability durability) = 0;
  virtual common::Result<void> CommitTransaction(Durability durability) = 0;
  virtual void RollbackTransaction(Durability durability) = 0;

 protected:
  // Engines call it first in their destructor: the cached statements go
  // before the connection they belong to.
  void DropCached() { cached_.clear(); }

 private:
  std::unordered_map<std::string, Statement> cached_;
};

// Opens `location`: a PostgreSQL URI (pg_db.h) or a SQLite file path
// (created if absent). Errors: kIo (unreachable, cannot open), kConfig (a
// URI refused by CheckPostgresUri).
common::Result<std::unique_ptr<Database>> OpenDatabase(const std::string& location);

class Transaction {
 public:
  static common::Result<Transaction> Begin(Database& db,
                                           Durability durability = Durability::kSynced);
  Transaction(Transaction&& other) noexcept : db_(other.db_), durability_(other.durability_) {
    other.db_ = nullptr;
  }
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();
  common::Result<void> Commit();

 private:
  Transaction(Database* db, Durability durability) : db_(db), durability_(durability) {}
  Database* db_;
  Durability durability_;
};

}  // namespace staffgate::central

#endif  // STAFFGATE_CENTRAL_DATABASE_H_
