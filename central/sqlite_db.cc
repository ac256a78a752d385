#include "central/sqlite_db.h"

#include <sqlite3.h>

namespace staffgate::central {

using common::ErrorKind;
using common::Fail;
using common::Result;

namespace {

class SqliteStatement final : public StatementImpl {
 public:
  SqliteStatement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;
  ~SqliteStatement() override { sqlite3_finalize(stmt_); }

  void BindText(int index, std::string_view text) override {
    sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  }
  void BindInt(int index, std::int64_t value) override { sqlite3_bind_int64(stmt_, index, value); }
  void BindNull(int index) override { sqlite3_bind_null(stmt_, index); }

  Result<bool> Step() override {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    ErrorKind kind = (rc & 0xff) == SQLITE_CONSTRAINT ? ErrorKind::kInvalidInput : ErrorKind::kIo;
    return Fail(kind, std::string("database: ") + sqlite3_errmsg(db_));
  }

  void Reset() override {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }

  std::string Text(int column) const override {
    const unsigned char* p = sqlite3_column_text(stmt_, column);
    int n = sqlite3_column_bytes(stmt_, column);
    return p != nullptr ? std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n))
                        : std::string();
  }
  std::int64_t Int(int column) const override { return sqlite3_column_int64(stmt_, column); }
  bool IsNull(int column) const override {
    return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

}  // namespace

Result<std::unique_ptr<SqliteDatabase>> SqliteDatabase::Open(const std::string& path) {
  sqlite3* raw = nullptr;
  int rc =
      sqlite3_open_v2(path.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  std::unique_ptr<SqliteDatabase> db(new SqliteDatabase(raw));
  if (rc != SQLITE_OK) {
    return Fail(ErrorKind::kIo, "cannot open database " + path + ": " +
                                    (raw != nullptr ? sqlite3_errmsg(raw) : "out of memory"));
  }
  sqlite3_busy_timeout(raw, 5000);
  sqlite3_extended_result_codes(raw, 1);
  for (const char* pragma :
       {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA foreign_keys=ON"}) {
    auto done = db->Exec(pragma);
    if (!done) return Fail(ErrorKind::kIo, path + ": " + done.error().message);
  }
  return db;
}

SqliteDatabase::~SqliteDatabase() {
  DropCached();
  if (db_ != nullptr) sqlite3_close_v2(db_);
}

Result<void> SqliteDatabase::Exec(const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err != nullptr ? err : "unknown error";
    sqlite3_free(err);
    return Fail(ErrorKind::kIo, "database: " + msg);
  }
  return common::Ok();
}

Result<Statement> SqliteDatabase::Prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr) !=
      SQLITE_OK) {
    return Fail(ErrorKind::kInternal, std::string("database: ") + sqlite3_errmsg(db_));
  }
  return Statement(std::make_unique<SqliteStatement>(db_, stmt));
}

std::int64_t SqliteDatabase::Changes() const { return sqlite3_changes64(db_); }

bool SqliteDatabase::LastErrorWasFull() const {
  return (sqlite3_errcode(db_) & 0xff) == SQLITE_FULL;
}

Result<void> SqliteDatabase::BeginTransaction(Durability durability) {
  const bool relaxed = durability == Durability::kRelaxed;
  if (relaxed) {
    auto set = Exec("PRAGMA synchronous=NORMAL");
    if (!set) return tl::unexpected(set.error());
  }
  auto begun = Exec("BEGIN IMMEDIATE");
  if (!begun) {
    // Best effort: the BEGIN error is the one to report.
    RestoreSync(durability);
    return tl::unexpected(begun.error());
  }
  return common::Ok();
}

void SqliteDatabase::RestoreSync(Durability durability) {
  // Best effort: a failure leaves NORMAL, which is still crash-consistent.
  if (durability == Durability::kRelaxed) (void)Exec("PRAGMA synchronous=FULL");
}

Result<void> SqliteDatabase::CommitTransaction(Durability durability) {
  auto done = Exec("COMMIT");
  if (done) RestoreSync(durability);
  return done;
}

void SqliteDatabase::RollbackTransaction(Durability durability) {
  (void)Exec("ROLLBACK");  // Fails only if nothing is open: then nothing to undo.
  RestoreSync(durability);
}

}  // namespace staffgate::central
