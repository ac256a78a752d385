// The roster's optional identity fields (docs/design.md §9, §2): `posix`,
// `display_name`, `posix_groups`. Wrong types reject the roster; invalid or
// conflicting values are dropped one by one with a warning.
#include <catch2/catch.hpp>
#include <string>

#include "common/roster.h"

namespace {

using namespace staffgate::common;

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
  for (const auto& w : r.warnings) {
    if (w.find(part) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

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
  CHECK(r.posix_groups.at("finance-data").gid == 30001u);
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
  CHECK_FALSE(IsValidPosixId(0x80000000u));
  CHECK_FALSE(IsValidPosixId(65535));
}
