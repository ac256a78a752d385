#include "central/pg_db.h"

#include <libpq-fe.h>

#include <cctype>
#include <cstdlib>
#include <cstring>

namespace staffgate::central {

using common::ErrorKind;
using common::Fail;
using common::Result;

namespace {

// INSERT, UPDATE or DELETE without RETURNING: a statement with no rows.
bool IsPlainWrite(const std::string& sql) {
  std::string head;
  for (char c : sql) {
    if (head.empty() && (c == ' ' || c == '\n' || c == '\t')) continue;
    if (head.size() == 6) break;
    head += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  if (head != "INSERT" && head != "UPDATE" && head != "DELETE") return false;
  std::string upper;
  for (char c : sql) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return upper.find("RETURNING") == std::string::npos;
}

class PgStatement final : public StatementImpl {
 public:
  PgStatement(PgDatabase* db, std::string sql, int count)
      : db_(db),
        sql_(std::move(sql)),
        params_(static_cast<std::size_t>(count)),
        write_(IsPlainWrite(sql_)) {}

  void BindText(int index, std::string_view text) override { Slot(index) = std::string(text); }
  void BindInt(int index, std::int64_t value) override { Slot(index) = std::to_string(value); }
  void BindNull(int index) override { Slot(index).reset(); }

  Result<bool> Step() override {
    if (!executed_ && write_) {
      executed_ = true;
      row_ = 0;
      auto sent = db_->Write(sql_, params_);  // Maybe batched: no rows either way.
      if (!sent) return tl::unexpected(sent.error());
      return false;
    }
    if (!executed_) {
      auto result = db_->Run(sql_, params_);
      if (!result) return tl::unexpected(result.error());
      result_ = std::move(*result);
      executed_ = true;
      row_ = 0;
    } else if (row_ < PgRows(result_)) {
      ++row_;
    }
    return row_ < PgRows(result_);
  }

  void Reset() override {
    result_.reset();
    executed_ = false;
    row_ = 0;
    for (PgParam& p : params_) p.reset();
  }

  std::string Text(int column) const override {
    return Valid(column) ? PgText(result_, row_, column) : std::string();
  }
  std::int64_t Int(int column) const override {
    return Valid(column) ? std::strtoll(PQgetvalue(result_.get(), row_, column), nullptr, 10) : 0;
  }
  bool IsNull(int column) const override {
    return !Valid(column) || PgIsNull(result_, row_, column);
  }

 private:
  // Out-of-range binds are ignored, as SQLite ignores them (SQLITE_RANGE).
  PgParam& Slot(int index) {
    static thread_local PgParam ignored;
    if (index < 1 || static_cast<std::size_t>(index) > params_.size()) return ignored;
    return params_[static_cast<std::size_t>(index) - 1];
  }
  bool Valid(int column) const {
    return result_ && row_ < PgRows(result_) && column >= 0 && column < PQnfields(result_.get());
  }

  PgDatabase* db_;
  std::string sql_;
  std::vector<PgParam> params_;
  bool write_;  // Returns no rows: may be batched (PgDatabase::SetWriteBatching).
  PgResult result_;
  bool executed_ = false;
  int row_ = 0;
};

}  // namespace

std::string PgPlaceholders(std::string_view sql, int* count) {
  std::string out;
  out.reserve(sql.size() + 16);
  int n = 0;
  char quote = 0;
  for (char c : sql) {
    if (quote != 0) {
      if (c == quote) quote = 0;  // A doubled quote closes and reopens: same result.
      out += c;
    } else if (c == '\'' || c == '"') {
      quote = c;
      out += c;
    } else if (c == '?') {
      out += '$' + std::to_string(++n);
    } else {
      out += c;
    }
  }
  if (count != nullptr) *count = n;
  return out;
}

Result<std::unique_ptr<PgDatabase>> PgDatabase::Open(const std::string& uri) {
  auto conn = PgConnection::Connect(uri);
  if (!conn) return tl::unexpected(conn.error());
  return std::unique_ptr<PgDatabase>(new PgDatabase(std::move(*conn)));
}

PgDatabase::~PgDatabase() { DropCached(); }

Result<void> PgDatabase::EnsureUp() {
  if (conn_->Up()) return common::Ok();
  if (in_transaction_) {
    return Fail(ErrorKind::kIo, "database: the connection was lost within a transaction");
  }
  return conn_->Reconnect();
}

Result<PgResult> PgDatabase::Run(const std::string& sql, const std::vector<PgParam>& params) {
  if (auto up = EnsureUp(); !up) return tl::unexpected(up.error());
  auto result = conn_->Run(sql, params);
  changes_ = result ? PgChanged(*result) : 0;
  return result;
}

Result<void> PgDatabase::Write(const std::string& sql, const std::vector<PgParam>& params) {
  if (!batching_ || !in_transaction_) {
    auto result = Run(sql, params);
    if (!result) return tl::unexpected(result.error());
    return common::Ok();
  }
  changes_ = 0;
  return conn_->Queue(sql, params);
}

Result<void> PgDatabase::Exec(const std::string& sql) {
  if (auto up = EnsureUp(); !up) return up;
  auto result = conn_->RunScript(sql);
  if (!result) return tl::unexpected(result.error());
  changes_ = PgChanged(*result);
  return common::Ok();
}

Result<Statement> PgDatabase::Prepare(std::string_view sql) {
  int count = 0;
  std::string text = PgPlaceholders(sql, &count);
  return Statement(std::make_unique<PgStatement>(this, std::move(text), count));
}

bool PgDatabase::LastErrorWasFull() const { return conn_->last_sqlstate() == "53100"; }

Result<void> PgDatabase::BeginTransaction(Durability durability) {
  if (auto up = EnsureUp(); !up) return up;
  const char* sql =
      durability == Durability::kRelaxed ? "BEGIN; SET LOCAL synchronous_commit = off" : "BEGIN";
  auto begun = conn_->RunScript(sql);
  if (!begun) {
    if (conn_->InTransaction()) (void)conn_->RunScript("ROLLBACK");
    return tl::unexpected(begun.error());
  }
  in_transaction_ = true;
  return common::Ok();
}

Result<void> PgDatabase::CommitTransaction(Durability /*durability*/) {
  if (auto drained = conn_->Drain(); !drained) {
    // The transaction is aborted on the server: end it; the caller's
    // error is the write's.
    in_transaction_ = false;
    if (conn_->Up()) (void)conn_->RunScript("ROLLBACK");
    return drained;
  }
  auto done = conn_->RunScript("COMMIT");
  in_transaction_ = false;
  if (!done) return tl::unexpected(done.error());
  // COMMIT of a transaction a failed statement aborted answers ROLLBACK.
  if (std::strcmp(PQcmdStatus(done->get()), "ROLLBACK") == 0) {
    return Fail(ErrorKind::kInternal, "database: the transaction failed and was rolled back");
  }
  return common::Ok();
}

void PgDatabase::RollbackTransaction(Durability /*durability*/) {
  in_transaction_ = false;
  (void)conn_->Drain();  // The answers of writes that no longer matter.
  // Nothing to undo on a lost connection: the server rolled it back.
  if (conn_->Up() && conn_->InTransaction()) (void)conn_->RunScript("ROLLBACK");
}

}  // namespace staffgate::central
