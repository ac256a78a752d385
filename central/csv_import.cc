#include "central/csv_import.h"

#include <algorithm>
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
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

}  // namespace

Result<std::vector<CsvRow>> ParseCsv(std::string_view text) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  std::vector<CsvRow> rows;
  CsvRow row;
  std::string field;
  std::size_t line = 1;
  row.line = 1;
  bool in_quotes = false, was_quoted = false, row_has_content = false;
  auto end_field = [&]() -> Result<void> {
    if (field.size() > kMaxCsvFieldBytes) return Fail(ErrorKind::kTooLarge, "line " + std::to_string(line) + ": field too long");
    row.fields.push_back(was_quoted ? field : Trim(field));
    field.clear();
    was_quoted = false;
    return common::Ok();
  };
  auto end_row = [&]() -> Result<void> {
    if (auto ok = end_field(); !ok) return ok;
    bool blank = !row_has_content;
    if (!blank) {
      if (rows.size() >= kMaxCsvRows) return Fail(ErrorKind::kTooLarge, "more than " + std::to_string(kMaxCsvRows) + " rows");
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
        if (ch == '\n') ++line;
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
      continue;  // CRLF: the '\n' ends the row.
    } else if (ch == '\n') {
      if (auto ok = end_row(); !ok) return tl::unexpected(ok.error());
      row.line = ++line;
    } else {
      if (was_quoted && ch != ' ' && ch != '\t') return LineError(line, "text after a closing quote");
      if (ch != ' ' && ch != '\t' && ch != '\r') row_has_content = true;
      if (!was_quoted) field += ch;
    }
  }
  if (in_quotes) return LineError(row.line, "unterminated quoted field");
  if (auto ok = end_row(); !ok) return tl::unexpected(ok.error());
  return rows;
}

Result<std::vector<ImportRow>> ParseImport(std::string_view text) {
  auto rows = ParseCsv(text);
  if (!rows) return tl::unexpected(rows.error());
  std::vector<ImportRow> out;
  std::map<std::string, std::size_t> seen;
  for (std::size_t r = 0; r < rows->size(); ++r) {
    CsvRow& row = (*rows)[r];
    if (r == 0 && !row.fields.empty() && Lower(row.fields[0]) == "employee_id") continue;  // Header.
    if (row.fields.size() < 3 || row.fields.size() > 5) {
      return LineError(row.line, "expected 5 columns employee_id,name,accounts,status,groups, got " +
                                     std::to_string(row.fields.size()));
    }
    ImportRow item;
    item.line = row.line;
    EmployeeRecord& e = item.employee;
    e.id = row.fields[0];
    if (auto ok = CheckEmployeeId(e.id); !ok) return LineError(row.line, ok.error().message);
    e.name = row.fields[1];
    if (auto ok = CheckPersonName(e.name); !ok) return LineError(row.line, ok.error().message);
    for (std::string& account : SplitList(row.fields[2], ';')) {
      if (auto ok = CheckAccountName(account); !ok) return LineError(row.line, ok.error().message);
      if (std::find(e.accounts.begin(), e.accounts.end(), account) == e.accounts.end()) {
        e.accounts.push_back(std::move(account));
      }
    }
    std::string status = row.fields.size() > 3 ? Lower(row.fields[3]) : "";
    if (status.empty()) status = "active";
    auto parsed = common::ParseEmployeeStatus(status);
    if (!parsed) {
      return LineError(row.line, "status must be active, suspended or terminated, not '" +
                                     status.substr(0, 40) + "'");
    }
    e.status = *parsed;
    if (row.fields.size() > 4 && !SplitList(row.fields[4], ';').empty()) {
      e.groups = SplitList(row.fields[4], ';');
    }
    if (auto ok = CheckGroups(e.groups); !ok) return LineError(row.line, ok.error().message);
    auto [it, inserted] = seen.emplace(e.id, row.line);
    if (!inserted) {
      return LineError(row.line, "employee " + e.id + " is already listed on line " + std::to_string(it->second));
    }
    out.push_back(std::move(item));
  }
  return out;
}

}  // namespace staffgate::central
