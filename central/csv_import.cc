#include "central/csv_import.h"

#include <algorithm>
#include <array>
#include <map>

#include "central/validation.h"

namespace staffgate::central {
namespace {

using common::ErrorKind;
using common::Fail;
using common::Result;

tl::unexpected<common::Error> LineError(std::size_t line, const std::string& what) {
  return Fail(ErrorKind::kInvalidInput, "line " + std::to_string(line) + ": " + what);
}

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.pop_back();
  std::size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
  return s.substr(i);
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// Why a blank column is refused, after "<column> is blank".
constexpr std::array<const char*, 5> kBlankHint = {
    "", "", ": list the employee's accounts separated by ';'",
    ": write active, suspended or terminated",
    ": list the employee's groups separated by ';', or write * for every workstation"};

std::string ColumnList() {
  std::string out;
  for (std::string_view c : kImportColumns) out += (out.empty() ? "" : ",") + std::string(c);
  return out;
}

}  // namespace

Result<std::vector<CsvRow>> ParseCsv(std::string_view text) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  std::vector<CsvRow> rows;
  CsvRow row;
  std::string field;
  std::size_t line = 1;
  row.line = 1;
  bool in_quotes = false;
  bool was_quoted = false;
  bool row_has_content = false;
  auto end_field = [&]() -> Result<void> {
    if (field.size() > kMaxCsvFieldBytes)
      return Fail(ErrorKind::kTooLarge, "line " + std::to_string(line) + ": field too long");
    row.fields.push_back(was_quoted ? field : Trim(field));
    field.clear();
    was_quoted = false;
    return common::Ok();
  };
  auto end_row = [&]() -> Result<void> {
    if (auto ok = end_field(); !ok) return ok;
    bool blank = !row_has_content;
    if (!blank) {
      if (rows.size() >= kMaxCsvRows)
        return Fail(ErrorKind::kTooLarge, "more than " + std::to_string(kMaxCsvRows) + " rows");
      rows.push_back(std::move(row));
    }
    row = CsvRow{};
    row_has_content = false;
    return common::Ok();
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    char ch = text[i];
    if (in_quotes) {
      if (ch == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field += '"';
          ++i;
        } else {
          in_quotes = false;
        }
      } else {
        // A line break inside quotes is part of the field; LF, CRLF and a
        // lone CR each count as one line.
        if (ch == '\n' || (ch == '\r' && (i + 1 >= text.size() || text[i + 1] != '\n'))) ++line;
        field += ch;
      }
      continue;
    }
    if (ch == '"') {
      bool only_blanks = field.find_first_not_of(" \t") == std::string::npos;
      if (was_quoted || !only_blanks) return LineError(line, "stray '\"' inside an unquoted field");
      field.clear();
      in_quotes = was_quoted = row_has_content = true;
    } else if (ch == ',') {
      if (auto ok = end_field(); !ok) return tl::unexpected(ok.error());
      row_has_content = true;
    } else if (ch == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      continue;                             // CRLF: the '\n' ends the row.
    } else if (ch == '\n' || ch == '\r') {  // LF, or a lone CR (classic Mac).
      if (auto ok = end_row(); !ok) return tl::unexpected(ok.error());
      row.line = ++line;
    } else {
      if (was_quoted && ch != ' ' && ch != '\t')
        return LineError(line, "text after a closing quote");
      if (ch != ' ' && ch != '\t') row_has_content = true;
      if (!was_quoted) field += ch;
    }
  }
  if (in_quotes) return LineError(row.line, "unterminated quoted field");
  if (auto ok = end_row(); !ok) return tl::unexpected(ok.error());
  return rows;
}

Result<std::vector<std::size_t>> ImportColumns(const CsvRow& first, bool& has_header) {
  std::vector<std::size_t> index(kImportColumns.size(), kImportColumns.size());
  has_header = std::any_of(first.fields.begin(), first.fields.end(), [](const std::string& f) {
    return std::find(kImportColumns.begin(), kImportColumns.end(), Lower(f)) !=
           kImportColumns.end();
  });
  if (!has_header) {  // The classic order (docs/design.md §5).
    for (std::size_t c = 0; c < index.size(); ++c) index[c] = c;
    return index;
  }
  for (std::size_t f = 0; f < first.fields.size(); ++f) {
    const std::string name = Lower(first.fields[f]);
    const auto* known = std::find(kImportColumns.begin(), kImportColumns.end(), name);
    if (known == kImportColumns.end()) {
      return LineError(first.line, "unknown column '" + first.fields[f].substr(0, 40) +
                                       "' in the header (the columns are " + ColumnList() + ")");
    }
    std::size_t& slot = index[static_cast<std::size_t>(known - kImportColumns.begin())];
    if (slot != kImportColumns.size()) {
      return LineError(first.line, "column '" + name + "' appears twice in the header");
    }
    slot = f;
  }
  for (std::size_t c = 0; c < index.size(); ++c) {
    if (index[c] == kImportColumns.size()) {
      return LineError(first.line, "the header lacks the column '" +
                                       std::string(kImportColumns[c]) +
                                       "' (required: " + ColumnList() + ")");
    }
  }
  return index;
}

namespace {

// The employee of one data row; `cell(c)` is column c of kImportColumns.
template <typename Cell>
Result<EmployeeRecord> RowEmployee(std::size_t line, const Cell& cell) {
  for (std::size_t c = 0; c < kImportColumns.size(); ++c) {
    const bool blank = c == 2 || c == 4 ? SplitList(cell(c), ';').empty() : cell(c).empty();
    if (blank) return LineError(line, std::string(kImportColumns[c]) + " is blank" + kBlankHint[c]);
  }
  EmployeeRecord e;
  e.id = cell(0);
  if (auto ok = CheckEmployeeId(e.id); !ok)
    return LineError(line, "employee_id: " + ok.error().message);
  e.name = cell(1);
  if (auto ok = CheckPersonName(e.name); !ok) return LineError(line, "name: " + ok.error().message);
  e.accounts.clear();
  for (std::string& account : SplitList(cell(2), ';')) {
    if (auto ok = CheckAccountName(account); !ok)
      return LineError(line, "accounts: " + ok.error().message);
    if (std::find(e.accounts.begin(), e.accounts.end(), account) == e.accounts.end()) {
      e.accounts.push_back(std::move(account));
    }
  }
  const std::string status = Lower(cell(3));
  auto parsed = common::ParseEmployeeStatus(status);
  if (!parsed) {
    return LineError(
        line, "status must be active, suspended or terminated, not '" + status.substr(0, 40) + "'");
  }
  e.status = *parsed;
  e.groups = SplitList(cell(4), ';');
  if (auto ok = CheckGroups(e.groups); !ok) return LineError(line, "groups: " + ok.error().message);
  return e;
}

}  // namespace

Result<std::vector<ImportRow>> ParseImport(std::string_view text) {
  auto rows = ParseCsv(text);
  if (!rows) return tl::unexpected(rows.error());
  if (rows->empty()) {
    return Fail(ErrorKind::kInvalidInput, "the file is empty: it needs the header " + ColumnList() +
                                              " and one line per employee");
  }
  bool has_header = false;
  auto columns = ImportColumns(rows->front(), has_header);
  if (!columns) return tl::unexpected(columns.error());
  const std::size_t width = has_header ? rows->front().fields.size() : kImportColumns.size();
  std::vector<ImportRow> out;
  std::map<std::string, std::size_t> seen;
  for (std::size_t r = has_header ? 1 : 0; r < rows->size(); ++r) {
    const CsvRow& row = (*rows)[r];
    if (row.fields.size() != width) {
      return LineError(row.line, "expected " + std::to_string(width) + " fields (" + ColumnList() +
                                     "), got " + std::to_string(row.fields.size()));
    }
    auto employee = RowEmployee(
        row.line, [&](std::size_t c) -> const std::string& { return row.fields[(*columns)[c]]; });
    if (!employee) return tl::unexpected(employee.error());
    auto [it, inserted] = seen.emplace(employee->id, row.line);
    if (!inserted) {
      return LineError(row.line, "employee " + employee->id + " is already listed on line " +
                                     std::to_string(it->second));
    }
    out.push_back(ImportRow{row.line, std::move(*employee)});
  }
  if (out.empty()) {
    return Fail(ErrorKind::kInvalidInput, "the file has a header but no employee lines");
  }
  return out;
}

}  // namespace staffgate::central
