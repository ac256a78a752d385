// Service: scheduled changes (docs/design.md §11; the rules are in
// schedule.h). Scheduling itself is SetStatus with a time
// (service_admin.cc).
#include "central/schedule.h"
#include "central/service.h"

namespace staffgate::central {

using common::ErrorKind;
using common::Fail;
using common::Json;
using common::Result;

Result<EmployeeRecord> Service::CancelScheduled(const std::string& id, PendingKind kind) {
  EmployeeRecord out;
  auto changed = Change([&](State& s) -> Result<void> {
    auto it = s.employees.find(id);
    if (it == s.employees.end()) {
      return Fail(ErrorKind::kNotFound, "no employee with id '" + id.substr(0, 64) + "'");
    }
    if (auto ok = CancelPending(it->second, kind); !ok) return ok;
    out = it->second;
    return common::Ok();
  });
  if (!changed) return tl::unexpected(changed.error());
  return out;
}

Result<std::vector<AppliedChange>> Service::ApplyDueChanges() {
  const common::UnixSeconds now = clock_.Now();
  std::vector<AppliedChange> applied;
  std::uint64_t serial = 0;
  auto changed = Change([&](State& s) -> Result<void> {
    applied = ApplyDue(s, now);
    serial = TopSerialLocked(s) + 1;  // What Change publishes (it holds mu_).
    return common::Ok();
  });
  if (!changed) return tl::unexpected(changed.error());
  auto snap = CurrentSnapshot();
  for (const AppliedChange& change : applied) {
    std::string account;
    if (auto it = snap->state.employees.find(change.employee_id);
        it != snap->state.employees.end() && !it->second.accounts.empty()) {
      account = it->second.accounts.front();
    }
    QueueCentralEvent("scheduled_change", account, "",
                      common::Json{{"employee", change.employee_id},
                                   {"change", change.change},
                                   {"scheduled_for", common::FormatRfc3339(change.due)},
                                   {"status_changed", change.status_changed},
                                   {"serial", *changed ? Json(serial) : Json(nullptr)}});
  }
  if (!applied.empty()) (void)FlushLeases();  // Best effort: kept queued on failure.
  return applied;
}

std::optional<common::UnixSeconds> Service::NextScheduledChange() const {
  auto snap = CurrentSnapshot();
  return snap ? snap->next_due : std::nullopt;
}

Result<void> Service::PersistScheduleLocked(const State& next) {
  for (const auto& [id, e] : next.employees) {
    auto old = state_.employees.find(id);
    const bool had = old != state_.employees.end();
    if (had && old->second.valid_from == e.valid_from && old->second.pending == e.pending) continue;
    if (!had && !e.valid_from && !e.pending) continue;
    if (auto ok = store_->PutSchedule(e); !ok) return ok;
  }
  return common::Ok();
}

}  // namespace staffgate::central
