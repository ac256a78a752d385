// The store's SQL on both engines (central/database.h): the statements
// whose dialects differ (upserts for INSERT OR REPLACE/IGNORE, the
// insertion order SQLite's rowid gives, substring search, identity
// columns, subquery aliases, serials taken in the database) give the same
// answers on SQLite and on the real PostgreSQL 15 of the pg_server fixture.
#include <catch2/catch.hpp>

#include "central/event_store.h"
#include "central/store.h"
#include "tests/lib/temp_dir.h"
#include "tests/unit/pg_test_db.h"

using namespace staffgate::central;
using staffgate::common::Json;
using staffgate::testutil::NewPgDatabase;
using staffgate::testutil::TempDir;

namespace {

void CheckStore(const std::string& location) {
  auto opened = Store::Open(location);
  REQUIRE(opened);
  Store& store = **opened;
  CHECK(store.SchemaVersion().value_or(0) == kSchemaVersion);
  CHECK_FALSE(Store::IsEmpty(location).value_or(true));

  // Insertion order of accounts (SQLite's rowid; PostgreSQL's rowid column).
  EmployeeRecord e;
  e.id = "E1";
  e.name = "Anna";
  e.accounts = {"zed", "amy", "mid"};
  e.credentials_reset_after = std::int64_t{1} << 33;
  REQUIRE(store.PutEmployee(e, 1700000000));
  // Upserts: ON CONFLICT DO NOTHING / DO UPDATE.
  REQUIRE(store.AddShared("sales"));
  REQUIRE(store.AddShared("sales"));
  AdminRecord admin;
  admin.name = "boss";
  admin.role = Role::kOwner;
  admin.password_hash = "h1";
  REQUIRE(store.PutAdmin(admin));
  admin.password_hash = "h2";
  admin.lockout.locked_until = 42;
  REQUIRE(store.PutAdmin(admin));
  auto admins = store.LoadAdmins();
  REQUIRE(admins);
  REQUIRE(admins->size() == 1);
  CHECK((*admins)[0] == admin);
  // Updates change their columns of an existing row only, and never bring
  // a removed administrator back.
  admin.password_hash = "h3";
  admin.lockout = {};
  REQUIRE(store.UpdateAdminPassword(admin));
  admin.lockout.locked_until = 7;
  REQUIRE(store.UpdateAdminLockout("boss", admin.lockout));
  admins = store.LoadAdmins();
  REQUIRE(admins);
  REQUIRE(admins->size() == 1);
  CHECK((*admins)[0] == admin);
  REQUIRE(store.DeleteAdmin("boss"));
  REQUIRE(store.UpdateAdminLockout("boss", admin.lockout));
  REQUIRE(store.UpdateAdminPassword(admin));
  admins = store.LoadAdmins();
  REQUIRE(admins);
  CHECK(admins->empty());
  REQUIRE(store.PutAdmin(admin));  // Back as it was, for what follows.

  auto state = store.LoadState();
  REQUIRE(state);
  CHECK(state->employees.at("E1").accounts == std::vector<std::string>{"zed", "amy", "mid"});
  CHECK(state->employees.at("E1").credentials_reset_after == std::int64_t{1} << 33);
  CHECK(state->shared_accounts.size() == 1);

  // Journal: identity/autoincrement seq, substring search for the report.
  for (const char* target : {"E1", "", "E2"}) {
    JournalEntry j;
    j.time = 1700000000;
    j.who = "boss";
    j.action = "employee.change";
    j.target = target;
    if (*target == '\0') j.after = Json{{"E1", Json{{"status", "terminated"}}}};
    REQUIRE(store.AppendJournal(j));
  }
  auto about = store.LoadJournalFor("E1", 10);
  REQUIRE(about);
  REQUIRE(about->size() == 2);
  CHECK((*about)[0].seq < (*about)[1].seq);

  // Serials taken in the database, never going back.
  auto txn = Transaction::Begin(store.db());
  REQUIRE(txn);
  CHECK(store.TakeSerial(0).value_or(0) == 1);
  CHECK(store.TakeSerial(10).value_or(0) == 11);
  CHECK(store.TakeSerial(3).value_or(0) == 12);
  PublishedRoster r{12, 1, 2, "envelope"};
  REQUIRE(store.SaveRoster(r));
  r.envelope = "again";
  REQUIRE(store.SaveRoster(r));  // Same serial: replaced.
  REQUIRE(txn->Commit());
  CHECK(store.SerialHighWater().value_or(0) == 12);
  auto latest = store.LatestRoster();
  REQUIRE((latest && *latest));
  CHECK((*latest)->envelope == "again");

  // Reopening migrates nothing and keeps everything.
  opened->reset();
  auto again = Store::Open(location);
  REQUIRE(again);
  CHECK((*again)->SerialHighWater().value_or(0) == 12);
}

void CheckEvents(const std::string& location) {
  auto opened = EventStore::Open(location, 0);
  REQUIRE(opened);
  EventStore& events = **opened;
  for (int i = 0; i < 5; ++i) {
    Json e{{"id", "ev" + std::to_string(i)},
           {"type", "decision"},
           {"account", "anna"},
           {"decision", i % 2 == 0 ? "allow" : "deny"}};
    CHECK(events.Insert(e, "WS-1", 1000 + i, 2000 + i).value_or(InsertOutcome::kFull) ==
          InsertOutcome::kInserted);
  }
  CHECK(events.Insert(Json{{"id", "ev0"}}, "WS-1", 1, 1).value_or(InsertOutcome::kFull) ==
        InsertOutcome::kDuplicate);
  CHECK(events.Count().value_or(0) == 5);
  EventQuery q;
  q.decision = "allow";
  q.limit = 2;
  auto newest = events.Query(q);
  REQUIRE(newest);
  REQUIRE(newest->size() == 2);
  CHECK((*newest)[0]["id"] == "ev2");  // The newest two, oldest first.
  CHECK((*newest)[1]["id"] == "ev4");
  CHECK((*newest)[1]["workstation"] == "WS-1");
  CHECK(events.PruneReceivedBefore(2003, 2).value_or(0) == 2);
  CHECK(events.PruneReceivedBefore(2003, 10).value_or(0) == 1);
  CHECK(events.Count().value_or(0) == 2);
  CHECK(events.UsedBytes().value_or(0) > 0);
}

}  // namespace

TEST_CASE("store engines: SQLite answers the dialect checks", "[central][store_engines]") {
  TempDir dir("store-engines");
  CHECK(Store::IsEmpty(dir.path() + "/central.db").value_or(false));
  CheckStore(dir.path() + "/central.db");
  CheckEvents(dir.path() + "/central-events.db");
}

TEST_CASE("store engines: PostgreSQL answers the dialect checks", "[central][.pg]") {
  const std::string uri = NewPgDatabase();
  CHECK(Store::IsEmpty(uri).value_or(false));
  CheckStore(uri);
  CheckEvents(uri);
}
