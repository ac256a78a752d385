// The leaver report as one RFC 4180 table (CRLF line ends), one row per
// fact, for a spreadsheet. Every cell goes through CsvCell: a value that
// starts like a formula (= + - @ tab CR) is prefixed with ' so opening the
// file runs nothing, then quoted when it needs to be.
#include "central/reports/render.h"
#include "central/reports/report_words.h"

namespace staffgate::central {

std::string CsvCell(std::string_view text) {
  std::string cell;
  if (!text.empty() && std::string_view("=+-@\t\r").find(text.front()) != std::string_view::npos)
    cell = "'";
  cell += text;
  if (cell.find_first_of(",\"\r\n") == std::string::npos) return cell;
  std::string quoted = "\"";
  for (char c : cell) {
    quoted += c;
    if (c == '"') quoted += '"';
  }
  return quoted + "\"";
}

namespace {

constexpr const char* kColumns[] = {"section", "item",   "time",   "workstation",
                                    "account", "serial", "status", "detail"};

void Row(std::string& out, const std::vector<std::string>& cells) {
  for (std::size_t i = 0; i < cells.size(); ++i) out += (i ? "," : "") + CsvCell(cells[i]);
  out += "\r\n";
}

// Unknown times and serials are empty cells.
std::string Time(std::optional<common::UnixSeconds> t) {
  return t ? common::FormatRfc3339(*t) : "";
}
std::string Serial(std::optional<std::uint64_t> s) { return s ? std::to_string(*s) : ""; }

std::string Joined(const std::vector<std::string>& items, const char* sep) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : sep) + s;
  return out;
}

void Events(std::string& out, const char* section, const std::vector<ReportEvent>& events,
            bool attempts) {
  for (const ReportEvent& e : events) {
    Row(out, {section, e.type, ReportTimeMs(e.time_ms), e.workstation, e.account, Serial(e.serial),
              attempts ? e.decision : "",
              attempts ? AttemptOutcome(e)
                       : SessionEndText(e) + (e.detail.empty() ? "" : ": " + e.detail)});
  }
}

}  // namespace

std::string RenderLeaverCsv(const LeaverReport& r) {
  std::string out;
  Row(out, std::vector<std::string>(std::begin(kColumns), std::end(kColumns)));
  Row(out, {"employee", "id", "", "", "", "", "", r.employee_id});
  Row(out, {"employee", "name", "", "", "", "", "", r.name});
  Row(out, {"employee", "accounts", "", "", "", "", "", Joined(r.accounts, ";")});
  Row(out, {"report", "generated_at", common::FormatRfc3339(r.generated_at), "", "",
            std::to_string(r.current_serial), "", ConfirmationSummary(r)});
  const LeaverTermination& t = r.termination;
  if (t.scheduled) {
    Row(out, {"termination", "scheduled", Time(t.scheduled_at), "", "", Serial(t.scheduled_serial),
              "", "by " + t.scheduled_by + " for " + Time(t.scheduled_for)});
  }
  Row(out, {"termination", t.scheduled ? "carried_out" : "terminated", Time(t.at), "", "",
            Serial(t.serial), t.recorded ? "recorded" : "not recorded",
            Joined(TerminationLines(t), " ")});
  for (const LeaverWorkstation& w : r.workstations) {
    Row(out, {"workstation", w.name, Time(w.confirmed ? w.confirmed_at : w.last_contact), w.name,
              "", Serial(w.installed_serial), w.confirmed ? "confirmed" : "not confirmed",
              WorkstationStatus(w, r.generated_at)});
  }
  Events(out, "session_ended", r.sessions_ended, false);
  Events(out, "login_attempt", r.login_attempts, true);
  if (r.truncated) Row(out, {"report", "truncated", "", "", "", "", "", "some events left out"});
  return out;
}

}  // namespace staffgate::central
