#include <catch2/catch.hpp>

#include "central/csv_import.h"
#include "central/validation.h"

using staffgate::central::ParseCsv;
using staffgate::central::ParseImport;

TEST_CASE("csv: quoting, BOM, CRLF and a missing final newline", "[central][csv]") {
  auto rows = ParseCsv("\xEF\xBB\xBF" "a,\"b, c\",\"say \"\"hi\"\"\"\r\n\r\nx,\"multi\nline\",z");
  REQUIRE(rows);
  REQUIRE(rows->size() == 2);
  CHECK((*rows)[0].fields == std::vector<std::string>{"a", "b, c", "say \"hi\""});
  CHECK((*rows)[1].fields == std::vector<std::string>{"x", "multi\nline", "z"});
  CHECK((*rows)[1].line == 3);
}

TEST_CASE("csv: malformed quoting is an error naming the line", "[central][csv]") {
  auto unterminated = ParseCsv("a,b\nc,\"d\n");
  REQUIRE_FALSE(unterminated);
  CHECK(unterminated.error().message.find("line 2") != std::string::npos);
  CHECK_FALSE(ParseCsv("a,b\"c\n"));
  CHECK_FALSE(ParseCsv("a,\"b\"c\n"));
}

TEST_CASE("import: header, defaults, lists and validation", "[central][csv]") {
  auto rows = ParseImport(
      "employee_id,name,accounts,status,groups\n"
      "E1,\"Smith, Anna\",asmith;anna,active,sales;service\n"
      "E2,Bob Jones,bjones,,\n"
      "E3,Cy,cy,Terminated\n");
  REQUIRE(rows);
  REQUIRE(rows->size() == 3);
  CHECK((*rows)[0].employee.name == "Smith, Anna");
  CHECK((*rows)[0].employee.accounts == std::vector<std::string>{"asmith", "anna"});
  CHECK((*rows)[0].employee.groups == std::vector<std::string>{"sales", "service"});
  CHECK((*rows)[1].employee.groups == std::vector<std::string>{"*"});
  CHECK((*rows)[1].employee.status == staffgate::common::EmployeeStatus::kActive);
  CHECK((*rows)[2].employee.status == staffgate::common::EmployeeStatus::kTerminated);

  CHECK_FALSE(ParseImport("E1,A,bad name!,active,*\n"));
  CHECK_FALSE(ParseImport("E1,A,a,retired,*\n"));
  CHECK_FALSE(ParseImport("E1,A,a,active,*\nE1,B,b,active,*\n"));
  CHECK_FALSE(ParseImport("E1,A\n"));
  auto bad = ParseImport("E1,A,a\nE2,B,toolongaccountname_toolongaccountname\n");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message.rfind("line 2:", 0) == 0);
}

TEST_CASE("validation: account names, ids, groups", "[central][validation]") {
  using namespace staffgate::central;
  CHECK(IsValidAccountName("asmith"));
  CHECK(IsValidAccountName("_svc"));
  CHECK(IsValidAccountName("host$"));
  CHECK(IsValidAccountName(std::string(32, 'a')));
  CHECK_FALSE(IsValidAccountName(std::string(33, 'a')));
  CHECK_FALSE(IsValidAccountName(""));
  CHECK_FALSE(IsValidAccountName("1abc"));
  CHECK_FALSE(IsValidAccountName("-abc"));
  CHECK_FALSE(IsValidAccountName("a b"));
  CHECK_FALSE(IsValidAccountName("a$b"));
  CHECK(IsValidId("E1001"));
  CHECK_FALSE(IsValidId("E 1"));
  CHECK_FALSE(IsValidId("../x"));
  CHECK(IsValidGroup("*"));
  CHECK_FALSE(IsValidGroup("a,b"));
  CHECK(SplitList(" a; b ;;c", ';') == std::vector<std::string>{"a", "b", "c"});
}
