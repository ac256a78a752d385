// CSV export from the console (events, docs/design.md §11): RFC 4180
// quoting, and cells a spreadsheet would run as a formula neutralised.
// Pure.
#ifndef STAFFGATE_CENTRAL_UI_CSV_CELL_H_
#define STAFFGATE_CENTRAL_UI_CSV_CELL_H_

#include <string>
#include <string_view>
#include <vector>

namespace staffgate::central {

// One cell: a value starting with = + - @ tab or carriage return gets a
// leading ' (so "=cmd|' /C calc'!A0" is text, not a formula); a value with
// a comma, quote, CR or LF is quoted with its quotes doubled.
std::string CsvCell(std::string_view value);
// The cells joined with ',' and ended with CRLF.
std::string CsvRow(const std::vector<std::string>& cells);

}  // namespace staffgate::central

#endif  // STAFFGATE_CENTRAL_UI_CSV_CELL_H_
