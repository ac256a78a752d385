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
  std::unique_ptr<Service> Open(const FakeClock& clock) const {
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

TEST_CASE("service: every change publishes the next serial, names stay central",
          "[central][service]") {
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
  REQUIRE(report->changed.size() == 1);
  CHECK(report->changed[0].id == "E2");
  CHECK(report->changed[0].line == 3);
  REQUIRE(report->changed[0].fields.size() == 2);
  CHECK(report->changed[0].fields[0].field == "name");
  CHECK(report->changed[0].fields[1].field == "status");
  CHECK(report->changed[0].fields[1].before == "active");
  CHECK(report->changed[0].fields[1].after == "terminated");
  CHECK(report->published);
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

TEST_CASE("service: restart keeps data, an older database never serves an older serial",
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

TEST_CASE("service: a change that changes nothing publishes no serial", "[central][service]") {
  CentralDir dir;
  FakeClock clock(1'800'000'000);
  auto service = dir.Open(clock);
  std::vector<std::uint64_t> notified;
  service->SetPublishListener([&](std::uint64_t s) { notified.push_back(s); });
  REQUIRE(service->AddEmployee(Employee("E1", {"asmith"})));
  REQUIRE(service->AddShared("sales"));
  REQUIRE(service->SetMaxWorkstationsPerAccount(2));
  REQUIRE(service->SetStatus("E1", EmployeeStatus::kTerminated));
  const auto serial = service->Current()->serial;
  const std::string csv = "employee_id,name,accounts,status,groups\nE2,Bob,bjones,active,*\n";
  auto first = service->Import(csv);
  REQUIRE(first);
  CHECK(first->published);
  CHECK(service->Current()->serial == serial + 1);

  REQUIRE(service->SetStatus("E1", EmployeeStatus::kTerminated));
  REQUIRE(service->AddShared("sales"));
  REQUIRE(service->SetMaxWorkstationsPerAccount(2));
  auto again = service->Import(csv);
  REQUIRE(again);
  CHECK_FALSE(again->published);
  CHECK(again->unchanged == std::vector<std::string>{"E2"});
  CHECK(service->Current()->serial == serial + 1);
  CHECK(notified.size() == serial);  // serial - 1 changes before, the import after.
}

TEST_CASE("service: import options: missing, reactivation, dry run", "[central][service]") {
  using staffgate::central::ImportOptions;
  using staffgate::central::MissingPolicy;
  CentralDir dir;
  FakeClock clock(1'800'000'000);
  auto service = dir.Open(clock);
  REQUIRE(service->AddEmployee(Employee("E1", {"asmith"})));
  REQUIRE(service->AddEmployee(Employee("E2", {"bjones"})));
  REQUIRE(service->AddEmployee(Employee("E3", {"cy"})));
  REQUIRE(service->SetStatus("E3", EmployeeStatus::kTerminated));
  REQUIRE(service->AddEmployee(Employee("E4", {"dd"})));
  REQUIRE(service->SetStatus("E4", EmployeeStatus::kSuspended));
  const std::string header = "employee_id,name,accounts,status,groups\n";
  const std::string only_e1 = header + "E1,Secret Name,asmith,active,*\n";
  auto status = [&](const std::string& id) {
    for (const EmployeeRecord& e : service->Employees())
      if (e.id == id) return e.status;
    FAIL("no employee " << id);
    return EmployeeStatus::kActive;
  };

  // report (the default): listed, untouched, nothing published.
  auto serial = service->Current()->serial;
  auto report = service->Import(only_e1);
  REQUIRE(report);
  REQUIRE(report->missing.size() == 2);  // E2 (active), E4 (suspended); not E3.
  CHECK(report->missing[0].id == "E2");
  CHECK(report->missing[0].fields.empty());
  CHECK(report->missing[1].id == "E4");
  CHECK_FALSE(report->published);
  CHECK(service->Current()->serial == serial);
  CHECK(status("E2") == EmployeeStatus::kActive);

  // dry run of suspend: reported with the change, nothing changed.
  ImportOptions options;
  options.missing = MissingPolicy::kSuspend;
  options.dry_run = true;
  report = service->Import(only_e1, options);
  REQUIRE(report);
  REQUIRE(report->missing.size() == 2);
  REQUIRE(report->missing[0].fields.size() == 1);
  CHECK(report->missing[0].fields[0].after == "suspended");
  CHECK(report->missing[1].fields.empty());  // Already suspended.
  CHECK(status("E2") == EmployeeStatus::kActive);
  CHECK(service->Current()->serial == serial);

  options.dry_run = false;
  REQUIRE(service->Import(only_e1, options));
  CHECK(status("E2") == EmployeeStatus::kSuspended);
  options.missing = MissingPolicy::kTerminate;
  report = service->Import(only_e1, options);
  REQUIRE(report);
  CHECK(report->published);
  CHECK(status("E2") == EmployeeStatus::kTerminated);
  CHECK(status("E4") == EmployeeStatus::kTerminated);
  serial = service->Current()->serial;

  // An old file makes E3 active again: refused and named, unless allowed.
  const std::string old_file = only_e1 + "E3,Secret Name,cy,active,*\n";
  auto refused = service->Import(old_file);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().kind == ErrorKind::kInvalidInput);
  CHECK(refused.error().message.find("E3 (line 3)") != std::string::npos);
  CHECK(refused.error().message.find("--allow-reactivate") != std::string::npos);
  CHECK(status("E3") == EmployeeStatus::kTerminated);
  CHECK(service->Current()->serial == serial);
  ImportOptions dry;
  dry.dry_run = true;
  report = service->Import(old_file, dry);
  REQUIRE(report);
  REQUIRE(report->reactivated.size() == 1);
  CHECK(report->reactivated[0].id == "E3");
  CHECK(status("E3") == EmployeeStatus::kTerminated);
  ImportOptions allow;
  allow.allow_reactivate = true;
  report = service->Import(old_file, allow);
  REQUIRE(report);
  CHECK(report->reactivated.size() == 1);
  CHECK(status("E3") == EmployeeStatus::kActive);
}

TEST_CASE("service: UpdateEmployee edits name, accounts, groups, blanks refused",
          "[central][service][ui]") {
  CentralDir dir;
  FakeClock clock(1'800'000'000);
  auto service = dir.Open(clock);
  REQUIRE(service->AddEmployee(Employee("E1", {"asmith"})));
  REQUIRE(service->AddEmployee(Employee("E2", {"bjones"})));
  REQUIRE(service->SetStatus("E1", EmployeeStatus::kSuspended));
  REQUIRE(service->SetStatus("E1", EmployeeStatus::kTerminated, 1'800'003'600));
  const auto serial = service->Current()->serial;

  auto blank = service->UpdateEmployee("E1", "A Smith", {"asmith"}, {});
  REQUIRE_FALSE(blank);
  CHECK(blank.error().kind == ErrorKind::kInvalidInput);
  CHECK(blank.error().message.find("write * for every workstation") != std::string::npos);
  CHECK_FALSE(service->UpdateEmployee("E1", "A Smith", {}, {"*"}));
  CHECK(service->UpdateEmployee("E9", "Nobody", {"x"}, {"*"}).error().kind == ErrorKind::kNotFound);
  // Another employee's account: the whole state's validation refuses it.
  CHECK_FALSE(service->UpdateEmployee("E1", "A Smith", {"asmith", "bjones"}, {"*"}));
  CHECK(service->Current()->serial == serial);

  auto updated =
      service->UpdateEmployee("E1", "Alice Smith", {"asmith", "alice", "asmith"}, {"sales"});
  REQUIRE(updated);
  CHECK(updated->name == "Alice Smith");
  CHECK(updated->accounts == std::vector<std::string>{"asmith", "alice"});
  CHECK(updated->groups == std::vector<std::string>{"sales"});
  CHECK(updated->status == EmployeeStatus::kSuspended);  // Kept, with its pending change.
  REQUIRE(updated->pending);
  CHECK(updated->pending->at == 1'800'003'600);
  CHECK(service->Current()->serial == serial + 1);
  REQUIRE(service->UpdateEmployee("E1", "Alice Smith", {"asmith", "alice"}, {"sales"}));
  CHECK(service->Current()->serial == serial + 1);  // Nothing changed: no serial.
  for (const EmployeeRecord& e : service->Employees()) {
    if (e.id == "E2") CHECK(e.status == EmployeeStatus::kActive);  // Nobody else changed.
  }
}
