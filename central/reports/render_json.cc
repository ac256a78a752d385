// The leaver report as JSON: the field names are a contract
// (docs/design.md §11); add fields, never rename one.
#include "central/reports/render.h"
#include "central/reports/report_words.h"

namespace staffgate::central {

using common::Json;

namespace {

Json TimeOrNull(std::optional<common::UnixSeconds> t) {
  return t ? Json(common::FormatRfc3339(*t)) : Json(nullptr);
}

Json SerialOrNull(std::optional<std::uint64_t> s) { return s ? Json(*s) : Json(nullptr); }

Json TerminationJson(const LeaverTermination& t) {
  return Json{{"recorded", t.recorded},
              {"at", TimeOrNull(t.at)},
              {"by", t.by},
              {"from", t.from},
              {"action", t.action},
              {"serial", SerialOrNull(t.serial)},
              {"scheduled", t.scheduled},
              {"scheduled_at", TimeOrNull(t.scheduled_at)},
              {"scheduled_for", TimeOrNull(t.scheduled_for)},
              {"scheduled_by", t.scheduled_by},
              {"scheduled_from", t.scheduled_from},
              {"scheduled_serial", SerialOrNull(t.scheduled_serial)},
              {"summary", TerminationLines(t)}};
}

Json WorkstationJson(const LeaverWorkstation& w, common::UnixSeconds now) {
  return Json{{"name", w.name},
              {"confirmed", w.confirmed},
              {"confirmed_at", TimeOrNull(w.confirmed_at)},
              {"installed_serial", SerialOrNull(w.installed_serial)},
              {"last_contact", TimeOrNull(w.last_contact)},
              {"last_seen", LastSeen(w.last_contact, now)},
              {"online", w.online}};
}

Json EventJson(const ReportEvent& e) {
  return Json{{"time", ReportTimeMs(e.time_ms)},
              {"received", ReportTimeMs(e.received_ms)},
              {"workstation", e.workstation},
              {"account", e.account},
              {"type", e.type},
              {"source", e.source},
              {"phase", e.phase},
              {"service", e.service},
              {"rhost", e.rhost},
              {"decision", e.decision},
              {"reason", e.reason},
              {"detail", e.detail},
              {"serial", SerialOrNull(e.serial)},
              {"count", e.count ? Json(*e.count) : Json(nullptr)}};
}

}  // namespace

Json LeaverReportJson(const LeaverReport& r) {
  Json workstations = Json::array(), not_confirmed = Json::array();
  for (const LeaverWorkstation& w : r.workstations) {
    workstations.push_back(WorkstationJson(w, r.generated_at));
    if (!w.confirmed) not_confirmed.push_back(w.name);
  }
  Json sessions = Json::array(), attempts = Json::array();
  for (const ReportEvent& e : r.sessions_ended) sessions.push_back(EventJson(e));
  for (const ReportEvent& e : r.login_attempts) attempts.push_back(EventJson(e));
  const auto serial = r.termination.EnforcingSerial();
  return Json{{"report", "leaver"},
              {"generated_at", common::FormatRfc3339(r.generated_at)},
              {"employee", Json{{"id", r.employee_id}, {"name", r.name}, {"accounts", r.accounts}}},
              {"termination", TerminationJson(r.termination)},
              {"rollout", Json{{"serial", serial.value_or(r.current_serial)},
                               {"current_serial", r.current_serial},
                               {"confirmed", r.Confirmed()},
                               {"workstations", r.workstations.size()},
                               {"online_window_s", r.online_window_s},
                               {"summary", ConfirmationSummary(r)}}},
              {"workstations", std::move(workstations)},
              {"not_confirmed", std::move(not_confirmed)},
              {"sessions_ended", std::move(sessions)},
              {"login_attempts", std::move(attempts)},
              {"truncated", r.truncated}};
}

}  // namespace staffgate::central
