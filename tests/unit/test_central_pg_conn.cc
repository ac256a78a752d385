// The libpq layer (central/pg_conn.h, central/pg_db.h): placeholders, URI
// checks, and, against the real PostgreSQL 15 of the pg_server fixture
// ([.pg]), values, error kinds, transactions and a lost connection.
#include <catch2/catch.hpp>

#include "central/pg_conn.h"
#include "central/pg_db.h"
#include "tests/unit/pg_test_db.h"

using staffgate::common::ErrorKind;
using namespace staffgate::central;
using staffgate::testutil::NewPgDatabase;

namespace {

// SELECT COUNT(*) FROM t.
std::int64_t RowsOfT(Database& db) {
  auto sel = db.Prepare("SELECT COUNT(*) FROM t");
  REQUIRE(sel);
  REQUIRE(sel->Step());
  return sel->Int(0);
}

}  // namespace

TEST_CASE("pg: '?' placeholders become $n outside quotes", "[central][pg_layer]") {
  int n = 0;
  CHECK(PgPlaceholders("SELECT a FROM t WHERE b = ? AND c = '?' AND \"?\" = ?", &n) ==
        "SELECT a FROM t WHERE b = $1 AND c = '?' AND \"?\" = $2");
  CHECK(n == 2);
  CHECK(PgPlaceholders("SELECT 'it''s ?' , ?", &n) == "SELECT 'it''s ?' , $1");
  CHECK(n == 1);
  CHECK(PgPlaceholders("SELECT 1", &n) == "SELECT 1");
  CHECK(n == 0);
}

TEST_CASE("pg: a URI with a password is refused without echoing it", "[central][pg_layer]") {
  CHECK(CheckPostgresUri("postgresql://staffgate@db.example/central"));
  CHECK(CheckPostgresUri("postgresql:///central?host=/run/postgresql"));
  for (const char* uri : {"postgresql://staffgate:Sekr1t@db.example/central",
                          "postgres://u:Sekr1t@h:5432/d?sslmode=require",
                          "postgresql://db.example/central?sslmode=require&password=Sekr1t"}) {
    auto refused = CheckPostgresUri(uri);
    REQUIRE_FALSE(refused);
    CHECK(refused.error().kind == ErrorKind::kConfig);
    CHECK(refused.error().message.find("Sekr1t") == std::string::npos);
    CHECK(refused.error().message.find("PGPASSFILE") != std::string::npos);
    CHECK_FALSE(PgConnection::Connect(uri));  // Refused before any connection.
  }
}

TEST_CASE("pg: an unreachable server is kIo", "[central][pg_layer]") {
  auto db = PgDatabase::Open("postgresql:///x?host=/nonexistent-staffgate-dir&connect_timeout=2");
  REQUIRE_FALSE(db);
  CHECK(db.error().kind == ErrorKind::kIo);
}

TEST_CASE("pg: values round-trip as text, 64-bit integers and NULL", "[central][.pg]") {
  auto db = PgDatabase::Open(NewPgDatabase());
  REQUIRE(db);
  REQUIRE((*db)->Exec("CREATE TABLE t (k TEXT PRIMARY KEY, v BIGINT, s TEXT)"));
  auto ins = (*db)->Prepare("INSERT INTO t(k, v, s) VALUES (?, ?, ?)");
  REQUIRE(ins);
  REQUIRE(ins->Bind(1, "big").Bind(2, std::int64_t{1} << 40).Bind(3, "a'b\"c ?").Run());
  CHECK((*db)->Changes() == 1);
  ins->Reset();
  REQUIRE(ins->Bind(1, "null").Bind(2, std::optional<std::int64_t>()).Bind(3, "").Run());
  auto sel = (*db)->Prepare("SELECT k, v, s FROM t WHERE v IS NULL OR v > ? ORDER BY k");
  REQUIRE(sel);
  sel->Bind(1, std::int64_t{-1});
  auto row = sel->Step();
  REQUIRE(row);
  REQUIRE(*row);
  CHECK(sel->Text(0) == "big");
  CHECK(sel->Int(1) == std::int64_t{1} << 40);
  CHECK(sel->Text(2) == "a'b\"c ?");
  row = sel->Step();
  REQUIRE((row && *row));
  CHECK(sel->Text(0) == "null");
  CHECK(sel->IsNull(1));
  CHECK(sel->Int(1) == 0);
  row = sel->Step();
  REQUIRE(row);
  CHECK_FALSE(*row);
}

TEST_CASE("pg: error kinds say what to do", "[central][.pg]") {
  auto db = PgDatabase::Open(NewPgDatabase());
  REQUIRE(db);
  REQUIRE((*db)->Exec("CREATE TABLE t (k TEXT PRIMARY KEY, n BIGINT NOT NULL CHECK (n > 0))"));
  auto ins = (*db)->Prepare("INSERT INTO t(k, n) VALUES (?, ?)");
  REQUIRE(ins);
  REQUIRE(ins->Bind(1, "a").Bind(2, std::int64_t{1}).Run());
  ins->Reset();
  auto dup = ins->Bind(1, "a").Bind(2, std::int64_t{2}).Run();
  REQUIRE_FALSE(dup);
  CHECK(dup.error().kind == ErrorKind::kInvalidInput);  // 23505 unique_violation.
  CHECK(dup.error().message.find("23505") != std::string::npos);
  ins->Reset();
  auto check = ins->Bind(1, "b").Bind(2, std::int64_t{0}).Run();
  REQUIRE_FALSE(check);
  CHECK(check.error().kind == ErrorKind::kInvalidInput);  // 23514 check_violation.
  auto bad = (*db)->Exec("SELEKT 1");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().kind == ErrorKind::kInternal);
}

TEST_CASE("pg: transactions commit, roll back, and a failed statement fails the commit",
          "[central][.pg]") {
  auto db = PgDatabase::Open(NewPgDatabase());
  REQUIRE(db);
  REQUIRE((*db)->Exec("CREATE TABLE t (k TEXT PRIMARY KEY)"));
  {
    auto txn = Transaction::Begin(**db);
    REQUIRE(txn);
    REQUIRE((*db)->Exec("INSERT INTO t VALUES ('rolled back')"));
  }  // Destroyed uncommitted.
  CHECK(RowsOfT(**db) == 0);
  {
    auto txn = Transaction::Begin(**db, Durability::kRelaxed);
    REQUIRE(txn);
    REQUIRE((*db)->Exec("INSERT INTO t VALUES ('kept')"));
    REQUIRE(txn->Commit());
  }
  CHECK(RowsOfT(**db) == 1);
  {
    auto txn = Transaction::Begin(**db);
    REQUIRE(txn);
    REQUIRE((*db)->Exec("INSERT INTO t VALUES ('lost')"));
    CHECK_FALSE((*db)->Exec("INSERT INTO t VALUES ('kept')"));  // Aborts the transaction.
    auto committed = txn->Commit();
    REQUIRE_FALSE(committed);
    CHECK(committed.error().message.find("rolled back") != std::string::npos);
  }
  CHECK(RowsOfT(**db) == 1);
}

TEST_CASE("pg: a lost connection is kIo, then re-opened by the next statement", "[central][.pg]") {
  const std::string uri = NewPgDatabase();
  auto db = PgDatabase::Open(uri);
  REQUIRE(db);
  auto killer = PgDatabase::Open(uri);
  REQUIRE(killer);
  auto pid_stmt = (*db)->Prepare("SELECT pg_backend_pid()");
  REQUIRE(pid_stmt);
  REQUIRE(pid_stmt->Step());
  const std::int64_t pid = pid_stmt->Int(0);
  auto kill = (*killer)->Prepare("SELECT pg_terminate_backend(CAST(? AS INTEGER))");
  REQUIRE(kill);
  REQUIRE(kill->Bind(1, pid).Run());
  auto lost = (*db)->Exec("SELECT 1");
  REQUIRE_FALSE(lost);
  CHECK(lost.error().kind == ErrorKind::kIo);
  CHECK((*db)->Exec("SELECT 1"));  // Reconnected.

  // Within a transaction the loss fails the rest of it: no silent
  // half-transaction on a new connection.
  auto txn = Transaction::Begin(**db);
  REQUIRE(txn);
  pid_stmt->Reset();
  REQUIRE(pid_stmt->Step());
  kill->Reset();
  REQUIRE(kill->Bind(1, pid_stmt->Int(0)).Run());
  CHECK_FALSE((*db)->Exec("SELECT 1"));
  auto again = (*db)->Exec("SELECT 1");
  REQUIRE_FALSE(again);
  CHECK(again.error().kind == ErrorKind::kIo);
  CHECK_FALSE(txn->Commit());
  CHECK((*db)->Exec("SELECT 1"));  // After the transaction: reconnected.
}

TEST_CASE("pg: batched writes are read back in order and fail their transaction",
          "[central][.pg]") {
  auto db = PgDatabase::Open(NewPgDatabase());
  REQUIRE(db);
  (*db)->SetWriteBatching(true);
  REQUIRE((*db)->Exec("CREATE TABLE t (k BIGINT PRIMARY KEY)"));
  auto ins = (*db)->Cached("  insert INTO t(k) VALUES (?)");
  REQUIRE(ins);
  {
    // More than one pipeline's worth: drained on the way and by the read.
    auto txn = Transaction::Begin(**db);
    REQUIRE(txn);
    for (std::int64_t k = 0; k < PgConnection::kMaxQueued * 2 + 7; ++k) {
      (*ins)->Reset();
      REQUIRE((*ins)->Bind(1, k).Run());
    }
    CHECK(RowsOfT(**db) == PgConnection::kMaxQueued * 2 + 7);
    REQUIRE(txn->Commit());
  }
  {
    auto txn = Transaction::Begin(**db);
    REQUIRE(txn);
    (*ins)->Reset();
    REQUIRE((*ins)->Bind(1, std::int64_t{-1}).Run());
    (*ins)->Reset();
    REQUIRE((*ins)->Bind(1, std::int64_t{0}).Run());  // Duplicate: known only later.
    (*ins)->Reset();
    REQUIRE((*ins)->Bind(1, std::int64_t{-2}).Run());
    auto committed = txn->Commit();
    REQUIRE_FALSE(committed);
    CHECK(committed.error().kind == staffgate::common::ErrorKind::kInvalidInput);
  }
  CHECK(RowsOfT(**db) == PgConnection::kMaxQueued * 2 + 7);  // Nothing of the failed one.
  // Outside a transaction a write answers at once.
  (*ins)->Reset();
  auto dup = (*ins)->Bind(1, std::int64_t{0}).Run();
  REQUIRE_FALSE(dup);
  CHECK(dup.error().kind == staffgate::common::ErrorKind::kInvalidInput);
}
