#include <stdlib.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "central/service.h"
#include "central/tokens.h"
#include "common/envelope.h"
#include "common/file_util.h"
#include "common/roster.h"
#include "tests/lib/temp_dir.h"

namespace {

using staffgate::central::EmployeeRecord;
using staffgate::central::Service;
using staffgate::central::ServiceOptions;
using staffgate::common::EmployeeStatus;
using staffgate::common::ErrorKind;
using staffgate::common::FakeClock;
using staffgate::common::PrivateKey;
using staffgate::testutil::TempDir;

struct CentralDir {
  TempDir dir{"central"};
  std::string key_pem = PrivateKey::Generate()->ToPem();
  std::unique_ptr<Service> Open(const FakeClock& clock) {
    ServiceOptions options;
    options.db_path = dir / "central.db";
    options.organization = "Test Motors";
    options.roster_lifetime_s = 1000;
    auto service = Service::Open(options, *PrivateKey::FromPem(key_pem), clock);
    REQUIRE(service);
    return std::move(*service);
  }
};

staffgate::common::Roster Parse(const Service& service) {
  auto pub = staffgate::common::PublicKey::FromPem(service.PublicKeyPem());
  REQUIRE(pub);
  auto verified = staffgate::common::VerifyEnvelope(service.Current()->envelope,
                                                    staffgate::common::kRosterPayloadType, {*pub});
  REQUIRE(verified);
  auto roster = staffgate::common::ParseRoster(verified->payload);
  REQUIRE(roster);
  return *roster;
}

EmployeeRecord Employee(std::string id, std::vector<std::string> accounts) {
  EmployeeRecord e;
  e.id = std::move(id);
  e.name = "Secret Name";
  e.accounts = std::move(accounts);
  return e;
}

}  // namespace

TEST_CASE("service: every change publishes the next serial, names stay central", "[central][service]") {
  CentralDir dir;
  FakeClock clock(1'800'000'000);
  auto service = dir.Open(clock);
  CHECK(service->Current()->serial == 1);
  std::vector<std::uint64_t> notified;
  service->SetPublishListener([&](std::uint64_t s) { notified.push_back(s); });

  REQUIRE(service->AddEmployee(Employee("E1", {"asmith"})));
  REQUIRE(service->AddShared("sales"));
  REQUIRE(service->AddWorkstation("SVC-03", {"service"}));
  REQUIRE(service->SetStatus("E1", EmployeeStatus::kSuspended));
  CHECK(service->Current()->serial == 5);
  CHECK(notified == std::vector<std::uint64_t>{2, 3, 4, 5});

  auto roster = Parse(*service);
  CHECK(roster.serial == 5);
  CHECK(roster.organization == "Test Motors");
  REQUIRE(roster.FindEmployee("asmith"));
  CHECK(roster.FindEmployee("asmith")->status == EmployeeStatus::kSuspended);
  CHECK(roster.IsShared("sales"));
  CHECK(roster.GroupsOf("SVC-03") == std::vector<std::string>{"service"});
  CHECK(roster.max_workstations_per_account == 1);
  CHECK(service->Current()->envelope.find("Secret") == std::string::npos);
}

TEST_CASE("service: validation rejects and changes nothing", "[central][service]") {
  CentralDir dir;
  FakeClock clock(1'800'000'000);
  auto service = dir.Open(clock);
  REQUIRE(service->AddEmployee(Employee("E1", {"asmith"})));
  REQUIRE(service->AddShared("sales"));
  const auto serial = service->Current()->serial;

  auto dup = service->AddEmployee(Employee("E2", {"asmith"}));
  REQUIRE_FALSE(dup);
  CHECK(dup.error().kind == ErrorKind::kInvalidInput);
  CHECK_FALSE(service->AddEmployee(Employee("E3", {"sales"})));
  CHECK_FALSE(service->AddShared("asmith"));
  CHECK_FALSE(service->AddEmployee(Employee("E1", {"other"})));
  CHECK_FALSE(service->AddEmployee(Employee("bad id", {"x"})));
  CHECK(service->SetStatus("E9", EmployeeStatus::kTerminated).error().kind == ErrorKind::kNotFound);
  CHECK(service->RemoveShared("nope").error().kind == ErrorKind::kNotFound);
  CHECK(service->Current()->serial == serial);
  CHECK(service->Employees().size() == 1);
}

TEST_CASE("service: import is all or nothing and reports what it did", "[central][service]") {
  CentralDir dir;
  FakeClock clock(1'800'000'000);
  auto service = dir.Open(clock);
  REQUIRE(service->AddEmployee(Employee("E1", {"asmith"})));
  REQUIRE(service->AddEmployee(Employee("E2", {"bjones"})));
  auto report = service->Import(
      "employee_id,name,accounts,status,groups\n"
      "E1,Secret Name,asmith,active,*\n"
      "E2,Bob,bjones,terminated,*\n"
      "E3,Cy,cy,active,sales\n");
  REQUIRE(report);
  CHECK(report->added == std::vector<std::string>{"E3"});
  CHECK(report->changed == std::vector<std::string>{"E2"});
  CHECK(report->unchanged == std::vector<std::string>{"E1"});
  const auto serial = service->Current()->serial;

  // Row 3 takes an account of an employee not in the file: nothing changes.
  auto bad = service->Import("E4,D,dd,active,*\nE5,E,ee,active,*\nE6,F,asmith,active,*\n");
  REQUIRE_FALSE(bad);
  CHECK(service->Employees().size() == 3);
  CHECK(service->Current()->serial == serial);

  // An account may move between two employees listed in one file.
  REQUIRE(service->Import("E1,A,anna,active,*\nE3,C,asmith;cy,active,*\n"));
  auto roster = Parse(*service);
  CHECK(roster.FindEmployee("asmith")->id == "E3");
}

TEST_CASE("service: restart keeps data; an older database never serves an older serial",
          "[central][service]") {
  CentralDir dir;
  FakeClock clock(1'800'000'000);
  {
    auto service = dir.Open(clock);
    REQUIRE(service->AddEmployee(Employee("E1", {"asmith"})));
  }
  const std::string db = dir.dir / "central.db";
  std::filesystem::copy_file(db, dir.dir / "old.db");
  {
    auto service = dir.Open(clock);
    CHECK(service->Current()->serial == 2);  // Same roster, not re-published.
    CHECK(service->Employees().size() == 1);
    REQUIRE(service->AddEmployee(Employee("E2", {"bjones"})));
    REQUIRE(service->AddEmployee(Employee("E3", {"cy"})));
    CHECK(service->Current()->serial == 4);
  }
  // Restore the backup taken at serial 2 (WAL was checkpointed at close).
  std::filesystem::remove(db + "-wal");
  std::filesystem::remove(db + "-shm");
  std::filesystem::copy_file(dir.dir / "old.db", db,
                             std::filesystem::copy_options::overwrite_existing);
  auto service = dir.Open(clock);
  CHECK(service->Current()->serial == 5);
  CHECK(Parse(*service).serial == 5);
}

TEST_CASE("service: re-signs when less than half the lifetime remains", "[central][service]") {
  CentralDir dir;
  FakeClock clock(1'800'000'000);
  auto service = dir.Open(clock);
  REQUIRE(service->ResignIfDue());
  CHECK_FALSE(*service->ResignIfDue());
  clock.Advance(499);
  CHECK_FALSE(*service->ResignIfDue());
  clock.Advance(2);
  CHECK(*service->ResignIfDue());
  CHECK(service->Current()->serial == 2);
  CHECK(service->Current()->expires_at == clock.Now() + 1000);
}

TEST_CASE("service: tokens and events", "[central][service]") {
  CentralDir dir;
  FakeClock clock(1'800'000'000);
  auto service = dir.Open(clock);
  auto token = service->AddWorkstation("WS1", {});
  REQUIRE(token);
  CHECK(token->size() == 64);
  CHECK(service->WorkstationForToken(*token) == std::optional<std::string>("WS1"));
  CHECK_FALSE(service->WorkstationForToken("wrong"));
  CHECK_FALSE(service->IsAdminToken("x"));
  REQUIRE(service->SetAdminTokenHash(staffgate::central::TokenHash("admintok")));
  CHECK(service->IsAdminToken("admintok\n"));

  auto batch = staffgate::common::Json::parse(
      R"([{"id":"a","type":"decision","account":"asmith","decision":"deny","time":"2027-01-15T08:00:00.250Z"},
          {"id":"b","type":"decision","account":"bjones","decision":"allow"}, {"noid":1}, 5])");
  auto first = service->StoreEvents("WS1", batch);
  REQUIRE(first);
  CHECK(first->accepted == 2);
  CHECK(first->rejected == 2);
  auto again = service->StoreEvents("WS1", batch);
  CHECK(again->accepted == 0);
  CHECK(again->duplicates == 2);
  staffgate::central::EventQuery q;
  q.decision = "deny";
  auto events = service->Events(q);
  REQUIRE(events);
  REQUIRE(events->size() == 1);
  CHECK((*events)[0]["account"] == "asmith");
  CHECK((*events)[0]["workstation"] == "WS1");
  CHECK_FALSE(service->StoreEvents("WS1", staffgate::common::Json::object()));

  service->RecordContact("WS1", 1, "staffgated/0.1.0");
  auto ws = service->Workstations();
  REQUIRE(ws.size() == 1);
  CHECK(ws[0].agent_version == "staffgated/0.1.0");
  REQUIRE(service->FlushContacts());
  CHECK(service->Workstations()[0].last_serial == std::optional<std::uint64_t>(1));
}
