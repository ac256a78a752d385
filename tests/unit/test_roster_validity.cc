// The optional valid_from / valid_until per employee (docs/design.md §2,
// scheduled changes of §11): RFC 3339 only, a bad value rejects the roster
// with a sentence naming the field and the employee.
#include <catch2/catch.hpp>
#include <string>

#include "common/roster.h"

namespace {

using namespace staffgate::common;

std::string Payload(const std::string& employee_fields) {
  return R"({"schema":"staffgate.roster.v1","serial":7,"issued_at":"2026-11-28T23:00:00Z",)"
         R"("expires_at":"2026-12-05T23:00:00Z","employees":[)"
         R"({"id":"E1","status":"active","accounts":["a"]},)"
         R"({"id":"E2","status":"active","accounts":["b"])" +
         employee_fields + "}]}";
}

}  // namespace

TEST_CASE("valid_from and valid_until parse as UTC seconds", "[roster]") {
  auto r = ParseRoster(
      Payload(R"(,"valid_from":"2026-12-01T08:00:00Z","valid_until":"2026-12-04T18:30:00+01:00")"));
  REQUIRE(r);
  const Employee* e = r->FindEmployee("b");
  REQUIRE(e != nullptr);
  REQUIRE(e->valid_from);
  CHECK(*e->valid_from == *ParseRfc3339("2026-12-01T08:00:00Z"));
  REQUIRE(e->valid_until);
  CHECK(*e->valid_until == *ParseRfc3339("2026-12-04T17:30:00Z"));
  // Absent or null: no bound.
  const Employee* other = r->FindEmployee("a");
  CHECK_FALSE(other->valid_from);
  CHECK_FALSE(other->valid_until);
  auto n = ParseRoster(Payload(R"(,"valid_from":null,"valid_until":null)"));
  REQUIRE(n);
  CHECK_FALSE(n->FindEmployee("b")->valid_until);
}

TEST_CASE("a bad valid_from or valid_until rejects the roster, naming field and employee",
          "[roster]") {
  for (const char* field : {"valid_from", "valid_until"}) {
    for (const char* bad :
         {R"("2026-12-04")", R"("tomorrow")", "1795168800", R"("")", "true",
          R"("2026-02-30T00:00:00Z")", R"("2026-12-04T17:30:00")", R"(["2026-12-04T17:30:00Z"])"}) {
      INFO(field << " = " << bad);
      auto r = ParseRoster(Payload(std::string(",\"") + field + "\":" + bad));
      REQUIRE_FALSE(r);
      CHECK(r.error().kind == ErrorKind::kInvalidInput);
      CHECK(r.error().message.find(field) != std::string::npos);
      CHECK(r.error().message.find("E2") != std::string::npos);
    }
  }
}
