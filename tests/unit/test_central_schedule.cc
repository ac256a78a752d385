// Scheduled changes at the central (docs/design.md §11; rules in
// central/schedule.h): the roster carries valid_until / valid_from at
// once, the status changes when the time comes (injected clock), pending
// changes survive a restart, and can be cancelled.
#include <catch2/catch.hpp>

#include "central/schedule.h"
#include "central/schedule_runner.h"
#include "central/service.h"
#include "common/envelope.h"
#include "common/roster.h"
#include "tests/lib/temp_dir.h"

namespace staffgate::central {
namespace {

using common::EmployeeStatus;
using common::ErrorKind;
using common::FakeClock;

constexpr common::UnixSeconds kT0 = 1'800'000'000;

struct CentralDir {
  testutil::TempDir dir{"central-schedule"};
  std::string key_pem = common::PrivateKey::Generate()->ToPem();
  std::unique_ptr<Service> Open(const FakeClock& clock) const {
    ServiceOptions options;
    options.db_path = dir / "central.db";
    options.roster_lifetime_s = 30 * 86400;
    auto service = Service::Open(options, *common::PrivateKey::FromPem(key_pem), clock);
    REQUIRE(service);
    return std::move(*service);
  }
};

common::Roster Parse(const Service& service) {
  auto pub = common::PublicKey::FromPem(service.PublicKeyPem());
  REQUIRE(pub);
  auto verified =
      common::VerifyEnvelope(service.Current()->envelope, common::kRosterPayloadType, {*pub});
  REQUIRE(verified);
  auto roster = common::ParseRoster(verified->payload);
  REQUIRE(roster);
  return *roster;
}

EmployeeRecord Person(std::string id, std::string account) {
  EmployeeRecord e;
  e.id = std::move(id);
  e.accounts = {std::move(account)};
  return e;
}

EmployeeRecord Find(const Service& service, const std::string& id) {
  for (const EmployeeRecord& e : service.Employees()) {
    if (e.id == id) return e;
  }
  FAIL("no employee " << id);
  return {};
}

TEST_CASE("schedule rules: future only, no reinstatement, no later or milder replacement",
          "[central][schedule]") {
  EmployeeRecord e = Person("E1", "asmith");
  CHECK(ScheduleStatus(e, EmployeeStatus::kTerminated, kT0, kT0).error().kind ==
        ErrorKind::kInvalidInput);  // Now is not the future.
  CHECK_FALSE(ScheduleStatus(e, EmployeeStatus::kActive, kT0 + 10, kT0));
  CHECK_FALSE(e.pending);
  REQUIRE(ScheduleStatus(e, EmployeeStatus::kSuspended, kT0 + 100, kT0));
  // Later, or a milder change than pending: refused, the first one stays.
  CHECK_FALSE(ScheduleStatus(e, EmployeeStatus::kSuspended, kT0 + 200, kT0));
  CHECK_FALSE(ScheduleStatus(e, EmployeeStatus::kTerminated, kT0 + 200, kT0));
  CHECK(e.pending == ScheduledStatus{EmployeeStatus::kSuspended, kT0 + 100});
  // Sooner and at least as strict: replaces.
  REQUIRE(ScheduleStatus(e, EmployeeStatus::kTerminated, kT0 + 50, kT0));
  CHECK(e.pending == ScheduledStatus{EmployeeStatus::kTerminated, kT0 + 50});
  CHECK_FALSE(ScheduleStatus(e, EmployeeStatus::kSuspended, kT0 + 10, kT0));  // Milder.
  REQUIRE(ScheduleStatus(e, EmployeeStatus::kTerminated, kT0 + 50, kT0));     // Same: no-op.
  CHECK(DescribePending(e) == "terminate at " + common::FormatRfc3339(kT0 + 50));
  // Already as strict as asked.
  e.status = EmployeeStatus::kSuspended;
  CHECK_FALSE(ScheduleStatus(e, EmployeeStatus::kSuspended, kT0 + 10, kT0));
}

TEST_CASE("schedule rules: a status change now supersedes, failing closed", "[central][schedule]") {
  EmployeeRecord e = Person("E1", "asmith");
  REQUIRE(ScheduleStatus(e, EmployeeStatus::kTerminated, kT0 + 100, kT0));
  SetStatusNow(e, EmployeeStatus::kSuspended);  // The termination still comes.
  CHECK(e.pending);
  SetStatusNow(e, EmployeeStatus::kActive);  // Reinstating keeps it too.
  CHECK(e.pending);
  SetStatusNow(e, EmployeeStatus::kTerminated);
  CHECK_FALSE(e.pending);
  CHECK(e.status == EmployeeStatus::kTerminated);
  EmployeeRecord s = Person("E2", "bjones");
  REQUIRE(ScheduleStatus(s, EmployeeStatus::kSuspended, kT0 + 100, kT0));
  SetStatusNow(s, EmployeeStatus::kSuspended);  // Done early.
  CHECK_FALSE(s.pending);
}

TEST_CASE("schedule rules: due changes never soften a status", "[central][schedule]") {
  State state;
  state.employees["E1"] = Person("E1", "a");
  state.employees["E1"].pending = ScheduledStatus{EmployeeStatus::kSuspended, kT0};
  state.employees["E1"].status = EmployeeStatus::kTerminated;  // e.g. by an import since
  state.employees["E2"] = Person("E2", "b");
  state.employees["E2"].valid_from = kT0 + 5;
  CHECK(NextDue(state) == kT0);
  auto applied = ApplyDue(state, kT0);
  REQUIRE(applied.size() == 1);
  CHECK_FALSE(applied[0].status_changed);
  CHECK(state.employees["E1"].status == EmployeeStatus::kTerminated);
  CHECK_FALSE(state.employees["E1"].pending);
  CHECK(NextDue(state) == kT0 + 5);
  CHECK(ApplyDue(state, kT0 + 4).empty());
  REQUIRE(ApplyDue(state, kT0 + 5).size() == 1);
  CHECK_FALSE(state.employees["E2"].valid_from);
  CHECK_FALSE(NextDue(state));
}

TEST_CASE("service: terminate --at carries valid_until at once, flips at the time",
          "[central][schedule]") {
  CentralDir dir;
  FakeClock clock(kT0);
  auto service = dir.Open(clock);
  REQUIRE(service->AddEmployee(Person("E1", "asmith")));
  const std::uint64_t before = service->Current()->serial;
  REQUIRE(service->SetStatus("E1", EmployeeStatus::kTerminated, kT0 + 60));
  CHECK(service->Current()->serial == before + 1);
  common::Roster roster = Parse(*service);
  const common::Employee* e = roster.FindEmployee("asmith");
  REQUIRE(e != nullptr);
  CHECK(e->status == EmployeeStatus::kActive);
  CHECK(e->valid_until == kT0 + 60);
  CHECK(service->NextScheduledChange() == kT0 + 60);

  ScheduleRunner runner(*service, clock, [](int, const std::string&) {});
  clock.Set(kT0 + 59);
  CHECK(runner.RunOnce() == std::chrono::milliseconds(1000));
  CHECK(service->Current()->serial == before + 1);
  clock.Set(kT0 + 60);
  runner.RunOnce();
  CHECK(service->Current()->serial == before + 2);
  roster = Parse(*service);
  CHECK(roster.FindEmployee("asmith")->status == EmployeeStatus::kTerminated);
  CHECK_FALSE(roster.FindEmployee("asmith")->valid_until);
  CHECK_FALSE(service->NextScheduledChange());
  CHECK(Find(*service, "E1").status == EmployeeStatus::kTerminated);
  // Nothing due: no serial.
  runner.RunOnce();
  CHECK(service->Current()->serial == before + 2);
}

TEST_CASE("service: pending changes survive a restart, cancel removes them",
          "[central][schedule]") {
  CentralDir dir;
  FakeClock clock(kT0);
  {
    auto service = dir.Open(clock);
    EmployeeRecord starter = Person("E2", "newbie");
    starter.valid_from = kT0 + 3600;
    REQUIRE(service->AddEmployee(starter));
    REQUIRE(service->AddEmployee(Person("E1", "asmith")));
    REQUIRE(service->SetStatus("E1", EmployeeStatus::kSuspended, kT0 + 7200));
    // A start in the past is refused, changing nothing.
    EmployeeRecord late = Person("E3", "late");
    late.valid_from = kT0;
    CHECK(service->AddEmployee(late).error().kind == ErrorKind::kInvalidInput);
  }
  auto service = dir.Open(clock);
  CHECK(Find(*service, "E2").valid_from == kT0 + 3600);
  CHECK(Find(*service, "E1").pending == ScheduledStatus{EmployeeStatus::kSuspended, kT0 + 7200});
  common::Roster roster = Parse(*service);
  CHECK(roster.FindEmployee("newbie")->valid_from == kT0 + 3600);
  CHECK(roster.FindEmployee("asmith")->valid_until == kT0 + 7200);
  CHECK(service->NextScheduledChange() == kT0 + 3600);

  REQUIRE(service->CancelScheduled("E1", PendingKind::kStatus));
  CHECK(service->CancelScheduled("E1", PendingKind::kStatus).error().kind == ErrorKind::kNotFound);
  CHECK_FALSE(Parse(*service).FindEmployee("asmith")->valid_until);
  // A restart after the start time applies it at the first look.
  clock.Set(kT0 + 4000);
  service.reset();
  service = dir.Open(clock);
  ScheduleRunner runner(*service, clock, [](int, const std::string&) {});
  runner.RunOnce();
  CHECK_FALSE(Find(*service, "E2").valid_from);
  CHECK_FALSE(Parse(*service).FindEmployee("newbie")->valid_from);
  CHECK_FALSE(Find(*service, "E1").pending);
}

TEST_CASE("service: the scheduled time of a status change is validated", "[central][schedule]") {
  CentralDir dir;
  FakeClock clock(kT0);
  auto service = dir.Open(clock);
  REQUIRE(service->AddEmployee(Person("E1", "asmith")));
  const std::uint64_t serial = service->Current()->serial;
  CHECK(service->SetStatus("E1", EmployeeStatus::kTerminated, kT0 - 1).error().kind ==
        ErrorKind::kInvalidInput);
  CHECK(service->SetStatus("E1", EmployeeStatus::kActive, kT0 + 10).error().kind ==
        ErrorKind::kInvalidInput);
  CHECK(service->SetStatus("E9", EmployeeStatus::kTerminated, kT0 + 10).error().kind ==
        ErrorKind::kNotFound);
  CHECK(service->Current()->serial == serial);
  // Terminating now clears the pending change from the roster.
  REQUIRE(service->SetStatus("E1", EmployeeStatus::kTerminated, kT0 + 10));
  REQUIRE(service->SetStatus("E1", EmployeeStatus::kTerminated));
  CHECK_FALSE(Find(*service, "E1").pending);
  CHECK_FALSE(Parse(*service).FindEmployee("asmith")->valid_until);
}

TEST_CASE("service: an HR import keeps pending changes", "[central][schedule]") {
  CentralDir dir;
  FakeClock clock(kT0);
  auto service = dir.Open(clock);
  REQUIRE(service->AddEmployee(Person("E1", "asmith")));
  REQUIRE(service->SetStatus("E1", EmployeeStatus::kTerminated, kT0 + 60));
  auto report = service->Import(
      "employee_id,name,accounts,status,groups\n"
      "E1,Anna Smith,asmith;as2,active,*\n");
  REQUIRE(report);
  CHECK(report->changed.size() == 1);
  CHECK(Find(*service, "E1").pending == ScheduledStatus{EmployeeStatus::kTerminated, kT0 + 60});
  CHECK(Parse(*service).FindEmployee("as2")->valid_until == kT0 + 60);
}

}  // namespace
}  // namespace staffgate::central
