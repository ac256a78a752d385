// The leaver report in plain words, shared by the text, CSV and HTML
// renderers so each says the same thing (render.h). Pure.
#ifndef STAFFGATE_CENTRAL_REPORTS_REPORT_WORDS_H_
#define STAFFGATE_CENTRAL_REPORTS_REPORT_WORDS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "central/reports/leaver_report.h"
#include "common/time_util.h"

namespace staffgate::central {

// RFC 3339 UTC, or "-".
std::string ReportTime(std::optional<common::UnixSeconds> t);
std::string ReportTimeMs(std::int64_t ms);
// The number, or "-".
std::string ReportSerial(std::optional<std::uint64_t> serial);

// "Terminated at T by alice (from 10.0.0.5, employee.terminate).", and
// for a scheduled one who scheduled it, when, for when, and that the
// central carried it out; the roster serials. One sentence a line.
std::vector<std::string> TerminationLines(const LeaverTermination& t);
// "confirmed on 2 of 3 workstations (roster serial 42 or later)".
std::string ConfirmationSummary(const LeaverReport& report);
// "confirmed at T" / "not confirmed: last contact T (last seen 2 days ago)".
std::string WorkstationStatus(const LeaverWorkstation& w, common::UnixSeconds now);
// A login attempt's outcome: "denied (terminated)", "allowed", ... with
// its phase and service.
std::string AttemptOutcome(const ReportEvent& e);
// What ended: "sessions ended by the agent (2)", "lease ended by an
// administrator", "session closed".
std::string SessionEndText(const ReportEvent& e);

}  // namespace staffgate::central

#endif  // STAFFGATE_CENTRAL_REPORTS_REPORT_WORDS_H_
