#include <catch2/catch.hpp>

#include "central/csv_import.h"
#include "central/validation.h"

using staffgate::central::ParseCsv;
using staffgate::central::ParseImport;

TEST_CASE("csv: quoting, BOM, CRLF and a missing final newline", "[central][csv]") {
  auto rows = ParseCsv(
      "\xEF\xBB\xBF"
      "a,\"b, c\",\"say \"\"hi\"\"\"\r\n\r\nx,\"multi\nline\",z");
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

namespace {

// The message of a refused import; fails the test when it was accepted.
std::string Refusal(std::string_view text) {
  auto rows = ParseImport(text);
  REQUIRE_FALSE(rows);
  CHECK(rows.error().kind == staffgate::common::ErrorKind::kInvalidInput);
  return rows.error().message;
}

bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("import: header, lists and validation", "[central][csv]") {
  auto rows = ParseImport(
      "employee_id,name,accounts,status,groups\n"
      "E1,\"Smith, Anna\",asmith;anna,active,sales;service\n"
      "E2,Bob Jones,bjones,suspended,*\n"
      "E3,Cy,cy,Terminated,sales\n");
  REQUIRE(rows);
  REQUIRE(rows->size() == 3);
  CHECK((*rows)[0].employee.name == "Smith, Anna");
  CHECK((*rows)[0].employee.accounts == std::vector<std::string>{"asmith", "anna"});
  CHECK((*rows)[0].employee.groups == std::vector<std::string>{"sales", "service"});
  CHECK((*rows)[1].employee.groups == std::vector<std::string>{"*"});
  CHECK((*rows)[1].employee.status == staffgate::common::EmployeeStatus::kSuspended);
  CHECK((*rows)[2].employee.status == staffgate::common::EmployeeStatus::kTerminated);
  CHECK((*rows)[2].line == 4);

  CHECK_FALSE(ParseImport("E1,A,bad name!,active,*\n"));
  CHECK_FALSE(ParseImport("E1,A,a,retired,*\n"));
  CHECK_FALSE(ParseImport("E1,A,a,active,*\nE1,B,b,active,*\n"));
  CHECK_FALSE(ParseImport("E1,A\n"));
  auto bad = ParseImport("E1,A,a,active,*\nE2,B,toolongaccountname_toolongaccountname,active,*\n");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message.rfind("line 2: accounts:", 0) == 0);
}

TEST_CASE("import: blank fields are refused, never defaulted", "[central][csv]") {
  const std::string header = "employee_id,name,accounts,status,groups\n";
  std::string why = Refusal(header + "E1,Ann,ann,active,*\nE2,Bob,bob,,*\n");
  CHECK(why.rfind("line 3: status is blank", 0) == 0);
  CHECK(Has(why, "active, suspended or terminated"));
  why = Refusal(header + "E2,Bob,bob,active,\n");
  CHECK(why.rfind("line 2: groups is blank", 0) == 0);
  CHECK(Has(why, "write *"));
  CHECK(Refusal(header + "E2,Bob,bob,active, ; \n").rfind("line 2: groups is blank", 0) == 0);
  CHECK(Refusal(header + ",Bob,bob,active,*\n").rfind("line 2: employee_id is blank", 0) == 0);
  CHECK(Refusal(header + "E2,,bob,active,*\n").rfind("line 2: name is blank", 0) == 0);
  CHECK(Refusal(header + "E2,Bob,;,active,*\n").rfind("line 2: accounts is blank", 0) == 0);
  // Four columns: never "groups *".
  why = Refusal(header + "E2,Bob,bob,active\n");
  CHECK(why.rfind("line 2: expected 5 fields", 0) == 0);
  CHECK(Has(why, "got 4"));
  CHECK(Has(Refusal("E2,Bob,bob,active\n"), "got 4"));
}

TEST_CASE("import: columns are mapped by their header names", "[central][csv]") {
  auto rows = ParseImport(
      "Status,groups,employee_id,accounts,name\r\n"
      "active,sales,E1,asmith,Anna\r\n");
  REQUIRE(rows);
  REQUIRE(rows->size() == 1);
  CHECK((*rows)[0].employee.id == "E1");
  CHECK((*rows)[0].employee.name == "Anna");
  CHECK((*rows)[0].employee.accounts == std::vector<std::string>{"asmith"});
  CHECK((*rows)[0].employee.groups == std::vector<std::string>{"sales"});

  std::string why =
      Refusal("employee_id,name,accounts,status,groups,department\nE1,A,a,active,*,x\n");
  CHECK(why.rfind("line 1: unknown column 'department'", 0) == 0);
  why = Refusal("employee_id,name,accounts,status\nE1,A,a,active\n");
  CHECK(why.rfind("line 1: the header lacks the column 'groups'", 0) == 0);
  CHECK(Has(Refusal("employee_id,name,accounts,status,status\n"), "appears twice"));
  // A row with more or fewer fields than the header names.
  CHECK(Has(Refusal("employee_id,name,accounts,status,groups\nE1,A,a,active,*,extra\n"),
            "line 2: expected 5 fields"));
}

TEST_CASE("import: line endings, empty and header-only files", "[central][csv]") {
  // Classic-Mac CR line ends are lines, not one long row.
  auto rows =
      ParseImport("employee_id,name,accounts,status,groups\rE1,A,a,active,*\rE2,B,b,active,*\r");
  REQUIRE(rows);
  REQUIRE(rows->size() == 2);
  CHECK((*rows)[1].line == 3);
  CHECK((*rows)[1].employee.id == "E2");
  auto quoted = ParseCsv("a,\"x\ry\"\rb,c");
  REQUIRE(quoted);
  REQUIRE(quoted->size() == 2);
  CHECK((*quoted)[0].fields[1] == "x\ry");
  CHECK((*quoted)[1].line == 3);
  // Nothing to import is refused, never "0 rows imported".
  CHECK(Has(Refusal(""), "the file is empty"));
  CHECK(Has(Refusal("\xEF\xBB\xBF\r\n\n  \n"), "the file is empty"));
  CHECK(Has(Refusal("employee_id,name,accounts,status,groups\n"), "no employee lines"));
  CHECK(Has(Refusal("employee_id,name,accounts,status,groups\r\r\n\n"), "no employee lines"));
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
