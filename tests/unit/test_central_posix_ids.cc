// Unix ids at the central (docs/design.md §9): uid allocation, adoption,
// exhaustion, persistence across restart, import and the schema upgrade.
#include <catch2/catch.hpp>

#include "tests/unit/posix_world.h"

using namespace staffgate::posix_world;

TEST_CASE("posix ids: serial uids per account, stable across every change", "[central][posix]") {
  PosixWorld w;
  Service& s = w.Open();
  REQUIRE(s.AddEmployee(Employee("E1", {"asmith", "asmith2"})));
  REQUIRE(s.AddEmployee(Employee("E2", {"bjones"})));
  CHECK(w.Uids("E1") == Uids{{"asmith", 20000}, {"asmith2", 20001}});
  CHECK(w.Uids("E2") == Uids{{"bjones", 20002}});
  REQUIRE(s.SetStatus("E1", EmployeeStatus::kTerminated));
  REQUIRE(s.SetStatus("E2", EmployeeStatus::kSuspended));
  REQUIRE(s.ResetCredentials("E2"));
  REQUIRE(s.AddShared("sales"));
  CHECK(w.Uids("E1") == Uids{{"asmith", 20000}, {"asmith2", 20001}});  // Terminated keeps them.
  CHECK(w.Uids("E2") == Uids{{"bjones", 20002}});
  REQUIRE(s.AddEmployee(Employee("E3", {"cy"})));
  CHECK(w.Uids("E3") == Uids{{"cy", 20003}});
}

TEST_CASE("posix ids: a removed account's uid is never handed out again", "[central][posix]") {
  PosixWorld w;
  Service& s = w.Open();
  REQUIRE(s.Import("E1,A,anna;old,active,*\nE2,B,bob,active,*\n"));
  CHECK(w.Uids("E1") == Uids{{"anna", 20000}, {"old", 20001}});
  // "old" leaves E1, "new" arrives: a fresh uid, never 20001.
  REQUIRE(s.Import("E1,A,anna;new,active,*\n"));
  CHECK(w.Uids("E1") == Uids{{"anna", 20000}, {"new", 20003}});
  // Back on the same employee, the account gets its own uid back.
  REQUIRE(s.Import("E1,A,anna;new;old,active,*\n"));
  CHECK(w.Uids("E1") == Uids{{"anna", 20000}, {"new", 20003}, {"old", 20001}});
  // An account that moves to another employee is another person's: a new uid.
  REQUIRE(s.Import("E1,A,anna;new,active,*\nE2,B,bob;old,active,*\n"));
  CHECK(w.Uids("E2") == Uids{{"bob", 20002}, {"old", 20004}});
}

TEST_CASE("posix ids: import keeps the uids of existing accounts", "[central][posix]") {
  PosixWorld w;
  Service& s = w.Open();
  REQUIRE(s.AddEmployee(Employee("E2", {"bjones"})));
  REQUIRE(s.AddEmployee(Employee("E1", {"asmith"})));
  auto report = s.Import(
      "employee_id,name,accounts,status,groups\n"
      "E1,Name of E1,asmith,active,*\n"
      "E2,Bob,bjones,terminated,sales\n"
      "E0,New,newbie,active,*\n");
  REQUIRE(report);
  CHECK(report->unchanged == std::vector<std::string>{"E1"});
  REQUIRE(report->changed.size() == 1);
  CHECK(report->changed[0].id == "E2");
  CHECK(w.Uids("E2") == Uids{{"bjones", 20000}});
  CHECK(w.Uids("E1") == Uids{{"asmith", 20001}});
  CHECK(w.Uids("E0") == Uids{{"newbie", 20002}});
}

TEST_CASE("posix ids: adopt a uid, a taken or unusable one is refused whole", "[central][posix]") {
  PosixWorld w;
  Service& s = w.Open();
  REQUIRE(s.AddEmployee(Employee("E1", {"asmith"})));  // 20000
  auto adopted = s.AddEmployee(Employee("E2", {"bjones", "bj2"}, {{"bjones", 1005}}));
  REQUIRE(adopted);
  CHECK(adopted->uids == Uids{{"bjones", 1005}, {"bj2", 20001}});
  // Adopting inside the range is allowed; the serial sequence steps over it.
  REQUIRE(s.AddEmployee(Employee("E3", {"cy"}, {{"cy", 20002}})));
  REQUIRE(s.AddEmployee(Employee("E4", {"dd"})));
  CHECK(w.Uids("E4") == Uids{{"dd", 20003}});

  const auto serial = s.Current()->serial;
  auto taken = s.AddEmployee(Employee("E5", {"ee"}, {{"ee", 1005}}));
  REQUIRE_FALSE(taken);
  CHECK(taken.error().kind == ErrorKind::kInvalidInput);
  CHECK(taken.error().message ==
        "uid 1005 is already the uid of account 'bjones' (employee E2); "
        "account 'ee' cannot adopt it");
  for (std::uint32_t bad : {0U, 999U, 65534U, 65535U, 2147483647U}) {
    auto refused = s.AddEmployee(Employee("E5", {"ee"}, {{"ee", bad}}));
    REQUIRE_FALSE(refused);
    CHECK_THAT(refused.error().message, Catch::Contains("cannot be used"));
  }
  CHECK_FALSE(s.AddEmployee(Employee("E5", {"ee"}, {{"other", 1006}})));
  CHECK(s.Current()->serial == serial);
  CHECK(s.Employees().size() == 4);
}

TEST_CASE("posix ids: a full uid_range is a clear error and changes nothing", "[central][posix]") {
  PosixWorld w;
  w.options.uid_range = IdRange{5000, 5002};
  Service& s = w.Open();
  REQUIRE(s.AddEmployee(Employee("E1", {"a1", "a2"})));
  const auto serial = s.Current()->serial;
  auto full = s.AddEmployee(Employee("E2", {"b1", "b2"}));
  REQUIRE_FALSE(full);
  CHECK(full.error().message ==
        "uid_range [5000, 5002] is full: no uid left for account 'b2' of employee E2; "
        "widen uid_range in central.conf");
  CHECK(s.Current()->serial == serial);
  CHECK(s.Employees().size() == 1);
  auto import = s.Import("E2,B,b1,active,*\nE3,C,c1,active,*\n");
  REQUIRE_FALSE(import);
  CHECK(s.Employees().size() == 1);
  // Nothing was spent by the refused changes: the last uid is still there.
  REQUIRE(s.AddEmployee(Employee("E2", {"b1"})));
  CHECK(w.Uids("E2") == Uids{{"b1", 5002}});
}

TEST_CASE("posix ids: uids and groups survive a restart, the sequence goes on",
          "[central][posix]") {
  PosixWorld w;
  {
    Service& s = w.Open();
    REQUIRE(s.AddEmployee(Employee("E1", {"asmith"})));
    REQUIRE(s.AddEmployee(Employee("E2", {"bjones"}, {{"bjones", 1500}})));
    REQUIRE(s.Import("E1,A,asmith;gone,active,*\n"));
    REQUIRE(s.Import("E1,A,asmith,active,*\n"));  // "gone" (20001) leaves.
    REQUIRE(s.AddPosixGroup("finance-data", std::nullopt, false, {"finance"}));
    REQUIRE(s.AddPosixGroup("old-group", std::nullopt, false, {"sales"}));
    REQUIRE(s.RemovePosixGroup("old-group"));
  }
  Service& s = w.Open();
  const auto serial = s.Current()->serial;
  CHECK(w.Uids("E1") == Uids{{"asmith", 20000}});
  CHECK(w.Uids("E2") == Uids{{"bjones", 1500}});
  REQUIRE(s.AddEmployee(Employee("E3", {"cy"})));
  CHECK(w.Uids("E3") == Uids{{"cy", 20002}});
  auto g = s.AddPosixGroup("more", std::nullopt, false, {"x"});
  REQUIRE(g);
  CHECK(g->gid == 30002U);  // 30001 went to the removed old-group.
  CHECK(s.Current()->serial == serial + 2);
}

TEST_CASE("posix ids: a database of schema 2 upgrades through 3 and 4, its accounts get uids",
          "[central][posix]") {
  PosixWorld w;
  {
    auto store = Store::OpenAtVersion(w.options.db_path, 2);
    REQUIRE(store);
    CHECK(*(*store)->SchemaVersion() == 2);
    REQUIRE((*store)->PutEmployee(Employee("E2", {"bjones"}), 1));
    REQUIRE((*store)->PutEmployee(Employee("E1", {"asmith", "a2"}), 1));
    // An event in the main database, as schema 2 kept them (migration 3
    // hands it to the event store).
    REQUIRE((*store)->db().Exec(
        "INSERT INTO events(id, time_ms, workstation, type, account, decision, body, "
        "received_ms) VALUES ('ev-1', 1000, 'WS1', 'auth', 'asmith', 'allow', "
        "'{\"id\":\"ev-1\"}', 1000)"));
  }
  Service& s = w.Open();
  auto events = s.Events(staffgate::central::EventQuery{});
  REQUIRE(events);
  REQUIRE(events->size() == 1);
  CHECK((*events)[0]["id"] == "ev-1");
  CHECK(w.Uids("E1") == Uids{{"asmith", 20000}, {"a2", 20001}});
  CHECK(w.Uids("E2") == Uids{{"bjones", 20002}});
  Json payload = w.Payload();
  CHECK(payload["employees"][0]["posix"] ==
        Json::parse(R"({"a2":{"uid":20001},"asmith":{"uid":20000}})"));
  // A second start finds them stored and publishes nothing new.
  const auto serial = s.Current()->serial;
  w.Open();
  CHECK(w.service->Current()->serial == serial);
  CHECK(w.Uids("E1") == Uids{{"asmith", 20000}, {"a2", 20001}});
  w.service.reset();
  auto store = Store::Open(w.options.db_path);
  REQUIRE(store);
  CHECK(*(*store)->SchemaVersion() == staffgate::central::kSchemaVersion);
  auto old_events = (*store)->db().Prepare(
      "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'events'");
  REQUIRE(old_events);
  REQUIRE(*old_events->Step());
  CHECK(old_events->Int(0) == 0);
}
