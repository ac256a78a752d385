// The leaver report (docs/design.md §11) from fixed inputs: who terminated
// the employee and with which serial, each workstation's confirmation,
// sessions ended and login attempts after the termination; the refusals;
// and each renderer, including hostile names in HTML and CSV.
#include <catch2/catch.hpp>

#include "central/reports/leaver_report.h"
#include "central/reports/render.h"

namespace {

using staffgate::central::AssembleLeaverReport;
using staffgate::central::CsvCell;
using staffgate::central::FleetMember;
using staffgate::central::JournalEntry;
using staffgate::central::LeaverInputs;
using staffgate::central::LeaverReport;
using staffgate::central::ReportEvent;
using staffgate::common::EmployeeStatus;
using staffgate::common::FormatRfc3339;
using staffgate::common::Json;

constexpr std::int64_t kNow = 1'800'000'000;
constexpr std::int64_t kTerminated = kNow - 600;

JournalEntry Entry(std::int64_t time, std::string action, Json after,
                   std::optional<std::uint64_t> serial) {
  JournalEntry e;
  e.time = time;
  e.who = "hilda";
  e.from = "192.0.2.7";
  e.action = std::move(action);
  e.target = "E100";
  e.after = std::move(after);
  e.serial = serial;
  return e;
}

FleetMember Member(std::string name, std::int64_t seen, std::uint64_t installed,
                   std::int64_t installed_at) {
  FleetMember m;
  m.name = std::move(name);
  m.last_contact = seen;
  m.rollout.installed_serial = installed;
  m.rollout.installed_at = installed_at;
  return m;
}

ReportEvent Event(std::string type, std::string workstation, std::int64_t time_s,
                  std::string account = "bjones") {
  ReportEvent e;
  e.type = std::move(type);
  e.workstation = std::move(workstation);
  e.account = std::move(account);
  e.time_ms = time_s * 1000;
  e.received_ms = time_s * 1000 + 500;
  return e;
}

LeaverInputs Inputs() {
  LeaverInputs in;
  in.employee.id = "E100";
  in.employee.name = "Bob Jones";
  in.employee.accounts = {"bjones"};
  in.employee.status = EmployeeStatus::kTerminated;
  in.journal = {Entry(kNow - 86400, "employee.add", Json{{"status", "active"}}, 9),
                Entry(kTerminated, "employee.terminate", Json{{"status", "terminated"}}, 12)};
  in.fleet = {Member("SVC-01", kNow - 10, 12, kTerminated + 5),
              Member("SVC-02", kNow - 20, 13, kTerminated + 100),
              Member("SVC-03", kNow - 2 * 86400, 11, kNow - 3 * 86400)};
  in.published.highest = 13;
  in.now = kNow;
  in.online_window_s = 300;
  ReportEvent installed = Event("roster_installed", "SVC-02", kTerminated + 3, "");
  installed.serial = 12;
  ReportEvent denied = Event("decision", "SVC-03", kTerminated + 60);
  denied.decision = "deny";
  denied.reason = "terminated";
  denied.phase = "auth";
  denied.service = "sshd";
  ReportEvent earlier = Event("decision", "SVC-01", kTerminated - 60);
  earlier.decision = "allow";
  ReportEvent ended = Event("sessions_terminated", "SVC-01", kTerminated + 2);
  ended.reason = "terminated";
  in.events = {installed, denied, earlier, ended, Event("decision", "SVC-01", kNow - 5, "other")};
  return in;
}

LeaverReport Report(const LeaverInputs& in) {
  auto report = AssembleLeaverReport(in);
  REQUIRE(report);
  return *report;
}

}  // namespace

TEST_CASE("leaver report: who terminated, the serial, each workstation's confirmation",
          "[central][report]") {
  const LeaverReport r = Report(Inputs());
  CHECK(r.termination.recorded);
  CHECK_FALSE(r.termination.scheduled);
  CHECK(r.termination.by == "hilda");
  CHECK(r.termination.from == "192.0.2.7");
  CHECK(r.termination.at == std::optional<std::int64_t>(kTerminated));
  CHECK(r.termination.serial == std::optional<std::uint64_t>(12));
  REQUIRE(r.workstations.size() == 3);
  CHECK(r.workstations[0].confirmed);
  CHECK(r.workstations[0].confirmed_at == std::optional<std::int64_t>(kTerminated + 5));
  // Its roster_installed event of serial 12 came before the record of 13.
  CHECK(r.workstations[1].confirmed);
  CHECK(r.workstations[1].confirmed_at == std::optional<std::int64_t>(kTerminated + 3));
  CHECK_FALSE(r.workstations[2].confirmed);
  CHECK(r.workstations[2].last_contact == std::optional<std::int64_t>(kNow - 2 * 86400));
  CHECK(r.Confirmed() == 2);
  REQUIRE(r.sessions_ended.size() == 1);
  CHECK(r.sessions_ended[0].workstation == "SVC-01");
  REQUIRE(r.login_attempts.size() == 1);  // Not the earlier one, not another account's.
  CHECK(r.login_attempts[0].workstation == "SVC-03");
  CHECK(r.login_attempts[0].decision == "deny");
}

TEST_CASE("leaver report: a scheduled termination names who scheduled it and the central",
          "[central][report]") {
  LeaverInputs in = Inputs();
  in.journal = {
      Entry(kNow - 86400, "employee.terminate",
            Json{{"pending", {{"status", "terminated"}, {"at", FormatRfc3339(kTerminated)}}}}, 10)};
  // The agents refuse from the scheduled time; the central set the status
  // a second later.
  ReportEvent applied = Event("scheduled_change", "", kTerminated + 1);
  ReportEvent at_due = Event("decision", "SVC-02", kTerminated);
  at_due.decision = "deny";
  at_due.reason = "expired";
  in.events.push_back(at_due);
  applied.source = "central";
  applied.employee = "E100";
  applied.change = "terminated";
  applied.serial = 12;
  in.scheduled = {applied};
  const LeaverReport r = Report(in);
  CHECK(r.termination.scheduled);
  CHECK(r.termination.scheduled_by == "hilda");
  CHECK(r.termination.scheduled_at == std::optional<std::int64_t>(kNow - 86400));
  CHECK(r.termination.scheduled_for == std::optional<std::int64_t>(kTerminated));
  CHECK(r.termination.scheduled_serial == std::optional<std::uint64_t>(10));
  CHECK(r.termination.at == std::optional<std::int64_t>(kTerminated + 1));
  CHECK(r.termination.EndedAt() == std::optional<std::int64_t>(kTerminated));
  CHECK(r.termination.serial == std::optional<std::uint64_t>(12));
  CHECK(r.termination.by.empty());
  REQUIRE(r.login_attempts.size() == 2);
  CHECK(r.login_attempts[0].reason == "expired");
  // Serial 10 carried valid_until: SVC-03 (serial 11) enforces it too.
  CHECK(r.Confirmed() == 3);
  const std::string text = staffgate::central::RenderLeaverText(r);
  CHECK_THAT(text, Catch::Contains("Scheduled by hilda"));
  CHECK_THAT(text,
             Catch::Contains("Carried out by the central at " + FormatRfc3339(kTerminated + 1)));
}

TEST_CASE("leaver report: an employee not terminated is one sentence", "[central][report]") {
  LeaverInputs in = Inputs();
  in.employee.status = EmployeeStatus::kActive;
  auto active = AssembleLeaverReport(in);
  REQUIRE_FALSE(active);
  CHECK(active.error().kind == staffgate::common::ErrorKind::kInvalidInput);
  CHECK_THAT(active.error().message, Catch::Contains("E100 is not terminated (status active)"));
  in.employee.pending = staffgate::central::ScheduledStatus{EmployeeStatus::kTerminated, kNow + 60};
  auto pending = AssembleLeaverReport(in);
  REQUIRE_FALSE(pending);
  CHECK_THAT(pending.error().message, Catch::Contains("scheduled for " + FormatRfc3339(kNow + 60)));
}

TEST_CASE("leaver report: without a journal record the current serial is the measure",
          "[central][report]") {
  LeaverInputs in = Inputs();
  in.journal.clear();
  const LeaverReport r = Report(in);
  CHECK_FALSE(r.termination.recorded);
  CHECK(r.Confirmed() == 1);  // Only SVC-02 holds 13.
  CHECK_THAT(staffgate::central::RenderLeaverText(r), Catch::Contains("no record"));
}

TEST_CASE("leaver report: csv cells neutralise formulas and quote per RFC 4180",
          "[central][report]") {
  CHECK(CsvCell("plain") == "plain");
  CHECK(CsvCell("") == "");
  CHECK(CsvCell("a,b") == "\"a,b\"");
  CHECK(CsvCell("say \"hi\"") == "\"say \"\"hi\"\"\"");
  CHECK(CsvCell("two\nlines") == "\"two\nlines\"");
  CHECK(CsvCell("=cmd|' /C calc'!A0") == "'=cmd|' /C calc'!A0");
  CHECK(CsvCell("+1") == "'+1");
  CHECK(CsvCell("-1") == "'-1");
  CHECK(CsvCell("@SUM(A1)") == "'@SUM(A1)");
  CHECK(CsvCell("\tx") == "'\tx");
  CHECK(CsvCell("\rx") == "\"'\rx\"");
}

TEST_CASE("leaver report: a hostile name is escaped in html and neutralised in csv",
          "[central][report]") {
  LeaverInputs in = Inputs();
  in.employee.name = "<script>alert(1)</script>";
  in.fleet[2].name = "=cmd|' /C calc'!A0";
  const LeaverReport r = Report(in);
  const std::string html = staffgate::central::RenderLeaverHtml(r);
  CHECK(html.rfind("<!DOCTYPE html>", 0) == 0);
  CHECK_THAT(html, Catch::Contains("@media print"));
  CHECK_THAT(html, Catch::EndsWith("</html>\n"));
  CHECK_THAT(html, Catch::Contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
  CHECK(html.find("<script") == std::string::npos);
  CHECK_THAT(html, Catch::Contains("=cmd|&#39; /C calc&#39;!A0"));
  const std::string linked = staffgate::central::RenderLeaverHtml(r, "/ui/static/print.css");
  CHECK_THAT(linked, Catch::Contains("<link rel=\"stylesheet\" href=\"/ui/static/print.css\">"));
  CHECK(linked.find("<style>") == std::string::npos);

  const std::string csv = staffgate::central::RenderLeaverCsv(r);
  CHECK(csv.rfind("section,item,time,workstation,account,serial,status,detail\r\n", 0) == 0);
  CHECK_THAT(csv, Catch::Contains("employee,name,,,,,,<script>alert(1)</script>\r\n"));
  CHECK_THAT(csv, Catch::Contains("workstation,'=cmd|' /C calc'!A0,"));
  // No cell anywhere starts a formula.
  for (const char* start : {",=", ",+", ",@", "\n=", "\n+", "\n-", "\n@"})
    CHECK(csv.find(start) == std::string::npos);
}

TEST_CASE("leaver report: text and json say the same facts", "[central][report]") {
  LeaverInputs in = Inputs();
  in.employee.name = "Bob \x1b[2JJones";
  const LeaverReport r = Report(in);
  const std::string text = staffgate::central::RenderLeaverText(r);
  CHECK_THAT(text, Catch::Contains("Leaver report: E100 (Bob \\x1b[2JJones)"));
  CHECK_THAT(text, Catch::Contains("Terminated at " + FormatRfc3339(kTerminated) +
                                   " by hilda (from 192.0.2.7, employee.terminate)."));
  CHECK_THAT(text, Catch::Contains("Roster serial 12 carried the termination."));
  CHECK_THAT(text, Catch::Contains("confirmed on 2 of 3 workstations (roster serial 12 or later)"));
  CHECK_THAT(text, Catch::Contains("SVC-03: not confirmed: last contact " +
                                   FormatRfc3339(kNow - 2 * 86400) + " (last seen 2 days ago)"));
  CHECK_THAT(text, Catch::Contains("refused (terminated) at auth, sshd"));

  const Json j = staffgate::central::LeaverReportJson(r);
  CHECK(j["report"] == "leaver");
  CHECK(j["generated_at"] == FormatRfc3339(kNow));
  CHECK(j["employee"]["id"] == "E100");
  CHECK(j["employee"]["accounts"] == Json::array({"bjones"}));
  CHECK(j["termination"]["by"] == "hilda");
  CHECK(j["termination"]["at"] == FormatRfc3339(kTerminated));
  CHECK(j["termination"]["serial"] == 12);
  CHECK(j["termination"]["scheduled"] == false);
  CHECK(j["rollout"]["serial"] == 12);
  CHECK(j["rollout"]["confirmed"] == 2);
  CHECK(j["rollout"]["workstations"] == 3);
  CHECK(j["workstations"][1]["confirmed_at"] == FormatRfc3339(kTerminated + 3));
  CHECK(j["not_confirmed"] == Json::array({"SVC-03"}));
  CHECK(j["workstations"][2]["last_contact"] == FormatRfc3339(kNow - 2 * 86400));
  CHECK(j["sessions_ended"].size() == 1);
  CHECK(j["login_attempts"][0]["decision"] == "deny");
  CHECK(j["login_attempts"][0]["time"] ==
        staffgate::common::FormatRfc3339Ms((kTerminated + 60) * 1000));
  CHECK(j["truncated"] == false);
}

TEST_CASE("leaver report: events from the event store's json", "[central][report]") {
  const ReportEvent e =
      staffgate::central::ReportEventFromJson(Json{{"id", "x"},
                                                   {"type", "decision"},
                                                   {"time", "2026-12-01T05:00:00.250Z"},
                                                   {"received", "2026-12-01T05:00:01Z"},
                                                   {"workstation", "SVC-01"},
                                                   {"account", "bjones"},
                                                   {"decision", "deny"},
                                                   {"count", 3},
                                                   {"serial", 12}});
  CHECK(e.time_ms % 1000 == 250);
  CHECK(e.received_ms - e.time_ms == 750);
  CHECK(e.source == "agent");
  CHECK(e.count == std::optional<std::int64_t>(3));
  CHECK(e.serial == std::optional<std::uint64_t>(12));
  CHECK(staffgate::central::ReportEventFromJson(Json("junk")).type.empty());
}
