// The leaver report as a printable HTML page: no script, every value
// HTML-escaped (HtmlEscape), tables that do not break across a printed
// page row, and a print style sheet without the screen's colours.
#include "central/reports/render.h"
#include "central/reports/report_words.h"

namespace staffgate::central {

std::string HtmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

namespace {

constexpr const char* kStyle = R"css(
body { font-family: sans-serif; margin: 2em; color: #111; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 1.5em; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #999; padding: 0.3em 0.5em; text-align: left; vertical-align: top; }
th { background: #eee; }
.no { color: #a00; font-weight: bold; }
dl { display: grid; grid-template-columns: max-content auto; gap: 0.2em 1em; }
dt { font-weight: bold; }
@media print {
  body { margin: 0; font-size: 10pt; }
  th { background: none; }
  .no { color: #000; }
  tr, li { page-break-inside: avoid; }
  h2 { page-break-after: avoid; }
}
)css";

using Cells = std::vector<std::string>;

// A table; each cell is escaped here, so callers pass raw text.
std::string Table(const Cells& header, const std::vector<Cells>& rows) {
  std::string out = "<table>\n<thead><tr>";
  for (const std::string& h : header) out += "<th scope=\"col\">" + HtmlEscape(h) + "</th>";
  out += "</tr></thead>\n<tbody>\n";
  for (const Cells& row : rows) {
    out += "<tr>";
    for (const std::string& c : row) out += "<td>" + HtmlEscape(c) + "</td>";
    out += "</tr>\n";
  }
  return out + "</tbody>\n</table>\n";
}

std::string Events(const std::vector<ReportEvent>& events, bool attempts) {
  if (events.empty()) return "<p>None.</p>\n";
  std::vector<Cells> rows;
  for (const ReportEvent& e : events) {
    rows.push_back({ReportTimeMs(e.time_ms), e.workstation, e.account,
                    attempts ? AttemptOutcome(e) : SessionEndText(e), e.detail});
  }
  return Table({"Time (UTC)", "Workstation", "Account", attempts ? "Outcome" : "What", "Detail"},
               rows);
}

std::string Workstations(const LeaverReport& r) {
  if (r.workstations.empty()) return "<p>No workstations are registered.</p>\n";
  std::vector<Cells> rows;
  for (const LeaverWorkstation& w : r.workstations) {
    rows.push_back({w.name, w.confirmed ? "yes" : "NO", ReportTime(w.confirmed_at),
                    ReportSerial(w.installed_serial), ReportTime(w.last_contact),
                    w.online ? "yes" : "no"});
  }
  return Table({"Workstation", "Confirmed", "Confirmed at (UTC)", "Installed serial",
                "Last contact (UTC)", "Online"},
               rows);
}

std::string NotConfirmed(const LeaverReport& r) {
  std::string items;
  for (const LeaverWorkstation& w : r.workstations) {
    if (w.confirmed) continue;
    items += "<li><span class=\"no\">" + HtmlEscape(w.name) +
             "</span>: " + HtmlEscape(WorkstationStatus(w, r.generated_at)) + "</li>\n";
  }
  if (items.empty()) return "<p>Every workstation has confirmed.</p>\n";
  return "<ul>\n" + items + "</ul>\n";
}

std::string Facts(const LeaverReport& r) {
  std::string accounts;
  for (const std::string& a : r.accounts) accounts += (accounts.empty() ? "" : ", ") + a;
  std::string out = "<dl>\n";
  auto fact = [&out](const std::string& term, const std::string& value) {
    out += "<dt>" + HtmlEscape(term) + "</dt><dd>" + HtmlEscape(value) + "</dd>\n";
  };
  fact("Employee", r.employee_id);
  fact("Name", r.name.empty() ? "-" : r.name);
  fact("Accounts", accounts.empty() ? "-" : accounts);
  fact("Generated at (UTC)", common::FormatRfc3339(r.generated_at));
  fact("Current roster serial", std::to_string(r.current_serial));
  return out + "</dl>\n";
}

}  // namespace

std::string RenderLeaverHtmlBody(const LeaverReport& r) {
  std::string out =
      "<main class=\"leaver-report\">\n<h1>Leaver report: " + HtmlEscape(r.employee_id) +
      "</h1>\n" + Facts(r);
  out += "<h2>Termination</h2>\n";
  for (const std::string& line : TerminationLines(r.termination))
    out += "<p>" + HtmlEscape(line) + "</p>\n";
  out += "<h2>Workstations</h2>\n<p>" + HtmlEscape(ConfirmationSummary(r)) + ".</p>\n" +
         Workstations(r);
  out += "<h2>Not confirmed</h2>\n" + NotConfirmed(r);
  out += "<h2>Sessions ended</h2>\n" + Events(r.sessions_ended, false);
  out += "<h2>Login attempts after the termination</h2>\n" + Events(r.login_attempts, true);
  if (r.truncated) out += "<p>Some events were left out: the lists reached their cap.</p>\n";
  return out + "</main>\n";
}

std::string RenderLeaverHtml(const LeaverReport& r, std::string_view stylesheet) {
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>Leaver "
      "report: " +
      HtmlEscape(r.employee_id) + "</title>\n";
  if (stylesheet.empty()) {
    out += "<style>" + std::string(kStyle) + "</style>\n";
  } else {
    out += "<link rel=\"stylesheet\" href=\"" + HtmlEscape(stylesheet) + "\">\n";
  }
  return out + "</head>\n<body>\n" + RenderLeaverHtmlBody(r) + "</body>\n</html>\n";
}

}  // namespace staffgate::central
