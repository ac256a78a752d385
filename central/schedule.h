// Scheduled changes (docs/design.md §11) as pure functions over the
// central's State: `employee terminate|suspend ID --at TIME`, `employee
// add ... --start TIME`, their cancellation, and applying them when the
// time comes. The Service wraps each in one Change (service_schedule.cc);
// the roster carries them at once as valid_until / valid_from.
//
// Rules, all failing closed (nobody stays in longer than an administrator
// asked):
//  - A time must lie in the future (a past one is refused, not applied:
//    the administrator meant "now" or made a typo; leaving the time out
//    changes the status now).
//  - Only terminate and suspend can be scheduled: a scheduled reinstatement
//    could not be carried by the roster without letting the person in early.
//  - One pending status change per employee. A second one replaces it only
//    when it comes no later and is no milder (terminated > suspended);
//    otherwise it is refused until the first is cancelled.
//  - A status change made now: terminate clears the pending change;
//    suspend clears a pending suspend but keeps a pending terminate; a
//    reinstatement keeps the pending change. valid_from is never touched.
//  - When the time comes the pending status is applied only if it is
//    stricter than the current one (a scheduled suspend never softens a
//    termination), and the pending change (valid_until) is dropped; a
//    starter's valid_from is dropped when it passes.
#ifndef STAFFGATE_CENTRAL_SCHEDULE_H_
#define STAFFGATE_CENTRAL_SCHEDULE_H_

#include <optional>
#include <string>
#include <vector>

#include "central/model.h"
#include "common/result.h"
#include "common/time_util.h"

namespace staffgate::central {

// What cancelling removes.
enum class PendingKind { kStatus, kStart };

// A status change made now, with the rules above for the pending one.
void SetStatusNow(EmployeeRecord& e, common::EmployeeStatus status);

// Schedules `status` at `at`. Errors (kInvalidInput, one sentence naming
// the employee and the time): a time not after `now`, status active, an
// employee already that strict, a pending change it may not replace.
// Scheduling the very change that is pending changes nothing.
common::Result<void> ScheduleStatus(EmployeeRecord& e, common::EmployeeStatus status,
                                    common::UnixSeconds at, common::UnixSeconds now);

// A new employee's start time. Errors: kInvalidInput when not after `now`.
common::Result<void> CheckStart(common::UnixSeconds valid_from, common::UnixSeconds now);

// Removes the pending status change (kStatus) or the start time (kStart:
// the person may sign in at once). Errors: kNotFound when there is none.
common::Result<void> CancelPending(EmployeeRecord& e, PendingKind kind);

// One change the time has come for.
struct AppliedChange {
  std::string employee_id;
  std::string change;  // "terminated", "suspended" or "started".
  common::UnixSeconds due = 0;
  bool status_changed = false;  // False: the employee was already as strict.
};

// Applies every change due at `now` (at <= now) in `state`.
std::vector<AppliedChange> ApplyDue(State& state, common::UnixSeconds now);

// The earliest pending time in `state`, or nullopt.
std::optional<common::UnixSeconds> NextDue(const State& state);

// "terminate at 2026-12-04T17:30:00Z", "start at ..." (for listings).
std::string DescribePending(const EmployeeRecord& e);

}  // namespace staffgate::central

#endif  // STAFFGATE_CENTRAL_SCHEDULE_H_
