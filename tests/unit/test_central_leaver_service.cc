// The leaver report through the Service (docs/design.md §11): the journal
// records the serial a change published, the report reads it, refuses an
// unknown or not-terminated employee, and follows a workstation from not
// confirmed to confirmed; a scheduled termination names the central.
#include <catch2/catch.hpp>

#include "central/api/admin.h"
#include "central/journal/actor.h"
#include "tests/unit/admin_world.h"

namespace {

using staffgate::central::Actor;
using staffgate::central::ActorScope;
using staffgate::central::EmployeeRecord;
using staffgate::central::JournalQuery;
using staffgate::central::Role;
using staffgate::common::EmployeeStatus;
using staffgate::common::ErrorKind;
using staffgate::testutil::AdminWorld;

void AddBob(AdminWorld& world) {
  EmployeeRecord e;
  e.id = "E100";
  e.name = "Bob Jones";
  e.accounts = {"bjones"};
  REQUIRE(world.service->AddEmployee(e));
}

}  // namespace

TEST_CASE("leaver service: the journal keeps the serial each change published",
          "[central][report]") {
  AdminWorld world;
  ActorScope scope(Actor{"hilda", "192.0.2.7", Role::kHr});
  AddBob(world);
  REQUIRE(world.service->SetStatus("E100", EmployeeStatus::kTerminated));
  auto entries = world.service->Actions(JournalQuery{});
  REQUIRE(entries);
  REQUIRE(entries->size() == 2);
  CHECK(entries->back().serial == std::optional<std::uint64_t>(world.service->Current()->serial));
  CHECK(*entries->front().serial < *entries->back().serial);
  REQUIRE(world.service->AddAdmin("audrey", Role::kAuditor));
  entries = world.service->Actions(JournalQuery{});
  REQUIRE(entries);
  CHECK_FALSE(entries->back().serial.has_value());  // Publishes no roster.
}

TEST_CASE("leaver service: unknown and not terminated are refused", "[central][report]") {
  AdminWorld world;
  ActorScope scope(Actor{"hilda", "192.0.2.7", Role::kHr});
  AddBob(world);
  auto unknown = world.service->BuildLeaverReport("E999");
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().kind == ErrorKind::kNotFound);
  CHECK(unknown.error().message == "no employee with id 'E999'");
  auto active = world.service->BuildLeaverReport("E100");
  REQUIRE_FALSE(active);
  CHECK(active.error().kind == ErrorKind::kInvalidInput);
}

TEST_CASE("leaver service: a workstation confirms once it reports the serial",
          "[central][report]") {
  AdminWorld world;
  ActorScope scope(Actor{"hilda", "192.0.2.7", Role::kHr});
  AddBob(world);
  REQUIRE(world.service->AddWorkstation("SVC-01", {}));
  REQUIRE(world.service->AddWorkstation("SVC-02", {}));
  world.clock.Advance(60);
  REQUIRE(world.service->SetStatus("E100", EmployeeStatus::kTerminated));
  const std::uint64_t serial = world.service->Current()->serial;
  world.service->RecordContact("SVC-01", serial, "staffgated/test");
  world.service->RecordInstalled("SVC-01", serial, serial);
  auto report = world.service->BuildLeaverReport("E100");
  REQUIRE(report);
  CHECK(report->termination.by == "hilda");
  CHECK(report->termination.serial == std::optional<std::uint64_t>(serial));
  CHECK(report->termination.at == std::optional<std::int64_t>(AdminWorld::kStart + 60));
  REQUIRE(report->workstations.size() == 2);
  CHECK(report->workstations[0].confirmed);
  CHECK_FALSE(report->workstations[1].confirmed);
  world.clock.Advance(30);
  world.service->RecordInstalled("SVC-02", serial, serial);
  report = world.service->BuildLeaverReport("E100");
  REQUIRE(report);
  CHECK(report->Confirmed() == 2);
  CHECK(report->workstations[1].confirmed_at ==
        std::optional<std::int64_t>(AdminWorld::kStart + 90));
}

TEST_CASE("leaver service: a scheduled termination is carried out by the central",
          "[central][report]") {
  AdminWorld world;
  std::uint64_t scheduling_serial = 0;
  {
    ActorScope scope(Actor{"hilda", "192.0.2.7", Role::kHr});
    AddBob(world);
    REQUIRE(
        world.service->SetStatus("E100", EmployeeStatus::kTerminated, AdminWorld::kStart + 3600));
    scheduling_serial = world.service->Current()->serial;
  }
  world.clock.Advance(3600);
  auto applied = world.service->ApplyDueChanges();  // The runner: no actor.
  REQUIRE(applied);
  REQUIRE(applied->size() == 1);
  auto report = world.service->BuildLeaverReport("E100");
  REQUIRE(report);
  CHECK(report->termination.scheduled);
  CHECK(report->termination.scheduled_by == "hilda");
  CHECK(report->termination.scheduled_serial == std::optional<std::uint64_t>(scheduling_serial));
  CHECK(report->termination.serial ==
        std::optional<std::uint64_t>(world.service->Current()->serial));
  CHECK(report->termination.at == std::optional<std::int64_t>(AdminWorld::kStart + 3600));
}

TEST_CASE("leaver service: the reports route, its roles, formats and refusals",
          "[central][report]") {
  AdminWorld world;
  staffgate::central::Metrics metrics;
  staffgate::central::WaitHub hub;
  auto call = [&](Role role, const std::string& path, const std::string& query = "",
                  const std::string& method = "GET") {
    ActorScope scope(Actor{"someone", "192.0.2.9", role});
    staffgate::central::ApiRequest http;
    http.method = method;
    http.target = path;
    return staffgate::central::DispatchAdmin(
        staffgate::central::AdminContext{*world.service, metrics, hub}, http, path, query,
        staffgate::central::PathSegments(path));
  };
  {
    ActorScope scope(Actor{"hilda", "192.0.2.7", Role::kHr});
    AddBob(world);
  }
  auto active = call(Role::kOwner, "reports/leaver/E100");
  CHECK(active.status == 409);
  CHECK(active.body.find("not_terminated") != std::string::npos);
  CHECK(call(Role::kOwner, "reports/leaver/E999").status == 404);
  CHECK(call(Role::kOwner, "reports/stayer/E100").status == 404);
  {
    ActorScope scope(Actor{"hilda", "192.0.2.7", Role::kHr});
    REQUIRE(world.service->SetStatus("E100", EmployeeStatus::kTerminated));
  }
  for (Role role : {Role::kOwner, Role::kHr, Role::kAuditor}) {
    auto ok = call(role, "reports/leaver/E100");
    CHECK(ok.status == 200);
    CHECK(ok.content_type == "application/json");
    CHECK(ok.body.find("\"by\": \"hilda\"") != std::string::npos);
  }
  auto refused = call(Role::kIt, "reports/leaver/E100");
  CHECK(refused.status == 403);
  CHECK(refused.body.find("the it role may not read reports") != std::string::npos);
  CHECK(call(Role::kOwner, "reports/leaver/E100", "", "POST").status == 405);
  auto csv = call(Role::kAuditor, "reports/leaver/E100", "format=csv");
  CHECK(csv.status == 200);
  CHECK(csv.content_type == "text/csv; charset=utf-8");
  auto html = call(Role::kAuditor, "reports/leaver/E100", "format=html");
  CHECK(html.content_type == "text/html; charset=utf-8");
  CHECK(html.body.rfind("<!DOCTYPE html>", 0) == 0);
  auto bad = call(Role::kAuditor, "reports/leaver/E100", "format=xml");
  CHECK(bad.status == 400);
  CHECK(bad.body.find("unknown report format 'xml'") != std::string::npos);
}
