#include "central/sqlite_db.h"

#include <sqlite3.h>

namespace staffgate::central {

using common::ErrorKind;
using common::Fail;
using common::Result;

Statement::Statement(Statement&& other) noexcept : db_(other.db_), stmt_(other.stmt_) {
  other.stmt_ = nullptr;
}

Statement::~Statement() {
  if (stmt_ != nullptr) sqlite3_finalize(stmt_);
}

Statement& Statement::Bind(int index, std::string_view text) {
  sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::Bind(int index, std::int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}

Statement& Statement::BindNull(int index) {
  sqlite3_bind_null(stmt_, index);
  return *this;
}

Statement& Statement::Bind(int index, const std::optional<std::int64_t>& value) {
  return value ? Bind(index, *value) : BindNull(index);
}

Result<bool> Statement::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  ErrorKind kind = (rc & 0xff) == SQLITE_CONSTRAINT ? ErrorKind::kInvalidInput : ErrorKind::kIo;
  return Fail(kind, std::string("database: ") + sqlite3_errmsg(db_));
}

Result<void> Statement::Run() {
  for (;;) {
    auto row = Step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) return common::Ok();
  }
}

void Statement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::string Statement::Text(int column) const {
  const unsigned char* p = sqlite3_column_text(stmt_, column);
  int n = sqlite3_column_bytes(stmt_, column);
  return p != nullptr ? std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n))
                      : std::string();
}

std::int64_t Statement::Int(int column) const { return sqlite3_column_int64(stmt_, column); }

bool Statement::IsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

Result<std::unique_ptr<Database>> Database::Open(const std::string& path) {
  sqlite3* raw = nullptr;
  int rc =
      sqlite3_open_v2(path.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  std::unique_ptr<Database> db(new Database(raw));
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

Database::~Database() {
  cached_.clear();
  if (db_ != nullptr) sqlite3_close_v2(db_);
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

Result<void> Database::Exec(const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err != nullptr ? err : "unknown error";
    sqlite3_free(err);
    return Fail(ErrorKind::kIo, "database: " + msg);
  }
  return common::Ok();
}

Result<Statement> Database::Prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr) !=
      SQLITE_OK) {
    return Fail(ErrorKind::kInternal, std::string("database: ") + sqlite3_errmsg(db_));
  }
  return Statement(db_, stmt);
}

std::int64_t Database::Changes() const { return sqlite3_changes64(db_); }

int Database::LastErrorCode() const { return sqlite3_errcode(db_) & 0xff; }

Result<Transaction> Transaction::Begin(Database& db, Durability durability) {
  const bool relaxed = durability == Durability::kRelaxed;
  if (relaxed) {
    auto set = db.Exec("PRAGMA synchronous=NORMAL");
    if (!set) return tl::unexpected(set.error());
  }
  auto begun = db.Exec("BEGIN IMMEDIATE");
  if (!begun) {
    // Best effort: the BEGIN error is the one to report.
    if (relaxed) (void)db.Exec("PRAGMA synchronous=FULL");
    return tl::unexpected(begun.error());
  }
  return Transaction(&db, relaxed);
}

void Transaction::RestoreSync() {
  // Best effort: a failure leaves NORMAL, which is still crash-consistent.
  if (relaxed_ && (db_ != nullptr)) (void)db_->Exec("PRAGMA synchronous=FULL");
  relaxed_ = false;
}

Transaction::~Transaction() {
  if (db_ != nullptr) {
    (void)db_->Exec("ROLLBACK");  // Fails only if nothing is open: then nothing to undo.
    RestoreSync();
  }
}

Result<void> Transaction::Commit() {
  auto done = db_->Exec("COMMIT");
  if (done) {
    RestoreSync();
    db_ = nullptr;
  }
  return done;
}

}  // namespace staffgate::central
