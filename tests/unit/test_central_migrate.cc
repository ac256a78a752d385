// `staffgate-central migrate --to` pointing central.conf at PostgreSQL
// (WithDatabaseKey): the one key changes, everything else of the file is
// kept, and a value that would not read back is refused. The copy itself
// runs on a real PostgreSQL in tests/central/test_migrate.py.
#include <catch2/catch.hpp>
#include <string>

#include "central/migrate_command.h"

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

}  // namespace
}  // namespace staffgate::central
