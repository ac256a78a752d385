#include "central/database.h"

#include "central/pg_db.h"
#include "central/sqlite_db.h"

namespace staffgate::central {

using common::Result;

bool IsPostgresUri(std::string_view location) {
  return location.rfind("postgresql://", 0) == 0 || location.rfind("postgres://", 0) == 0;
}

Statement& Statement::Bind(int index, std::string_view text) {
  impl_->BindText(index, text);
  return *this;
}

Statement& Statement::Bind(int index, std::int64_t value) {
  impl_->BindInt(index, value);
  return *this;
}

Statement& Statement::BindNull(int index) {
  impl_->BindNull(index);
  return *this;
}

Statement& Statement::Bind(int index, const std::optional<std::int64_t>& value) {
  return value ? Bind(index, *value) : BindNull(index);
}

Result<void> Statement::Run() {
  for (;;) {
    auto row = Step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) return common::Ok();
  }
}

Result<Statement*> Database::Cached(const std::string& sql) {
  auto it = cached_.find(sql);
  if (it == cached_.end()) {
    auto prepared = Prepare(sql);
    if (!prepared) return tl::unexpected(prepared.error());
    it = cached_.emplace(sql, std::move(*prepared)).first;
  }
  it->second.Reset();
  return &it->second;
}

Result<std::unique_ptr<Database>> OpenDatabase(const std::string& location) {
  if (IsPostgresUri(location)) {
    auto db = PgDatabase::Open(location);
    if (!db) return tl::unexpected(db.error());
    return std::unique_ptr<Database>(std::move(*db));
  }
  auto db = SqliteDatabase::Open(location);
  if (!db) return tl::unexpected(db.error());
  return std::unique_ptr<Database>(std::move(*db));
}

Result<Transaction> Transaction::Begin(Database& db, Durability durability) {
  auto begun = db.BeginTransaction(durability);
  if (!begun) return tl::unexpected(begun.error());
  return Transaction(&db, durability);
}

Transaction::~Transaction() {
  if (db_ != nullptr) db_->RollbackTransaction(durability_);
}

Result<void> Transaction::Commit() {
  auto done = db_->CommitTransaction(durability_);
  // A failed COMMIT has ended the transaction on PostgreSQL; the
  // destructor's ROLLBACK is harmless on both engines.
  if (done) db_ = nullptr;
  return done;
}

}  // namespace staffgate::central
