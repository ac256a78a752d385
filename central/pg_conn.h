// A small RAII layer over libpq: one connection, results freed by their
// owner, parameters sent as text (the server infers their types from the
// statement), errors as values whose kind tells the caller what to do:
//   kIo           the connection is down or was lost (SQLSTATE class 08,
//                 an administrator shutdown 57P0x, out of disk 53xxx):
//                 refuse the write now, Reconnect() later;
//   kInvalidInput a constraint violation (SQLSTATE class 23);
//   kInternal     anything else (SQL the server does not understand).
// Messages carry the server's sentence and SQLSTATE, never the
// connection URI's secrets (a password is refused before connecting:
// CheckPostgresUri). Not thread-safe: one owner.
#ifndef STAFFGATE_CENTRAL_PG_CONN_H_
#define STAFFGATE_CENTRAL_PG_CONN_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

struct pg_conn;
struct pg_result;

namespace staffgate::central {

// Refuses a URI that carries a password (user:password@ or a password=
// parameter): the password belongs in the file PGPASSFILE names. The error
// (kConfig) names the key and the file, never the password itself.
common::Result<void> CheckPostgresUri(std::string_view uri);

struct PgResultFree {
  void operator()(pg_result* result) const;
};
using PgResult = std::unique_ptr<pg_result, PgResultFree>;

// Column values of a result (text format).
int PgRows(const PgResult& result);
bool PgIsNull(const PgResult& result, int row, int column);
std::string PgText(const PgResult& result, int row, int column);
// The rows a command changed ("" tags read as 0).
std::int64_t PgChanged(const PgResult& result);

// A parameter: text, or NULL.
using PgParam = std::optional<std::string>;

class PgConnection {
 public:
  // Connects to `uri` (checked by CheckPostgresUri first) with a 10 s
  // connect timeout unless the URI sets one. Errors: kConfig (refused
  // URI), kIo (unreachable, authentication failed).
  static common::Result<std::unique_ptr<PgConnection>> Connect(const std::string& uri);
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;
  ~PgConnection();

  // One statement with $1.. parameters. Errors: as the header says.
  common::Result<PgResult> Run(const std::string& sql, const std::vector<PgParam>& params);
  // One or more statements without parameters (schema scripts).
  common::Result<PgResult> RunScript(const std::string& sql);
  // Sends one statement without waiting for its answer (libpq's pipeline
  // mode): a transaction's writes cost one round trip together instead of
  // one each. The answers are read by Drain, which Run and RunScript call
  // first, and which runs by itself every kMaxQueued statements (so the
  // unread answers stay far below the socket buffer and neither side
  // blocks). Errors: kIo when the connection cannot send.
  common::Result<void> Queue(const std::string& sql, const std::vector<PgParam>& params);
  // Reads the answers of the queued statements; the first failure is the
  // result (the server skips the rest of the pipeline after it).
  common::Result<void> Drain();
  static constexpr int kMaxQueued = 256;
  // Whether the connection is up as far as libpq knows (a server gone
  // since the last statement is noticed by the next one).
  bool Up() const;
  // Whether a transaction is open (or failed and not yet rolled back).
  bool InTransaction() const;
  // Connects again with the same parameters. Errors: kIo.
  common::Result<void> Reconnect();
  // The connection's socket, to wait on for notifications (-1 when down).
  int Socket() const;
  // Reads what the server has sent and returns the channels of the
  // notifications it held (LISTEN), oldest first; never blocks.
  // Errors: kIo (the connection is lost).
  common::Result<std::vector<std::string>> TakeNotifications();
  // The SQLSTATE of the last failed statement ("" when none).
  const std::string& last_sqlstate() const { return last_sqlstate_; }

 private:
  explicit PgConnection(pg_conn* conn) : conn_(conn) {}
  common::Result<PgResult> Check(PgResult result);
  pg_conn* conn_;
  int queued_ = 0;
  std::string last_sqlstate_;
};

}  // namespace staffgate::central

#endif  // STAFFGATE_CENTRAL_PG_CONN_H_
