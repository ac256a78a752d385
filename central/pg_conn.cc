#include "central/pg_conn.h"

#include <libpq-fe.h>

#include <cstdlib>

namespace staffgate::central {

using common::ErrorKind;
using common::Fail;
using common::Result;

namespace {

constexpr const char* kPassfileAdvice =
    "; central.conf never holds a password: put it in the file PGPASSFILE names (default "
    "~/.pgpass, mode 0600), one line host:port:database:user:password";

// libpq's messages end with a newline and may run over several lines.
std::string OneLine(const char* text) {
  std::string s = text != nullptr ? text : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  for (char& c : s) {
    if (c == '\n') c = ' ';
  }
  return s.empty() ? "no message from libpq" : s;
}

}  // namespace

Result<void> CheckPostgresUri(std::string_view uri) {
  const auto scheme = uri.find("://");
  if (scheme == std::string_view::npos) {
    return Fail(ErrorKind::kConfig, "expected a postgresql:// URI");
  }
  std::string_view rest = uri.substr(scheme + 3);
  const std::string_view authority = rest.substr(0, rest.find_first_of("/?"));
  const auto at = authority.rfind('@');
  if (at != std::string_view::npos && authority.substr(0, at).find(':') != std::string_view::npos) {
    return Fail(ErrorKind::kConfig,
                std::string("the URI carries a password (after the user name)") + kPassfileAdvice);
  }
  const auto query = rest.find('?');
  if (query != std::string_view::npos) {
    std::string_view params = rest.substr(query + 1);
    while (!params.empty()) {
      const auto amp = params.find('&');
      std::string_view param = params.substr(0, amp);
      if (param.substr(0, param.find('=')) == "password") {
        return Fail(
            ErrorKind::kConfig,
            std::string("the URI carries a password (parameter 'password')") + kPassfileAdvice);
      }
      params = amp == std::string_view::npos ? std::string_view() : params.substr(amp + 1);
    }
  }
  return common::Ok();
}

void PgResultFree::operator()(pg_result* result) const { PQclear(result); }

int PgRows(const PgResult& result) { return result ? PQntuples(result.get()) : 0; }

bool PgIsNull(const PgResult& result, int row, int column) {
  return PQgetisnull(result.get(), row, column) != 0;
}

std::string PgText(const PgResult& result, int row, int column) {
  const char* value = PQgetvalue(result.get(), row, column);
  return {value, static_cast<std::size_t>(PQgetlength(result.get(), row, column))};
}

std::int64_t PgChanged(const PgResult& result) {
  const char* tuples = result ? PQcmdTuples(result.get()) : "";
  return tuples[0] != '\0' ? std::strtoll(tuples, nullptr, 10) : 0;
}

Result<std::unique_ptr<PgConnection>> PgConnection::Connect(const std::string& uri) {
  if (auto ok = CheckPostgresUri(uri); !ok) return tl::unexpected(ok.error());
  // Later keywords override earlier ones, so the URI's own settings win.
  // TCP keepalives: a connection a firewall or a failed host dropped
  // silently is noticed within about 25 s, not the kernel's two hours.
  const char* keys[] = {"connect_timeout",
                        "keepalives_idle",
                        "keepalives_interval",
                        "keepalives_count",
                        "fallback_application_name",
                        "dbname",
                        nullptr};
  const char* values[] = {"10", "10", "5", "3", "staffgate-central", uri.c_str(), nullptr};
  pg_conn* raw = PQconnectdbParams(keys, values, 1);
  if (raw == nullptr) return Fail(ErrorKind::kIo, "database: out of memory connecting");
  std::unique_ptr<PgConnection> conn(new PgConnection(raw));
  if (PQstatus(raw) != CONNECTION_OK) {
    return Fail(ErrorKind::kIo,
                "cannot connect to the PostgreSQL database: " + OneLine(PQerrorMessage(raw)));
  }
  // Quiet: notices (e.g. "relation already exists, skipping") are not
  // errors and would otherwise go to stderr.
  PQsetNoticeProcessor(
      raw, [](void*, const char*) {}, nullptr);
  return conn;
}

PgConnection::~PgConnection() { PQfinish(conn_); }

Result<PgResult> PgConnection::Check(PgResult result) {
  const ExecStatusType status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
    last_sqlstate_.clear();
    return result;
  }
  const char* state = result ? PQresultErrorField(result.get(), PG_DIAG_SQLSTATE) : nullptr;
  last_sqlstate_ = state != nullptr ? state : "";
  const std::string message =
      "database: " + OneLine(result ? PQresultErrorMessage(result.get()) : PQerrorMessage(conn_)) +
      (last_sqlstate_.empty() ? "" : " (SQLSTATE " + last_sqlstate_ + ")");
  const std::string_view cls = std::string_view(last_sqlstate_).substr(0, 2);
  if (PQstatus(conn_) != CONNECTION_OK || last_sqlstate_.empty() || cls == "08" || cls == "53" ||
      last_sqlstate_.rfind("57P0", 0) == 0) {
    return Fail(ErrorKind::kIo, message);
  }
  if (cls == "23") return Fail(ErrorKind::kInvalidInput, message);
  // lock_not_available (a lock_timeout passed: another central holds the
  // row), deadlock_detected, serialization_failure: nothing changed, try
  // again (503).
  if (last_sqlstate_ == "55P03" || last_sqlstate_ == "40P01" || last_sqlstate_ == "40001") {
    return Fail(ErrorKind::kUnavailable, message);
  }
  return Fail(ErrorKind::kInternal, message);
}

Result<void> PgConnection::Queue(const std::string& sql, const std::vector<PgParam>& params) {
  if (queued_ >= kMaxQueued) {
    if (auto drained = Drain(); !drained) return drained;
  }
  if (PQpipelineStatus(conn_) == PQ_PIPELINE_OFF && PQenterPipelineMode(conn_) != 1) {
    return Fail(ErrorKind::kIo, "database: " + OneLine(PQerrorMessage(conn_)));
  }
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const PgParam& p : params) values.push_back(p ? p->c_str() : nullptr);
  if (PQsendQueryParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(),
                        nullptr, nullptr, 0) != 1) {
    return Fail(ErrorKind::kIo, "database: " + OneLine(PQerrorMessage(conn_)));
  }
  ++queued_;
  return common::Ok();
}

Result<void> PgConnection::Drain() {
  if (PQpipelineStatus(conn_) == PQ_PIPELINE_OFF) return common::Ok();
  Result<void> first = common::Ok();
  if (PQpipelineSync(conn_) != 1) {
    first = Fail(ErrorKind::kIo, "database: " + OneLine(PQerrorMessage(conn_)));
  } else {
    // Each queued statement answers with its results and a NULL; the
    // sync point answers PGRES_PIPELINE_SYNC. A lost connection answers
    // NULL for good.
    for (int nulls = 0; nulls <= queued_;) {
      PgResult result(PQgetResult(conn_));
      if (!result) {
        if (PQstatus(conn_) != CONNECTION_OK) break;
        ++nulls;
        continue;
      }
      const ExecStatusType status = PQresultStatus(result.get());
      if (status == PGRES_PIPELINE_SYNC) break;
      if (status == PGRES_PIPELINE_ABORTED) continue;  // Skipped after the first failure.
      auto checked = Check(std::move(result));
      if (!checked && first) first = tl::unexpected(checked.error());
    }
  }
  queued_ = 0;
  (void)PQexitPipelineMode(conn_);  // Fails only when the connection is gone.
  if (first && PQstatus(conn_) != CONNECTION_OK) {
    return Fail(ErrorKind::kIo,
                "database: the connection was lost: " + OneLine(PQerrorMessage(conn_)));
  }
  return first;
}

Result<PgResult> PgConnection::Run(const std::string& sql, const std::vector<PgParam>& params) {
  if (auto drained = Drain(); !drained) return tl::unexpected(drained.error());
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const PgParam& p : params) values.push_back(p ? p->c_str() : nullptr);
  return Check(PgResult(PQexecParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr,
                                     values.data(), nullptr, nullptr, 0)));
}

Result<PgResult> PgConnection::RunScript(const std::string& sql) {
  if (auto drained = Drain(); !drained) return tl::unexpected(drained.error());
  return Check(PgResult(PQexec(conn_, sql.c_str())));
}

bool PgConnection::Up() const { return PQstatus(conn_) == CONNECTION_OK; }

bool PgConnection::InTransaction() const {
  const PGTransactionStatusType status = PQtransactionStatus(conn_);
  return status == PQTRANS_INTRANS || status == PQTRANS_INERROR || status == PQTRANS_ACTIVE;
}

int PgConnection::Socket() const { return PQsocket(conn_); }

Result<std::vector<std::string>> PgConnection::TakeNotifications() {
  if (PQconsumeInput(conn_) == 0 || PQstatus(conn_) != CONNECTION_OK) {
    return Fail(ErrorKind::kIo,
                "lost the PostgreSQL connection: " + OneLine(PQerrorMessage(conn_)));
  }
  std::vector<std::string> channels;
  while (PGnotify* note = PQnotifies(conn_)) {
    channels.emplace_back(note->relname != nullptr ? note->relname : "");
    PQfreemem(note);
  }
  return channels;
}

Result<void> PgConnection::Reconnect() {
  queued_ = 0;
  PQreset(conn_);
  if (PQstatus(conn_) != CONNECTION_OK) {
    return Fail(ErrorKind::kIo,
                "cannot reconnect to the PostgreSQL database: " + OneLine(PQerrorMessage(conn_)));
  }
  return common::Ok();
}

}  // namespace staffgate::central
