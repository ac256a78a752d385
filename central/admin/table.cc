#include "central/admin/table.h"

#include <algorithm>

#include "common/terminal_text.h"

namespace staffgate::central::admin {

namespace {

// Columns align by code points (UTF-8 continuation bytes take no column).
std::size_t Columns(const std::string& text) {
  std::size_t n = 0;
  for (unsigned char ch : text) n += static_cast<unsigned long>((ch & 0xc0) != 0x80);
  return n;
}

}  // namespace

std::string RenderTable(const std::vector<std::string>& header,
                        const std::vector<std::vector<std::string>>& raw_rows) {
  // Every cell escaped: cells hold what workstations and HR exports sent.
  std::vector<std::vector<std::string>> rows;
  for (const auto& raw : raw_rows) {
    std::vector<std::string>& row = rows.emplace_back();
    for (const std::string& cell : raw) row.push_back(common::EscapeForTerminal(cell));
  }
  std::vector<std::size_t> width(header.size(), 0);
  auto measure = [&](const std::vector<std::string>& row) {
    for (std::size_t i = 0; i < row.size() && i < width.size(); ++i)
      width[i] = std::max(width[i], Columns(row[i]));
  };
  measure(header);
  for (const auto& row : rows) measure(row);
  std::string out;
  auto emit = [&](const std::vector<std::string>& row) {
    std::string line;
    for (std::size_t i = 0; i < width.size(); ++i) {
      std::string cell = i < row.size() ? row[i] : "";
      line += cell;
      if (i + 1 < width.size()) line += std::string(width[i] - Columns(cell) + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  };
  emit(header);
  for (const auto& row : rows) emit(row);
  return out;
}

}  // namespace staffgate::central::admin
