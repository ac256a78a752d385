// The roster payload model (ParseRoster, the account index and the group
// rule): docs/design.md §2 and §3.
#include <algorithm>
#include <catch2/catch.hpp>
#include <string>
#include <utility>

#include "common/file_util.h"
#include "common/roster.h"

namespace {

using namespace staffgate::common;

// A payload with the required fields and the given employees/extra fields.
std::string Payload(const std::string& employees, const std::string& extra = "") {
  return R"({"schema":"staffgate.roster.v1","serial":7,"issued_at":"2026-11-28T23:00:00Z",)"
         R"("expires_at":"2026-12-05T23:00:00Z","employees":[)" +
         employees + "]" + extra + "}";
}

Roster MustParse(const std::string& payload) {
  auto r = ParseRoster(payload);
  if (!r) FAIL(r.error().ToString());
  return std::move(*r);
}

bool Warned(const Roster& r, const std::string& part) {
  return std::ranges::any_of(
      r.warnings, [&](const std::string& w) { return w.find(part) != std::string::npos; });
}

void ExpectInvalid(const std::string& payload) {
  INFO(payload);
  auto r = ParseRoster(payload);
  REQUIRE_FALSE(r);
  CHECK(r.error().kind == ErrorKind::kInvalidInput);
}

}  // namespace

TEST_CASE("the sample roster parses with its conflicts refused per account", "[roster]") {
  auto text = ReadFileCapped(std::string(STAFFGATE_TEST_DATA_DIR) + "/roster_sample.json", 1 << 20);
  REQUIRE(text);
  Roster r = MustParse(*text);
  CHECK(r.serial == 42);
  CHECK(r.issued_at == 1795906800);
  CHECK(r.expires_at == 1828047600);
  CHECK(r.organization == "Example Motors");
  CHECK(r.employees.size() == 5);
  CHECK(r.max_workstations_per_account == 1);

  const Employee* asmith = r.FindEmployee("asmith");
  REQUIRE(asmith);
  CHECK(asmith->id == "E1001");
  CHECK(asmith->status == EmployeeStatus::kActive);
  CHECK(asmith->groups == std::vector<std::string>{"*"});
  REQUIRE(asmith->credentials_reset_after);
  CHECK(*asmith->credentials_reset_after == 1795168800);

  const Employee* bjones = r.FindEmployee("bjones");
  REQUIRE(bjones);
  CHECK(bjones->status == EmployeeStatus::kTerminated);
  CHECK(bjones->groups == std::vector<std::string>{"sales"});
  CHECK_FALSE(bjones->credentials_reset_after);

  // Two accounts of one suspended employee, groups defaulted.
  for (const char* account : {"cdoe", "cdoe2"}) {
    const Employee* e = r.FindEmployee(account);
    REQUIRE(e);
    CHECK(e->id == "E1003");
    CHECK(e->status == EmployeeStatus::kSuspended);
    CHECK(e->groups == std::vector<std::string>{"*"});
    CHECK_FALSE(r.IsShared(account));
  }

  // "dlee" is under E1004 and E1005; "sales" is shared and E1004's.
  for (const char* account : {"dlee", "sales"}) {
    INFO(account);
    CHECK(r.IsShared(account));
    CHECK(r.FindEmployee(account) == nullptr);
  }
  CHECK(r.conflicting_accounts == std::set<std::string>{"dlee", "sales"});
  REQUIRE(r.warnings.size() == 2);
  // The conflict does not spill over onto the rest of the roster.
  CHECK(r.IsShared("frontdesk"));
  CHECK(r.FindEmployee("frontdesk") == nullptr);
  CHECK_FALSE(r.IsShared("asmith"));
  CHECK_FALSE(r.IsShared("nobody"));
  CHECK(r.FindEmployee("nobody") == nullptr);

  CHECK(r.GroupsOf("SVC-03") == std::vector<std::string>{"service"});
  CHECK(r.GroupsOf("SALES-01") == std::vector<std::string>{"sales"});
  CHECK(r.GroupsOf("ELSEWHERE").empty());
}

TEST_CASE("roster defaults and unknown fields", "[roster]") {
  Roster r = MustParse(Payload(R"({"id":"E1","status":"active","accounts":["a"],"hobby":"golf"})",
                               R"(,"future":{"deep":[1,{"x":null}]})"));
  REQUIRE(r.employees.size() == 1);
  CHECK(r.employees[0].groups == std::vector<std::string>{"*"});
  CHECK(r.max_workstations_per_account == 1);
  CHECK(r.organization.empty());
  CHECK(r.shared_accounts.empty());
  CHECK(r.workstation_groups.empty());
  CHECK(r.warnings.empty());
  // null means absent for the optional fields.
  Roster n = MustParse(Payload(R"({"id":"E1","status":"active","accounts":["a"],"groups":null,"credentials_reset_after":null})",
                               R"(,"workstations":null,"policy":null,"shared_accounts":null,"organization":null)"));
  CHECK(n.employees[0].groups == std::vector<std::string>{"*"});
  CHECK_FALSE(n.employees[0].credentials_reset_after);
  // An employee without accounts is fine: nobody can log in as them.
  Roster none = MustParse(Payload(R"({"id":"E1","status":"active"})"));
  CHECK(none.employees[0].accounts.empty());
  CHECK(none.account_index.empty());
  // Explicitly empty groups: no workstation admits the employee.
  Roster empty = MustParse(Payload(R"({"id":"E1","status":"active","accounts":["a"],"groups":[]})"));
  CHECK(empty.employees[0].groups.empty());
}

TEST_CASE("employee statuses", "[roster]") {
  for (auto [name, status] : {std::pair{"active", EmployeeStatus::kActive},
                              std::pair{"suspended", EmployeeStatus::kSuspended},
                              std::pair{"terminated", EmployeeStatus::kTerminated}}) {
    Roster r = MustParse(Payload(std::string(R"({"id":"E1","accounts":["a"],"status":")") + name + "\"}"));
    CHECK(r.FindEmployee("a")->status == status);
    CHECK(EmployeeStatusName(status) == name);
    CHECK(ParseEmployeeStatus(name) == status);
  }
  for (const char* bad : {R"("Active")", R"("fired")", R"("")", "1", "null", R"(["active"])"}) {
    ExpectInvalid(Payload(std::string(R"({"id":"E1","accounts":["a"],"status":)") + bad + "}"));
  }
  ExpectInvalid(Payload(R"({"id":"E1","accounts":["a"]})"));  // status missing
}

TEST_CASE("credentials_reset_after accepts RFC 3339 only", "[roster]") {
  Roster r = MustParse(Payload(
      R"({"id":"E1","status":"active","accounts":["a"],"credentials_reset_after":"2026-11-20T11:00:00.25+01:00"})"));
  REQUIRE(r.employees[0].credentials_reset_after);
  CHECK(*r.employees[0].credentials_reset_after == 1795168800);
  for (const char* bad : {R"("2026-11-20")", R"("yesterday")", "1795168800", R"("")"}) {
    ExpectInvalid(Payload(std::string(R"({"id":"E1","status":"active","accounts":["a"],"credentials_reset_after":)") +
                          bad + "}"));
  }
}

TEST_CASE("wrong types and missing required fields are rejected", "[roster]") {
  const std::string emp = R"({"id":"E1","status":"active","accounts":["a"]})";
  ExpectInvalid("[]");
  ExpectInvalid("not json");
  ExpectInvalid(R"({"schema":"staffgate.roster.v1"})");
  // Each required top-level field missing or mistyped.
  for (const char* serial : {"-1", "1.5", R"("42")", "null", "18446744073709551616"}) {
    ExpectInvalid(std::string(R"({"schema":"staffgate.roster.v1","serial":)") + serial +
                  R"(,"issued_at":"2026-11-28T23:00:00Z","expires_at":"2026-12-05T23:00:00Z","employees":[]})");
  }
  ExpectInvalid(R"({"schema":"staffgate.roster.v1","serial":1,"expires_at":"2026-12-05T23:00:00Z","employees":[]})");
  ExpectInvalid(R"({"schema":"staffgate.roster.v1","serial":1,"issued_at":"2026-11-28T23:00:00Z","employees":[]})");
  ExpectInvalid(R"({"schema":"staffgate.roster.v1","serial":1,"issued_at":"2026-11-28T23:00:00Z","expires_at":"soon","employees":[]})");
  ExpectInvalid(R"({"schema":"staffgate.roster.v1","serial":1,"issued_at":"2026-11-28T23:00:00Z","expires_at":"2026-12-05T23:00:00Z"})");
  ExpectInvalid(R"({"schema":"staffgate.roster.v1","serial":1,"issued_at":"2026-11-28T23:00:00Z","expires_at":"2026-12-05T23:00:00Z","employees":{}})");
  ExpectInvalid(Payload(emp, R"(,"organization":5)"));
  ExpectInvalid(Payload(emp, R"(,"shared_accounts":"sales")"));
  ExpectInvalid(Payload(emp, R"(,"shared_accounts":["sales",1])"));
  ExpectInvalid(Payload(emp, R"(,"workstations":[])"));
  ExpectInvalid(Payload(emp, R"(,"workstations":{"W":["sales"]})"));
  ExpectInvalid(Payload(emp, R"(,"workstations":{"W":{"groups":"sales"}})"));
  ExpectInvalid(Payload(emp, R"(,"policy":1)"));
  for (const char* max : {"-1", "1.5", R"("2")", "4294967296"}) {
    ExpectInvalid(Payload(emp, std::string(R"(,"policy":{"max_workstations_per_account":)") + max + "}"));
  }
  // Employee fields.
  ExpectInvalid(Payload(R"("E1")"));
  ExpectInvalid(Payload(R"({"status":"active","accounts":["a"]})"));
  ExpectInvalid(Payload(R"({"id":1,"status":"active","accounts":["a"]})"));
  ExpectInvalid(Payload(R"({"id":"E1","status":"active","accounts":"a"})"));
  ExpectInvalid(Payload(R"({"id":"E1","status":"active","accounts":[null]})"));
  ExpectInvalid(Payload(R"({"id":"E1","status":"active","accounts":["a"],"groups":"*"})"));
  // And the same payload with the defects removed parses: the checks above
  // fail for their defect alone.
  MustParse(Payload(emp, R"(,"policy":{"max_workstations_per_account":0},"workstations":{"W":{"groups":["sales"]}})"));
}

TEST_CASE("a member of the wrong type says which, and where", "[roster]") {
  const std::string emp = R"({"id":"E1","status":"active","accounts":["a"]})";
  const std::pair<std::string, std::string> cases[] = {
      {Payload(emp, R"(,"workstations":[])"), R"(roster: "workstations" must be an object)"},
      {Payload(emp, R"(,"policy":1)"), R"(roster: "policy" must be an object)"},
      {Payload(emp, R"(,"posix_groups":"sales")"), R"(roster: "posix_groups" must be an object)"},
      {Payload(R"({"id":"E1","status":"active","accounts":["a"],"posix":["a"]})"),
       R"(roster: employee E1: "posix" must be an object)"},
      {Payload(emp, R"(,"posix_groups":{"g":{"roles":"x"}})"),
       R"(roster: posix group 'g': "roles" must be an array)"},
      {Payload(emp, R"(,"posix_groups":{"g":{"roles":["x",1]}})"),
       R"(roster: posix group 'g': "roles" must hold strings)"},
  };
  for (const auto& [payload, message] : cases) {
    INFO(payload);
    auto r = ParseRoster(payload);
    REQUIRE_FALSE(r);
    CHECK(r.error().message == message);
  }
  // Null is absent for each of them.
  MustParse(Payload(R"({"id":"E1","status":"active","accounts":["a"],"posix":null})",
                    R"(,"workstations":null,"policy":null,"posix_groups":null)"));
}

TEST_CASE("policy values", "[roster]") {
  const std::string emp = R"({"id":"E1","status":"active","accounts":["a"]})";
  CHECK(MustParse(Payload(emp, R"(,"policy":{"max_workstations_per_account":0})")).max_workstations_per_account == 0);
  CHECK(MustParse(Payload(emp, R"(,"policy":{"max_workstations_per_account":3})")).max_workstations_per_account == 3);
  CHECK(MustParse(Payload(emp, R"(,"policy":{})")).max_workstations_per_account == 1);
  CHECK(MustParse(Payload(emp, R"(,"policy":{"later":true})")).max_workstations_per_account == 1);
}

TEST_CASE("semantic conflicts are refused per account, never per roster", "[roster]") {
  Roster r = MustParse(Payload(
      R"({"id":"E1","status":"active","accounts":["shared1","dup","mine","mine"]},)"
      R"({"id":"E2","status":"terminated","accounts":["dup","theirs"]},)"
      R"({"id":"E3","status":"active","accounts":["dup"]})",
      R"(,"shared_accounts":["shared1","generic"])"));
  CHECK(r.IsShared("shared1"));
  CHECK(r.FindEmployee("shared1") == nullptr);
  CHECK(r.IsShared("dup"));
  CHECK(r.FindEmployee("dup") == nullptr);
  CHECK(r.IsShared("generic"));
  // One account listed twice under the same employee is not a conflict.
  REQUIRE(r.FindEmployee("mine"));
  CHECK(r.FindEmployee("mine")->id == "E1");
  CHECK_FALSE(r.IsShared("mine"));
  REQUIRE(r.FindEmployee("theirs"));
  CHECK(r.FindEmployee("theirs")->status == EmployeeStatus::kTerminated);
  // One warning per conflicting account, naming it.
  REQUIRE(r.warnings.size() == 2);
  std::string all = r.warnings[0] + "\n" + r.warnings[1];
  CHECK_THAT(all, Catch::Contains("'dup'") && Catch::Contains("'shared1'"));
  CHECK_THAT(all, Catch::Contains("E1") && Catch::Contains("E2"));
}

TEST_CASE("the workstation group rule", "[roster]") {
  Roster r = MustParse(Payload(R"({"id":"E1","status":"active","accounts":["a"]})",
                               R"(,"workstations":{"SVC-03":{"groups":["service","parts"]},"BARE":{}})"));
  const auto& svc = r.GroupsOf("SVC-03");
  CHECK(GroupsPermit({"*"}, svc));
  CHECK(GroupsPermit({"*"}, r.GroupsOf("UNLISTED")));  // "*" admits anywhere.
  CHECK(GroupsPermit({"sales", "parts"}, svc));
  CHECK(GroupsPermit({"service"}, svc));
  CHECK_FALSE(GroupsPermit({"sales"}, svc));
  CHECK_FALSE(GroupsPermit({"Service"}, svc));  // Case matters.
  CHECK_FALSE(GroupsPermit({}, svc));
  // A workstation missing from the map, or without groups, has no groups.
  CHECK(r.GroupsOf("UNLISTED").empty());
  CHECK_FALSE(GroupsPermit({"service"}, r.GroupsOf("UNLISTED")));
  CHECK(r.GroupsOf("BARE").empty());
  CHECK_FALSE(GroupsPermit({"service"}, r.GroupsOf("BARE")));
  // "*" on the workstation side is just a group name, not a wildcard.
  CHECK_FALSE(GroupsPermit({"sales"}, {"*"}));
}

TEST_CASE("roster size and depth caps", "[roster]") {
  std::string deep = Payload(R"({"id":"E1","status":"active","accounts":["a"]})",
                             R"(,"x":)" + std::string(40, '[') + std::string(40, ']'));
  auto r = ParseRoster(deep);
  REQUIRE_FALSE(r);
  CHECK(r.error().kind == ErrorKind::kTooLarge);
  // Many employees are fine.
  std::string many;
  for (int i = 0; i < 5000; ++i) {
    if (i != 0) many += ",";
    many += R"({"id":"E)" + std::to_string(i) + R"(","status":"active","accounts":["u)" + std::to_string(i) + R"("]})";
  }
  Roster big = MustParse(Payload(many));
  CHECK(big.account_index.size() == 5000);
  REQUIRE(big.FindEmployee("u4999"));
  CHECK(big.FindEmployee("u4999")->id == "E4999");
}

// The optional identity fields (docs/design.md §9, §2): wrong types reject
// the roster; invalid or conflicting values are dropped one by one with a
// warning.

TEST_CASE("posix uids, display names and posix groups are read", "[roster][posix]") {
  Roster r = MustParse(
      Payload(R"({"id":"E1","status":"active","accounts":["asmith"],"groups":["finance"],)"
              R"("posix":{"asmith":{"uid":20017,"future":1}},"display_name":"Anna Smith"})",
              R"(,"posix_groups":{"finance-data":{"gid":30001,"roles":["finance"]},)"
              R"("dialout":{"roles":["service"]}})"));
  const Employee* e = r.FindEmployee("asmith");
  REQUIRE(e);
  CHECK(e->posix_uids.at("asmith") == 20017);
  CHECK(e->display_name == "Anna Smith");
  REQUIRE(r.posix_groups.size() == 2);
  CHECK(r.posix_groups.at("finance-data").gid == 30001U);
  CHECK(r.posix_groups.at("finance-data").roles == std::vector<std::string>{"finance"});
  CHECK_FALSE(r.posix_groups.at("dialout").gid);
  CHECK(r.warnings.empty());
}

TEST_CASE("absent identity fields leave an employee without one", "[roster][posix]") {
  Roster r = MustParse(Payload(R"({"id":"E1","status":"active","accounts":["asmith"]})"));
  CHECK(r.FindEmployee("asmith")->posix_uids.empty());
  CHECK_FALSE(r.FindEmployee("asmith")->display_name);
  CHECK(r.posix_groups.empty());
}

TEST_CASE("wrong types in identity fields reject the roster", "[roster][posix]") {
  const std::string emp = R"({"id":"E1","status":"active","accounts":["a1"],)";
  for (const std::string& bad : {
           Payload(emp + R"("posix":[]})"),
           Payload(emp + R"("posix":{"a1":20000}})"),
           Payload(emp + R"("posix":{"a1":{"uid":"20000"}}})"),
           Payload(emp + R"("posix":{"a1":{"uid":-5}}})"),
           Payload(emp + R"("posix":{"a1":{}}})"),
           Payload(emp + R"("display_name":7})"),
           Payload(emp + "}", R"(,"posix_groups":[])"),
           Payload(emp + "}", R"(,"posix_groups":{"g":{"gid":"1"}})"),
           Payload(emp + "}", R"(,"posix_groups":{"g":{"roles":"x"}})"),
           Payload(emp + "}", R"(,"posix_groups":{"g":{"roles":[1]}})"),
       }) {
    INFO(bad);
    auto r = ParseRoster(bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == ErrorKind::kInvalidInput);
  }
}

TEST_CASE("invalid posix values are dropped per account with a warning", "[roster][posix]") {
  Roster r = MustParse(
      Payload(R"({"id":"E1","status":"active","accounts":["ok","zero","big","nobody1","Bad:Name"],)"
              R"("posix":{"ok":{"uid":20000},"zero":{"uid":0},"big":{"uid":4294967296},)"
              R"("nobody1":{"uid":65534},"Bad:Name":{"uid":20004},"other":{"uid":20005}},)"
              R"("display_name":"Evil:Name"})"));
  const Employee& e = r.employees[0];
  CHECK(e.posix_uids == std::map<std::string, std::uint32_t>{{"ok", 20000}});
  CHECK_FALSE(e.display_name);
  CHECK(Warned(r, "'zero' has an invalid uid 0"));
  CHECK(Warned(r, "'big' has an invalid uid"));
  CHECK(Warned(r, "'nobody1' has an invalid uid 65534"));
  CHECK(Warned(r, "'Bad:Name' is not a valid user name"));
  CHECK(Warned(r, "'other' is not one of employee E1's accounts"));
  CHECK(Warned(r, "E1: display_name"));
}

TEST_CASE("a uid given twice and shared accounts get no identity", "[roster][posix]") {
  Roster r = MustParse(Payload(
      R"({"id":"E1","status":"active","accounts":["a1","dup"],"posix":{"a1":{"uid":20001},"dup":{"uid":20009}}},)"
      R"({"id":"E2","status":"active","accounts":["b1","dup"],"posix":{"b1":{"uid":20001}}},)"
      R"({"id":"E3","status":"active","accounts":["c1","sales"],"posix":{"c1":{"uid":20003},"sales":{"uid":20004}}})",
      R"(,"shared_accounts":["sales"])"));
  CHECK(r.employees[0].posix_uids.empty());
  CHECK(r.employees[1].posix_uids.empty());
  CHECK(r.employees[2].posix_uids == std::map<std::string, std::uint32_t>{{"c1", 20003}});
  CHECK(Warned(r, "uid 20001 is given to 2 accounts"));
  CHECK(Warned(r, "'dup' is refused as shared"));
  CHECK(Warned(r, "'sales' is refused as shared"));
}

TEST_CASE("conflicting posix groups are dropped, the rest kept", "[roster][posix]") {
  Roster r = MustParse(Payload(
      R"({"id":"E1","status":"active","accounts":["asmith"],"posix":{"asmith":{"uid":30005}}})",
      R"(,"posix_groups":{"good":{"gid":30001,"roles":["r"]},"twin1":{"gid":30002},"twin2":{"gid":30002},)"
      R"("upg":{"gid":30005},"asmith":{"gid":30006},"bad name":{"gid":30007},"root0":{"gid":0},)"
      R"("local":{"roles":["r"]}})"));
  std::vector<std::string> kept;
  for (const auto& [name, group] : r.posix_groups) kept.push_back(name);
  CHECK(kept == std::vector<std::string>{"good", "local"});
  CHECK(Warned(r, "'twin1' shares gid 30002"));
  CHECK(Warned(r, "'twin2' shares gid 30002"));
  CHECK(Warned(r, "'upg' has gid 30005, an account's own group"));
  CHECK(Warned(r, "'asmith' has the name of an account's own group"));
  CHECK(Warned(r, "'bad name' is not a valid group name"));
  CHECK(Warned(r, "'root0' has an invalid gid 0"));
}

TEST_CASE("posix names", "[roster][posix]") {
  for (const char* ok : {"asmith", "a", "_svc", "A.b-c_d", "x1234567890123456789012345678901"}) {
    CHECK(IsValidPosixName(ok));
  }
  for (const char* bad :
       {"", "-a", ".a", "1234", "a b", "a:b", "a/b", "é", "x12345678901234567890123456789012"}) {
    INFO(bad);
    CHECK_FALSE(IsValidPosixName(bad));
  }
  CHECK(IsValidPosixId(1));
  CHECK(IsValidPosixId(0x7fffffff));
  CHECK_FALSE(IsValidPosixId(0));
  CHECK_FALSE(IsValidPosixId(0x80000000U));
  CHECK_FALSE(IsValidPosixId(65535));
}
