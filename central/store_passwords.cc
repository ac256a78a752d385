// Store: staffgate passwords and their lockout counters (migration 6).
#include "central/store.h"

namespace staffgate::central {

using common::Json;
using common::Result;

Result<void> Store::LoadPasswords(State& state) {
  auto stmt = db_->Prepare("SELECT employee_id, hash, changed_at, one_time FROM passwords");
  if (!stmt) return tl::unexpected(stmt.error());
  for (;;) {
    auto row = stmt->Step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) break;
    PasswordRecord record;
    record.hash = stmt->Text(1);
    record.changed_at = stmt->Int(2);
    record.one_time = stmt->Int(3) != 0;
    state.passwords.emplace(stmt->Text(0), std::move(record));
  }
  return common::Ok();
}

Result<void> Store::PutPassword(const std::string& employee_id, const PasswordRecord& record) {
  auto stmt = db_->Prepare(
      "INSERT INTO passwords(employee_id, hash, changed_at, one_time) VALUES (?, ?, ?, ?) "
      "ON CONFLICT(employee_id) DO UPDATE SET hash = excluded.hash, "
      "changed_at = excluded.changed_at, one_time = excluded.one_time");
  if (!stmt) return tl::unexpected(stmt.error());
  return stmt->Bind(1, employee_id)
      .Bind(2, record.hash)
      .Bind(3, record.changed_at)
      .Bind(4, std::int64_t{record.one_time ? 1 : 0})
      .Run();
}

Result<void> Store::DeletePassword(const std::string& employee_id) {
  auto stmt = db_->Prepare("DELETE FROM passwords WHERE employee_id = ?");
  if (!stmt) return tl::unexpected(stmt.error());
  return stmt->Bind(1, employee_id).Run();
}

namespace {

// Columns `failures, locked_until` at `first` of the current row.
LockoutState LockoutColumns(Statement& stmt, int first) {
  LockoutState state;
  auto failures = common::ParseJson(stmt.Text(first), common::JsonLimits{1 << 20, 2});
  if (failures && failures->is_array()) {
    for (const Json& t : *failures) {
      if (t.is_number_integer()) state.failures.push_back(t.get<std::int64_t>());
    }
  }
  if (!stmt.IsNull(first + 1)) state.locked_until = stmt.Int(first + 1);
  return state;
}

}  // namespace

Result<std::vector<LockoutRow>> Store::LoadLockouts() {
  auto stmt = db_->Prepare("SELECT employee_id, failures, locked_until FROM password_lockouts");
  if (!stmt) return tl::unexpected(stmt.error());
  std::vector<LockoutRow> out;
  for (;;) {
    auto row = stmt->Step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) break;
    out.push_back(LockoutRow{stmt->Text(0), LockoutColumns(*stmt, 1)});
  }
  return out;
}

Result<LockoutState> Store::LoadLockout(const std::string& employee_id) {
  auto stmt =
      db_->Prepare("SELECT failures, locked_until FROM password_lockouts WHERE employee_id = ?");
  if (!stmt) return tl::unexpected(stmt.error());
  auto row = stmt->Bind(1, employee_id).Step();
  if (!row) return tl::unexpected(row.error());
  if (!*row) return LockoutState{};
  return LockoutColumns(*stmt, 0);
}

Result<common::UnixSeconds> Store::LockEmployeeLockout(const std::string& employee_id) {
  // The two-key form, in a space of its own (leases take 7310).
  auto stmt = db_->Prepare("SELECT pg_advisory_xact_lock(7311, hashtext(CAST(? AS TEXT)))");
  if (!stmt) return tl::unexpected(stmt.error());
  if (auto ok = stmt->Bind(1, employee_id).Step(); !ok) return tl::unexpected(ok.error());
  return DatabaseNow();
}

Result<void> Store::PutLockout(const LockoutRow& row) {
  if (row.state.failures.empty() && !row.state.locked_until) {
    auto del = db_->Prepare("DELETE FROM password_lockouts WHERE employee_id = ?");
    if (!del) return tl::unexpected(del.error());
    return del->Bind(1, row.employee_id).Run();
  }
  auto stmt = db_->Prepare(
      "INSERT INTO password_lockouts(employee_id, failures, locked_until) VALUES (?, ?, ?) "
      "ON CONFLICT(employee_id) DO UPDATE SET failures = excluded.failures, "
      "locked_until = excluded.locked_until");
  if (!stmt) return tl::unexpected(stmt.error());
  std::optional<std::int64_t> until = row.state.locked_until;
  return stmt->Bind(1, row.employee_id)
      .Bind(2, common::DumpJson(Json(row.state.failures)))
      .Bind(3, until)
      .Run();
}

}  // namespace staffgate::central
