// Store: scheduled changes (migration 9, docs/design.md §11).
#include "central/store.h"

namespace staffgate::central {

using common::Result;

Result<void> Store::LoadSchedule(State& state) {
  auto stmt = db_->Prepare(
      "SELECT employee_id, valid_from, pending_status, pending_at FROM employee_schedule");
  if (!stmt) return tl::unexpected(stmt.error());
  for (;;) {
    auto row = stmt->Step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) break;
    auto it = state.employees.find(stmt->Text(0));
    if (it == state.employees.end()) continue;
    EmployeeRecord& e = it->second;
    if (!stmt->IsNull(1)) e.valid_from = stmt->Int(1);
    if (!stmt->IsNull(2) && !stmt->IsNull(3)) {
      // The CHECK constraint allows only these two; anything else reads as
      // the stricter one.
      auto status = common::ParseEmployeeStatus(stmt->Text(2));
      ScheduledStatus pending;
      pending.status = status == common::EmployeeStatus::kSuspended
                           ? common::EmployeeStatus::kSuspended
                           : common::EmployeeStatus::kTerminated;
      pending.at = stmt->Int(3);
      e.pending = pending;
    }
  }
  return common::Ok();
}

Result<void> Store::PutSchedule(const EmployeeRecord& e) {
  if (!e.valid_from && !e.pending) {
    auto del = db_->Prepare("DELETE FROM employee_schedule WHERE employee_id = ?");
    if (!del) return tl::unexpected(del.error());
    return del->Bind(1, e.id).Run();
  }
  auto stmt = db_->Prepare(
      "INSERT INTO employee_schedule(employee_id, valid_from, pending_status, pending_at) "
      "VALUES (?, ?, ?, ?) ON CONFLICT(employee_id) DO UPDATE SET "
      "valid_from = excluded.valid_from, pending_status = excluded.pending_status, "
      "pending_at = excluded.pending_at");
  if (!stmt) return tl::unexpected(stmt.error());
  stmt->Bind(1, e.id).Bind(2, e.valid_from);
  if (e.pending) {
    stmt->Bind(3, common::EmployeeStatusName(e.pending->status)).Bind(4, e.pending->at);
  } else {
    stmt->BindNull(3).BindNull(4);
  }
  return stmt->Run();
}

}  // namespace staffgate::central
