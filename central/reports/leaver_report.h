// The leaver report (docs/design.md §11): the evidence, for an auditor or
// the regulator, that a terminated employee's access was removed. Pure:
// assembled from what the central already holds (the action journal, the
// rollout records, the audit events, the registered workstations), passed
// in, so it is tested from fixed inputs without a database or a network.
// The renderers (render.h) turn one LeaverReport into text, CSV, JSON or
// HTML; the /v1/admin API, staffgate-admin and the console share them.
#ifndef STAFFGATE_CENTRAL_REPORTS_LEAVER_REPORT_H_
#define STAFFGATE_CENTRAL_REPORTS_LEAVER_REPORT_H_

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "central/journal/journal.h"
#include "central/model.h"
#include "central/rollout_summary.h"
#include "common/json_util.h"
#include "common/result.h"
#include "common/time_util.h"

namespace staffgate::central {

// One audit event as the report uses it (from the event store's JSON:
// the body with "workstation" and "received" added).
struct ReportEvent {
  std::int64_t time_ms = 0;      // The event's own time (its workstation's clock).
  std::int64_t received_ms = 0;  // When the central stored it (the central's clock).
  std::string workstation, type, account, decision, reason, detail, phase, service, rhost;
  std::string source;                   // "central" for the central's own events, else "agent".
  std::string employee, change;         // scheduled_change events.
  bool status_changed = true;           // scheduled_change: false if already as strict.
  std::optional<std::uint64_t> serial;  // roster_installed, scheduled_change.
  std::optional<std::int64_t> count;    // A coalesced decision, sessions_terminated.
};

// Malformed or missing fields are left empty; a missing time is 0.
ReportEvent ReportEventFromJson(const common::Json& event);

// Who terminated the employee and when, and the roster serial that
// carried it.
struct LeaverTermination {
  bool recorded = false;  // False: the action journal has no record of it.
  std::optional<common::UnixSeconds> at;
  std::string by, from, action;  // by: an administrator (or "admin-token"); "" when scheduled.
  std::optional<std::uint64_t> serial;  // The serial that set the status terminated.
  // A scheduled termination (`terminate --at`): who scheduled it, when,
  // for when, and the serial that carried valid_until to the fleet; the
  // central carried it out at `at`.
  bool scheduled = false;
  std::optional<common::UnixSeconds> scheduled_at, scheduled_for;
  std::string scheduled_by, scheduled_from;
  std::optional<std::uint64_t> scheduled_serial;

  // The serial workstations must hold to enforce the termination: the
  // scheduling one (valid_until) when known, else `serial`.
  std::optional<std::uint64_t> EnforcingSerial() const {
    return scheduled_serial ? scheduled_serial : serial;
  }
  // When access ended: a scheduled one's time (the agents enforce
  // valid_until themselves, the central sets the status within a second
  // after), else `at`. Sessions ended and login attempts count from then.
  std::optional<common::UnixSeconds> EndedAt() const {
    return scheduled_for && at ? std::min(*scheduled_for, *at) : at;
  }
  // Events since this time matter: the scheduling time, else `at`.
  std::optional<common::UnixSeconds> Since() const { return scheduled_at ? scheduled_at : at; }
};

struct LeaverWorkstation {
  std::string name;
  bool confirmed = false;  // Holds the enforcing serial, or a later one of the central's.
  std::optional<common::UnixSeconds> confirmed_at;  // When the central first learned it.
  std::optional<std::uint64_t> installed_serial;
  std::optional<common::UnixSeconds> last_contact;
  bool online = false;  // In contact within online_window_s.
};

struct LeaverReport {
  std::string employee_id, name;
  std::vector<std::string> accounts;
  common::UnixSeconds generated_at = 0;
  std::uint64_t current_serial = 0;
  std::int64_t online_window_s = 0;
  LeaverTermination termination;
  std::vector<LeaverWorkstation> workstations;  // By name.
  std::vector<ReportEvent> sessions_ended;      // Oldest first.
  std::vector<ReportEvent> login_attempts;      // After the termination, oldest first.
  bool truncated = false;  // An event list hit its cap: not every event is listed.

  std::size_t Confirmed() const;
};

// What the central holds, gathered by the Service (service_reports.cc).
struct LeaverInputs {
  EmployeeRecord employee;
  std::vector<JournalEntry> journal;   // Entries about the employee, oldest first.
  std::vector<ReportEvent> scheduled;  // scheduled_change events (any employee).
  std::vector<ReportEvent> events;     // The accounts' events and roster_installed events.
  std::vector<FleetMember> fleet;      // The registered workstations.
  PublishedSerials published;
  common::UnixSeconds now = 0;
  std::int64_t online_window_s = 0;
  bool truncated = false;
};

// Who terminated `employee_id` and when, from its journal entries and the
// central's scheduled_change events (the latest termination wins).
LeaverTermination FindTermination(const std::string& employee_id,
                                  const std::vector<JournalEntry>& journal,
                                  const std::vector<ReportEvent>& scheduled);

// Errors: kInvalidInput, one sentence, when the employee is not
// terminated (naming a pending termination's time).
common::Result<LeaverReport> AssembleLeaverReport(const LeaverInputs& inputs);

// Event types the report lists as sessions ended and as login attempts.
bool IsSessionEnd(const std::string& type);
bool IsLoginAttempt(const std::string& type);

}  // namespace staffgate::central

#endif  // STAFFGATE_CENTRAL_REPORTS_LEAVER_REPORT_H_
