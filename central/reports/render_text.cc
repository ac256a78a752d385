// The leaver report for a terminal: headed sections and aligned tables;
// every value from HR, a workstation or an administrator is escaped
// (common/terminal_text.h), so a name cannot move the cursor or hide text.
#include <algorithm>

#include "central/reports/render.h"
#include "central/reports/report_words.h"
#include "common/terminal_text.h"

namespace staffgate::central {

namespace {

using Row = std::vector<std::string>;

// Columns padded to their widest cell (bytes; escaped text is ASCII-safe
// enough for alignment), two spaces apart, indented two.
std::string Table(const Row& header, const std::vector<Row>& rows) {
  std::vector<std::size_t> width(header.size(), 0);
  auto measure = [&width](const Row& row) {
    for (std::size_t i = 0; i < row.size() && i < width.size(); ++i)
      width[i] = std::max(width[i], row[i].size());
  };
  measure(header);
  for (const Row& row : rows) measure(row);
  std::string out;
  auto line = [&](const Row& row) {
    std::string text = " ";
    for (std::size_t i = 0; i < row.size(); ++i) {
      text += " " + row[i];
      if (i + 1 < row.size()) text.append(width[i] - row[i].size() + 1, ' ');
    }
    out += text + "\n";
  };
  line(header);
  for (const Row& row : rows) line(row);
  return out;
}

std::string Safe(const std::string& text) { return common::EscapeForTerminal(text); }

std::string Events(const std::vector<ReportEvent>& events, bool attempts) {
  if (events.empty()) return "  none\n";
  std::vector<Row> rows;
  for (const ReportEvent& e : events) {
    rows.push_back({ReportTimeMs(e.time_ms), Safe(e.workstation), Safe(e.account),
                    Safe(attempts ? AttemptOutcome(e) : SessionEndText(e))});
  }
  return Table({"TIME", "WORKSTATION", "ACCOUNT", attempts ? "OUTCOME" : "WHAT"}, rows);
}

std::string Workstations(const LeaverReport& r) {
  if (r.workstations.empty()) return "  no workstations are registered\n";
  std::vector<Row> rows;
  for (const LeaverWorkstation& w : r.workstations) {
    rows.push_back({Safe(w.name), w.confirmed ? "yes" : "NO", ReportTime(w.confirmed_at),
                    ReportSerial(w.installed_serial), ReportTime(w.last_contact),
                    w.online ? "yes" : "no"});
  }
  return Table({"WORKSTATION", "CONFIRMED", "CONFIRMED AT", "INSTALLED", "LAST CONTACT", "ONLINE"},
               rows);
}

}  // namespace

std::string RenderLeaverText(const LeaverReport& r) {
  std::string out = "Leaver report: " + Safe(r.employee_id) +
                    (r.name.empty() ? "" : " (" + Safe(r.name) + ")") + "\n";
  std::string accounts;
  for (const std::string& a : r.accounts) accounts += (accounts.empty() ? "" : ", ") + Safe(a);
  out += "Accounts: " + (accounts.empty() ? std::string("-") : accounts) + "\n";
  out += "Generated at " + common::FormatRfc3339(r.generated_at) + " (current roster serial " +
         std::to_string(r.current_serial) + ")\n\nTermination\n";
  for (const std::string& line : TerminationLines(r.termination)) out += "  " + Safe(line) + "\n";
  out += "\nWorkstations: " + ConfirmationSummary(r) + "\n" + Workstations(r);
  bool header = false;
  for (const LeaverWorkstation& w : r.workstations) {
    if (w.confirmed) continue;
    if (!header) out += "\nNot confirmed\n";
    header = true;
    out += "  " + Safe(w.name) + ": " + Safe(WorkstationStatus(w, r.generated_at)) + "\n";
  }
  out += "\nSessions ended\n" + Events(r.sessions_ended, false);
  out += "\nLogin attempts after the termination\n" + Events(r.login_attempts, true);
  if (r.truncated) out += "\nSome events were left out: the lists reached their cap.\n";
  return out;
}

}  // namespace staffgate::central
