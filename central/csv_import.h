// The HR export the central imports (`staffgate-admin import FILE.csv`,
// docs/design.md §5): a header naming the columns employee_id, name,
// accounts, status and groups, in any order, then one line per employee;
// accounts and groups separated by ';', groups `*` for every workstation.
// A file without a header (no field of its first line is a column name) is
// read in that classic order. RFC 4180 quoting ("" inside quotes, quoted
// commas and newlines), an optional UTF-8 BOM, LF, CRLF or lone-CR line
// ends and a missing final newline are accepted.
// Fail closed: a blank field, an unknown or missing column, a line with
// another number of fields, an empty file or one without employee lines is
// refused with one sentence naming the line and the field; no default
// widens access (a blank status is not `active`, blank groups are not `*`).
// Parsing is pure: applying the rows is the Service's job (one transaction).
#ifndef STAFFGATE_CENTRAL_CSV_IMPORT_H_
#define STAFFGATE_CENTRAL_CSV_IMPORT_H_

#include <array>
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

// The columns, in the classic (headerless) order.
inline constexpr std::array<std::string_view, 5> kImportColumns = {"employee_id", "name",
                                                                   "accounts", "status", "groups"};

// Maps the first row to column positions: index[c] is the field holding
// kImportColumns[c]. `has_header` says whether the row was a header (then
// every field must name a column, each column once). Errors: kInvalidInput.
common::Result<std::vector<std::size_t>> ImportColumns(const CsvRow& first, bool& has_header);

// Parses and validates each row (ids, account names, status, groups) and
// rejects an employee id listed twice. Errors: kInvalidInput "line N: ..."
// naming the field, or naming the file's problem (empty, no employee lines).

common::Result<std::vector<ImportRow>> ParseImport(std::string_view text);

}  // namespace staffgate::central

#endif  // STAFFGATE_CENTRAL_CSV_IMPORT_H_
