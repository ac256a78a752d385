// The SQLite engine of database.h: one file, prepared statements. Not
// thread-safe: the owner (Store, EventStore) serialises access.
#ifndef STAFFGATE_CENTRAL_SQLITE_DB_H_
#define STAFFGATE_CENTRAL_SQLITE_DB_H_

#include <memory>
#include <string>

#include "central/database.h"

struct sqlite3;

namespace staffgate::central {

class SqliteDatabase final : public Database {
 public:
  // Opens (creating) `path` with WAL, synchronous=FULL (an acknowledged
  // admin change survives a crash), foreign keys and a busy timeout.
  // Errors: kIo.
  static common::Result<std::unique_ptr<SqliteDatabase>> Open(const std::string& path);
  SqliteDatabase(const SqliteDatabase&) = delete;
  SqliteDatabase& operator=(const SqliteDatabase&) = delete;
  SqliteDatabase(SqliteDatabase&&) = delete;
  SqliteDatabase& operator=(SqliteDatabase&&) = delete;
  ~SqliteDatabase() override;

  Engine engine() const override { return Engine::kSqlite; }
  common::Result<void> Exec(const std::string& sql) override;
  common::Result<Statement> Prepare(std::string_view sql) override;
  std::int64_t Changes() const override;
  // SQLITE_FULL: the database reached max_page_count or the disk is full.
  bool LastErrorWasFull() const override;
  // BEGIN IMMEDIATE: the write lock is taken at once, so a transaction
  // never fails half-way on another connection's lock.
  common::Result<void> BeginTransaction(Durability durability) override;
  common::Result<void> CommitTransaction(Durability durability) override;
  void RollbackTransaction(Durability durability) override;

 private:
  explicit SqliteDatabase(sqlite3* db) : db_(db) {}
  void RestoreSync(Durability durability);
  sqlite3* db_;
};

}  // namespace staffgate::central

#endif  // STAFFGATE_CENTRAL_SQLITE_DB_H_
