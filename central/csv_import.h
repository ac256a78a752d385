// The HR export the central imports (`staffgate-admin import FILE.csv`):
//   employee_id,name,accounts,status,groups
// accounts and groups separated by ';'. RFC 4180 quoting ("" inside quotes,
// quoted commas and newlines), an optional UTF-8 BOM, LF or CRLF line ends,
// an optional header row and a missing final newline are all accepted.
// Parsing is pure: applying the rows is the Service's job (one transaction).
#ifndef STAFFGATE_CENTRAL_CSV_IMPORT_H_
#define STAFFGATE_CENTRAL_CSV_IMPORT_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "central/model.h"
#include "common/result.h"

namespace staffgate::central {

inline constexpr std::size_t kMaxCsvRows = 200000;
inline constexpr std::size_t kMaxCsvFieldBytes = 4096;

struct CsvRow {
  std::size_t line = 0;  // 1-based line where the row starts.
  std::vector<std::string> fields;
};

// Splits CSV text into rows; blank lines are skipped.
// Errors: kInvalidInput "line N: ..." (unterminated quote, stray quote),
// kTooLarge (rows or field size over the caps).
common::Result<std::vector<CsvRow>> ParseCsv(std::string_view text);

struct ImportRow {
  std::size_t line = 0;
  EmployeeRecord employee;  // credentials_reset_after unset: kept from the DB.
};

// Parses and validates each row (ids, account names, status, groups) and
// rejects an employee id listed twice. Errors: kInvalidInput "line N: ...".
common::Result<std::vector<ImportRow>> ParseImport(std::string_view text);

}  // namespace staffgate::central

#endif  // STAFFGATE_CENTRAL_CSV_IMPORT_H_
