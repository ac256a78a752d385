#include "central/reports/report_words.h"

#include "central/rollout_summary.h"

namespace staffgate::central {

std::string ReportTime(std::optional<common::UnixSeconds> t) {
  return t ? common::FormatRfc3339(*t) : "-";
}

std::string ReportTimeMs(std::int64_t ms) { return common::FormatRfc3339Ms(ms); }

std::string ReportSerial(std::optional<std::uint64_t> serial) {
  return serial ? std::to_string(*serial) : "-";
}

namespace {

// " (from ADDRESS, ACTION)" or less.
std::string Origin(const std::string& from, const std::string& action) {
  std::string inner = from.empty() ? "" : "from " + from;
  if (!action.empty()) inner += (inner.empty() ? "" : ", ") + action;
  return inner.empty() ? "" : " (" + inner + ")";
}

}  // namespace

std::vector<std::string> TerminationLines(const LeaverTermination& t) {
  std::vector<std::string> lines;
  if (!t.recorded) {
    lines.push_back(
        "The action journal holds no record of this termination (it predates the "
        "journal, or was made directly in the database).");
    return lines;
  }
  if (t.scheduled) {
    if (!t.scheduled_by.empty()) {
      lines.push_back("Scheduled by " + t.scheduled_by + Origin(t.scheduled_from, "") + " at " +
                      ReportTime(t.scheduled_at) + " for " + ReportTime(t.scheduled_for) + ".");
      lines.push_back("Roster serial " + ReportSerial(t.scheduled_serial) +
                      " carried the end date (valid_until) to every workstation, which refuses "
                      "the employee from then on even offline.");
    } else {
      lines.push_back("Scheduled in advance (who scheduled it is not in the action journal).");
    }
    lines.push_back("Carried out by the central at " + ReportTime(t.at) + " as scheduled.");
    lines.push_back("Roster serial " + ReportSerial(t.serial) + " set the status terminated.");
    return lines;
  }
  lines.push_back("Terminated at " + ReportTime(t.at) + " by " + t.by + Origin(t.from, t.action) +
                  ".");
  lines.push_back("Roster serial " + ReportSerial(t.serial) + " carried the termination.");
  return lines;
}

std::string ConfirmationSummary(const LeaverReport& r) {
  const auto serial = r.termination.EnforcingSerial();
  return "confirmed on " + std::to_string(r.Confirmed()) + " of " +
         std::to_string(r.workstations.size()) + " workstations (roster serial " +
         (serial ? std::to_string(*serial) : std::to_string(r.current_serial) + ", the current") +
         " or later)";
}

std::string WorkstationStatus(const LeaverWorkstation& w, common::UnixSeconds now) {
  if (w.confirmed) return "confirmed at " + ReportTime(w.confirmed_at);
  if (!w.last_contact) return "not confirmed: never in contact";
  return "not confirmed: last contact " + ReportTime(w.last_contact) + " (" +
         LastSeen(w.last_contact, now) + ")";
}

std::string AttemptOutcome(const ReportEvent& e) {
  std::string out = e.decision == "allow"  ? "allowed"
                    : e.decision == "deny" ? "refused"
                    : e.decision.empty()   ? "no decision"
                                           : e.decision;
  if (!e.reason.empty()) out += " (" + e.reason + ")";
  std::string where = e.phase;
  if (!e.service.empty()) where += (where.empty() ? "" : ", ") + e.service;
  if (!e.rhost.empty()) where += (where.empty() ? "" : ", ") + std::string("from ") + e.rhost;
  if (!where.empty()) out += " at " + where;
  if (e.count && *e.count > 1) out += ", " + std::to_string(*e.count) + " times";
  return out;
}

std::string SessionEndText(const ReportEvent& e) {
  std::string out;
  if (e.type == "sessions_terminated") {
    out = "sessions ended by the agent";
  } else if (e.type == "lease_ended_by_admin") {
    out = "session lease ended by an administrator";
  } else if (e.type == "session_close") {
    out = "session closed";
  } else {
    out = e.type;
  }
  if (!e.reason.empty()) out += " (" + e.reason + ")";
  return out;
}

}  // namespace staffgate::central
