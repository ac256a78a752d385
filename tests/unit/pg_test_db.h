// The PostgreSQL of the [pg] unit tests: the server the pg_server ctest
// fixture started (tests/lib/pgserver.py), named by STAFFGATE_TEST_DATABASE,
// on which each test makes a database of its own, so tests stay
// independent and may run in parallel.
#ifndef STAFFGATE_TESTS_UNIT_PG_TEST_DB_H_
#define STAFFGATE_TESTS_UNIT_PG_TEST_DB_H_

#include <cstdlib>
#include <random>
#include <stdexcept>
#include <string>

#include "central/pg_conn.h"

namespace staffgate::testutil {

// The URI of a new empty database. Throws when the fixture's server is not
// there (the [.pg] tests run through ctest, which starts it).
inline std::string NewPgDatabase() {
  const char* base = std::getenv("STAFFGATE_TEST_DATABASE");
  if (base == nullptr || *base == '\0') {
    throw std::runtime_error(
        "STAFFGATE_TEST_DATABASE is unset: run the [pg] tests through ctest (fixture pg_server)");
  }
  auto conn = central::PgConnection::Connect(base);
  if (!conn) throw std::runtime_error(conn.error().message);
  std::random_device rd;
  const std::string name = "u_" + std::to_string(rd()) + "_" + std::to_string(rd());
  if (auto made = (*conn)->RunScript("CREATE DATABASE " + name); !made) {
    throw std::runtime_error(made.error().message);
  }
  std::string uri = base;
  const std::string from = ":///postgres?";
  const auto at = uri.find(from);
  if (at == std::string::npos) throw std::runtime_error("expected a ':///postgres?' URI");
  return uri.replace(at, from.size(), ":///" + name + "?");
}

}  // namespace staffgate::testutil

#endif  // STAFFGATE_TESTS_UNIT_PG_TEST_DB_H_
