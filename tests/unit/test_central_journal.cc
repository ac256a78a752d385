// The action journal (docs/design.md §11): every administrative change
// through the Service leaves one entry with who, when, what, before, after
// and from where; refusals and no-ops leave none; secrets never appear.
#include <catch2/catch.hpp>

#include "central/journal/actor.h"
#include "central/journal/state_diff.h"
#include "tests/unit/admin_world.h"

namespace {

using staffgate::central::Actor;
using staffgate::central::ActorScope;
using staffgate::central::EmployeeRecord;
using staffgate::central::JournalEntry;
using staffgate::central::JournalQuery;
using staffgate::central::Role;
using staffgate::central::TokenActor;
using staffgate::common::DumpJson;
using staffgate::common::EmployeeStatus;
using staffgate::common::Json;
using staffgate::testutil::AdminWorld;

EmployeeRecord Employee(const std::string& id, const std::string& account) {
  EmployeeRecord e;
  e.id = id;
  e.name = "Bob Jones";
  e.accounts = {account};
  return e;
}

std::vector<JournalEntry> All(AdminWorld& world) {
  auto entries = world.service->Actions(JournalQuery{});
  REQUIRE(entries);
  return *entries;
}

}  // namespace

TEST_CASE("journal: a status change is one entry with who, when, before, after, from",
          "[central][journal]") {
  AdminWorld world;
  ActorScope scope(Actor{"hilda", "192.0.2.7", Role::kHr});
  REQUIRE(world.service->AddEmployee(Employee("E1", "bjones")));
  world.clock.Advance(60);
  REQUIRE(world.service->SetStatus("E1", EmployeeStatus::kTerminated));
  auto entries = All(world);
  REQUIRE(entries.size() == 2);
  CHECK(entries[0].action == "employee.add");
  CHECK(entries[0].before.is_null());
  CHECK(entries[0].after["accounts"] == Json::array({"bjones"}));
  const JournalEntry& terminate = entries[1];
  CHECK(terminate.who == "hilda");
  CHECK(terminate.from == "192.0.2.7");
  CHECK(terminate.time == AdminWorld::kStart + 60);
  CHECK(terminate.action == "employee.terminate");
  CHECK(terminate.target == "E1");
  CHECK(terminate.before == Json{{"status", "active"}});
  CHECK(terminate.after == Json{{"status", "terminated"}});
  CHECK(terminate.seq > entries[0].seq);
}

TEST_CASE("journal: refusals and no-ops leave no entry, no actor, no entry", "[central][journal]") {
  AdminWorld world;
  REQUIRE(world.service->AddEmployee(Employee("E1", "bjones")));  // No scope: housekeeping.
  CHECK(All(world).empty());
  ActorScope scope(TokenActor("127.0.0.1"));
  CHECK_FALSE(world.service->SetStatus("E404", EmployeeStatus::kTerminated));
  CHECK_FALSE(world.service->AddEmployee(Employee("E1", "other")));
  REQUIRE(world.service->SetStatus("E1", EmployeeStatus::kActive));  // Already active.
  CHECK(All(world).empty());
  REQUIRE(world.service->SetStatus("E1", EmployeeStatus::kSuspended));
  auto entries = All(world);
  REQUIRE(entries.size() == 1);
  CHECK(entries[0].who == "admin-token");
}

TEST_CASE("journal: workstations, tokens and passwords never leave a secret",
          "[central][journal]") {
  AdminWorld world;
  ActorScope scope(TokenActor("127.0.0.1"));
  auto token = world.service->AddWorkstation("WS-1", {"sales"});
  REQUIRE(token);
  auto rotated = world.service->RotateWorkstationToken("WS-1");
  REQUIRE(rotated);
  REQUIRE(world.service->AddEmployee(Employee("E1", "bjones")));
  REQUIRE(world.service->StorePassword("E1", "$argon2id$v=19$m=8,t=1,p=1$c2FsdA$aGFzaA", true,
                                       std::nullopt));
  auto password = world.service->AddAdmin("alice", Role::kHr);
  REQUIRE(password);
  auto entries = All(world);
  REQUIRE(entries.size() == 5);
  CHECK(entries[0].action == "workstation.add");
  CHECK(entries[0].after["groups"] == Json::array({"sales"}));
  CHECK(entries[1].action == "workstation.rotate-token");
  CHECK(entries[1].before == Json{{"token", "old"}});
  CHECK(entries[1].after == Json{{"token", "new"}});
  CHECK(entries[3].action == "employee.set-password");
  CHECK(entries[4].action == "admin.add");
  CHECK(entries[4].after["role"] == "hr");
  const auto admin = world.service->FindAdmin("alice");
  REQUIRE(admin);
  for (const JournalEntry& e : entries) {
    const std::string text = DumpJson(e.before) + DumpJson(e.after);
    CHECK(text.find(*token) == std::string::npos);
    CHECK(text.find(*rotated) == std::string::npos);
    CHECK(text.find("argon2") == std::string::npos);
    CHECK(text.find(*password) == std::string::npos);
    CHECK(text.find(admin->password_hash) == std::string::npos);
  }
}

TEST_CASE("journal: an import is one entry, since and limit select entries", "[central][journal]") {
  AdminWorld world;
  ActorScope scope(TokenActor("127.0.0.1"));
  auto report = world.service->Import(
      "employee_id,name,accounts,status,groups\nE1,Ann,ann,active,*\nE2,Bo,bo,active,*\n");
  REQUIRE(report);
  staffgate::central::ImportOptions dry_run;
  dry_run.dry_run = true;
  auto dry = world.service->Import("employee_id,name,accounts,status,groups\nE3,Cy,cy,active,*\n",
                                   dry_run);
  REQUIRE(dry);
  world.clock.Advance(3600);
  REQUIRE(world.service->SetMaxWorkstationsPerAccount(3));
  auto entries = All(world);
  REQUIRE(entries.size() == 2);
  CHECK(entries[0].action == "import");
  CHECK(entries[0].after["employees"].size() == 2);
  CHECK(entries[1].action == "policy.set");
  CHECK(entries[1].after["policy"]["max_workstations_per_account"] == 3);
  auto recent = world.service->Actions(JournalQuery{AdminWorld::kStart + 1800, 1000});
  REQUIRE(recent);
  REQUIRE(recent->size() == 1);
  CHECK(recent->front().action == "policy.set");
  auto newest = world.service->Actions(JournalQuery{std::nullopt, 1});
  REQUIRE(newest);
  REQUIRE(newest->size() == 1);
  CHECK(newest->front().action == "policy.set");
}

TEST_CASE("journal: administrators' changes and a reopened central keep the journal",
          "[central][journal]") {
  AdminWorld world;
  {
    ActorScope scope(Actor{"olga", "10.0.0.9", Role::kOwner});
    REQUIRE(world.service->AddAdmin("bert", Role::kAuditor));
    REQUIRE(world.service->ResetAdminPassword("bert"));
    REQUIRE(world.service->RemoveAdmin("bert"));
    CHECK(world.service->RemoveAdmin("bert").error().kind ==
          staffgate::common::ErrorKind::kNotFound);
    CHECK_FALSE(world.service->AddAdmin("bad name", Role::kHr));
  }
  world.service.reset();
  world.service = world.Open();
  auto entries = All(world);
  REQUIRE(entries.size() == 3);
  CHECK(entries[0].action == "admin.add");
  CHECK(entries[1].action == "admin.reset-password");
  CHECK(entries[1].after["must_change_password"] == true);
  CHECK(entries[2].action == "admin.remove");
  CHECK(entries[2].after.is_null());
  CHECK(entries[2].who == "olga");
  CHECK(world.service->Admins().empty());
}

TEST_CASE("state diff: only changed fields, by kind and key", "[central][journal]") {
  staffgate::central::State before, after;
  before.employees["E1"] = Employee("E1", "ann");
  after = before;
  after.employees["E1"].groups = {"sales"};
  after.shared_accounts.insert("reception");
  auto diff = staffgate::central::DiffState(before, after);
  CHECK(diff.before == Json{{"employees", {{"E1", {{"groups", {"*"}}}}}},
                            {"shared_accounts", {{"reception", nullptr}}}});
  CHECK(diff.after == Json{{"employees", {{"E1", {{"groups", {"sales"}}}}}},
                           {"shared_accounts", {{"reception", Json::object()}}}});
  CHECK(staffgate::central::DerivedLabel(diff).action == "change");
  CHECK(staffgate::central::DiffState(before, before).empty());
}

TEST_CASE("state diff: one object named by the target is flattened, others not",
          "[central][journal]") {
  Json before = {{"employees", {{"E1", {{"status", "active"}}}}}};
  Json after = {{"employees", {{"E1", {{"status", "terminated"}}}}}};
  Json b = before, a = after;
  staffgate::central::FlattenSingle(b, a, "E2");
  CHECK(b == before);
  staffgate::central::FlattenSingle(b, a, "E1");
  CHECK(b == Json{{"status", "active"}});
  CHECK(a == Json{{"status", "terminated"}});
  Json two = {{"employees", {{"E1", nullptr}, {"E2", nullptr}}}};
  Json two_after = two;
  staffgate::central::FlattenSingle(two, two_after, "E1");
  CHECK(two["employees"].size() == 2);
}
