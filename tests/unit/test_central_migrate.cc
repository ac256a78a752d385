// `staffgate-central migrate`: pointing central.conf at PostgreSQL
// (WithDatabaseKey: the one key changes, everything else of the file is
// kept, a value that would not read back is refused), and the schema
// upgrade of an old SQLite database keeping its events. The copy itself
// runs on a real PostgreSQL in tests/central/test_migrate.py.
#include <catch2/catch.hpp>
#include <fstream>
#include <string>

#include "central/database.h"
#include "central/migrate_command.h"
#include "central/store.h"
#include "tests/lib/temp_dir.h"

namespace staffgate::central {
namespace {

constexpr char kUri[] = "postgresql:///staffgate?host=/run/postgresql";

TEST_CASE("migrate: the database key is replaced in place, comments and keys kept",
          "[central][migrate]") {
  const std::string conf =
      "# The central.\nlisten = \"127.0.0.1:8443\"\n  database   = \"sqlite\"  # here\n"
      "db = \"central.db\"\n";
  auto out = WithDatabaseKey(conf, kUri, "central.conf");
  REQUIRE(out);
  CHECK(*out == std::string("# The central.\nlisten = \"127.0.0.1:8443\"\ndatabase = \"") + kUri +
                    "\"\ndb = \"central.db\"\n");
}

TEST_CASE("migrate: a file without the key gets it, a look-alike key is left alone",
          "[central][migrate]") {
  auto out = WithDatabaseKey("# database = \"old\"\nlisten = \"127.0.0.1:9\"", kUri, "c.conf");
  REQUIRE(out);
  CHECK(*out == std::string("# database = \"old\"\nlisten = \"127.0.0.1:9\"\ndatabase = \"") +
                    kUri + "\"\n");
}

TEST_CASE("migrate: a value that would not read back is refused, naming the file",
          "[central][migrate]") {
  auto quoted = WithDatabaseKey("listen = \"127.0.0.1:9\"\n", "postgresql:///x\"y", "c.conf");
  REQUIRE_FALSE(quoted);
  CHECK(quoted.error().message.find("c.conf") != std::string::npos);
  auto password = WithDatabaseKey("listen = \"127.0.0.1:9\"\n", "postgresql://u:pw@h/x", "c.conf");
  REQUIRE_FALSE(password);
  CHECK(password.error().message.find("pw") == std::string::npos);
}

TEST_CASE("migrate: a schema 2 database hands its events to the event file before upgrading",
          "[central][migrate]") {
  testutil::TempDir dir("migrate");
  const std::string db = dir.path() + "/central.db";
  {
    auto old = Store::OpenAtVersion(db, 2);
    REQUIRE(old);
    // Schema 2 kept events in the main database; migration 3 drops them.
    REQUIRE((*old)->db().Exec(
        "INSERT INTO events(id, time_ms, workstation, type, account, decision, body, "
        "received_ms) VALUES ('ev-1', 1000, 'WS1', 'auth', 'asmith', 'allow', "
        "'{\"id\":\"ev-1\"}', 1000)"));
  }
  const std::string conf = dir.path() + "/central.conf";
  std::ofstream(conf) << "listen = \"127.0.0.1:9\"\n";
  auto done = MigrateCentral(MigrateOptions{conf, ""});
  REQUIRE(done);
  CHECK(done->find("schema version " + std::to_string(kSchemaVersion)) != std::string::npos);
  auto events = OpenDatabase(dir.path() + "/central-events.db");
  REQUIRE(events);
  auto count = (*events)->Prepare("SELECT COUNT(*) FROM events WHERE id = 'ev-1'");
  REQUIRE(count);
  REQUIRE(*count->Step());
  CHECK(count->Int(0) == 1);
}

}  // namespace
}  // namespace staffgate::central
