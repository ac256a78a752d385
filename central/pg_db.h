// The PostgreSQL engine of database.h (docs/design.md §12), over the
// libpq layer of pg_conn.h. The store's SQL is written once with '?'
// placeholders; PgPlaceholders rewrites them to PostgreSQL's $1, $2, ...
// Each statement is sent with its parameters as text. A connection lost
// outside a transaction is re-opened by the next statement, so the central
// recovers from a restarted server without a restart of its own; within a
// transaction the loss fails the transaction (kIo). Not thread-safe: the
// owner (Store, EventStore) serialises access.
#ifndef STAFFGATE_CENTRAL_PG_DB_H_
#define STAFFGATE_CENTRAL_PG_DB_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "central/database.h"
#include "central/pg_conn.h"

namespace staffgate::central {

// `sql` with each '?' outside quotes ('...', "...") replaced by $1, $2, ...
// in order; `count` receives how many there were.
std::string PgPlaceholders(std::string_view sql, int* count);

class PgDatabase final : public Database {
 public:
  // Errors: as PgConnection::Connect.
  static common::Result<std::unique_ptr<PgDatabase>> Open(const std::string& uri);
  PgDatabase(const PgDatabase&) = delete;
  PgDatabase& operator=(const PgDatabase&) = delete;
  PgDatabase(PgDatabase&&) = delete;
  PgDatabase& operator=(PgDatabase&&) = delete;
  ~PgDatabase() override;

  Engine engine() const override { return Engine::kPostgres; }
  common::Result<void> Exec(const std::string& sql) override;
  common::Result<Statement> Prepare(std::string_view sql) override;
  std::int64_t Changes() const override { return changes_; }
  // SQLSTATE 53100: the server's disk is full.
  bool LastErrorWasFull() const override;
  // BEGIN (read committed); kRelaxed adds synchronous_commit=off for this
  // transaction only.
  common::Result<void> BeginTransaction(Durability durability) override;
  common::Result<void> CommitTransaction(Durability durability) override;
  void RollbackTransaction(Durability durability) override;

  // Within a transaction, a write (INSERT, UPDATE or DELETE without
  // RETURNING) may go out without waiting for its answer, the answers read
  // together before the next reading statement or at the commit: an
  // import's 100,000 writes cost a few hundred round trips instead of
  // 100,000. Its error then comes from that read or from Commit, and
  // Changes() says nothing about it. For owners that need no Changes() and
  // treat any error as the transaction's (Store); off by default.
  void SetWriteBatching(bool on) { batching_ = on; }

  // One statement with $n parameters (PgStatement's way in). Errors: as
  // pg_conn.h.
  common::Result<PgResult> Run(const std::string& sql, const std::vector<PgParam>& params);
  // A write without its answer when batching within a transaction, else
  // as Run.
  common::Result<void> Write(const std::string& sql, const std::vector<PgParam>& params);

 private:
  explicit PgDatabase(std::unique_ptr<PgConnection> conn) : conn_(std::move(conn)) {}
  // Re-opens a lost connection when no transaction was open on it.
  common::Result<void> EnsureUp();
  std::unique_ptr<PgConnection> conn_;
  std::int64_t changes_ = 0;
  bool in_transaction_ = false;
  bool batching_ = false;
};

}  // namespace staffgate::central

#endif  // STAFFGATE_CENTRAL_PG_DB_H_
