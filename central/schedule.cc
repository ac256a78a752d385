#include "central/schedule.h"

#include <algorithm>

namespace staffgate::central {

using common::EmployeeStatus;
using common::ErrorKind;
using common::Fail;
using common::FormatRfc3339;
using common::Result;

namespace {

int Strictness(EmployeeStatus status) {
  switch (status) {
    case EmployeeStatus::kActive:
      return 0;
    case EmployeeStatus::kSuspended:
      return 1;
    case EmployeeStatus::kTerminated:
      return 2;
  }
  return 2;
}

std::string Verb(EmployeeStatus status) {
  return status == EmployeeStatus::kSuspended ? "suspend" : "terminate";
}

Result<void> CheckFuture(const char* what, common::UnixSeconds at, common::UnixSeconds now) {
  if (at > now) return common::Ok();
  return Fail(ErrorKind::kInvalidInput,
              std::string(what) + " " + FormatRfc3339(at) + " is not in the future (it is now " +
                  FormatRfc3339(now) + "); leave the time out to make the change now");
}

}  // namespace

void SetStatusNow(EmployeeRecord& e, EmployeeStatus status) {
  e.status = status;
  if (!e.pending) return;
  if (status == EmployeeStatus::kTerminated ||
      (status == EmployeeStatus::kSuspended && e.pending->status == EmployeeStatus::kSuspended)) {
    e.pending.reset();
  }
}

Result<void> ScheduleStatus(EmployeeRecord& e, EmployeeStatus status, common::UnixSeconds at,
                            common::UnixSeconds now) {
  if (status == EmployeeStatus::kActive) {
    return Fail(
        ErrorKind::kInvalidInput,
        "a reinstatement cannot be scheduled; reinstate employee " + e.id + " when the time comes");
  }
  if (auto ok = CheckFuture("the time", at, now); !ok) return ok;
  if (Strictness(e.status) >= Strictness(status)) {
    return Fail(ErrorKind::kInvalidInput, "employee " + e.id + " is already " +
                                              std::string(common::EmployeeStatusName(e.status)));
  }
  const ScheduledStatus wanted{status, at};
  if (e.pending && *e.pending != wanted) {
    if (at > e.pending->at || Strictness(status) < Strictness(e.pending->status)) {
      return Fail(ErrorKind::kInvalidInput,
                  "employee " + e.id + " already has a pending " + DescribePending(e) +
                      "; cancel it first to schedule a later or milder change");
    }
  }
  e.pending = wanted;
  return common::Ok();
}

Result<void> CheckStart(common::UnixSeconds valid_from, common::UnixSeconds now) {
  return CheckFuture("the start time", valid_from, now);
}

Result<void> CancelPending(EmployeeRecord& e, PendingKind kind) {
  if (kind == PendingKind::kStatus) {
    if (!e.pending) {
      return Fail(ErrorKind::kNotFound, "employee " + e.id + " has no pending status change");
    }
    e.pending.reset();
    return common::Ok();
  }
  if (!e.valid_from) {
    return Fail(ErrorKind::kNotFound, "employee " + e.id + " has no pending start");
  }
  e.valid_from.reset();
  return common::Ok();
}

std::vector<AppliedChange> ApplyDue(State& state, common::UnixSeconds now) {
  std::vector<AppliedChange> applied;
  for (auto& [id, e] : state.employees) {
    if (e.valid_from && *e.valid_from <= now) {
      applied.push_back(AppliedChange{id, "started", *e.valid_from, false});
      e.valid_from.reset();
    }
    if (e.pending && e.pending->at <= now) {
      AppliedChange change{id, std::string(common::EmployeeStatusName(e.pending->status)),
                           e.pending->at, false};
      if (Strictness(e.pending->status) > Strictness(e.status)) {
        e.status = e.pending->status;
        change.status_changed = true;
      }
      e.pending.reset();
      applied.push_back(std::move(change));
    }
  }
  return applied;
}

std::optional<common::UnixSeconds> NextDue(const State& state) {
  std::optional<common::UnixSeconds> next;
  auto consider = [&next](common::UnixSeconds t) { next = next ? std::min(*next, t) : t; };
  for (const auto& [id, e] : state.employees) {
    if (e.valid_from) consider(*e.valid_from);
    if (e.pending) consider(e.pending->at);
  }
  return next;
}

std::string DescribePending(const EmployeeRecord& e) {
  std::string out;
  if (e.pending) out = Verb(e.pending->status) + " at " + FormatRfc3339(e.pending->at);
  if (e.valid_from) out += (out.empty() ? "" : ", ") + ("start at " + FormatRfc3339(*e.valid_from));
  return out;
}

}  // namespace staffgate::central
