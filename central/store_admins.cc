// Store: administrators and the action journal (migration 9).
#include "central/store.h"

namespace staffgate::central {

using common::Json;
using common::Result;

namespace {

Json ParseObject(const std::string& text) {
  auto parsed = common::ParseJson(text, common::JsonLimits{text.size() + 1, 64});
  return parsed ? *parsed : Json::object();
}

}  // namespace

Result<std::vector<AdminRecord>> Store::LoadAdmins() {
  auto stmt = db_->Prepare(
      "SELECT name, role, password_hash, must_change_password, created_at, password_changed_at, "
      "failures, locked_until FROM admins ORDER BY name");
  if (!stmt) return tl::unexpected(stmt.error());
  std::vector<AdminRecord> out;
  for (;;) {
    auto row = stmt->Step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) break;
    AdminRecord a;
    a.name = stmt->Text(0);
    a.role = ParseRole(stmt->Text(1)).value_or(Role::kAuditor);  // CHECKed; least power else.
    a.password_hash = stmt->Text(2);
    a.must_change_password = stmt->Int(3) != 0;
    a.created_at = stmt->Int(4);
    a.password_changed_at = stmt->Int(5);
    for (const Json& t : ParseObject(stmt->Text(6))) {
      if (t.is_number_integer()) a.lockout.failures.push_back(t.get<std::int64_t>());
    }
    if (!stmt->IsNull(7)) a.lockout.locked_until = stmt->Int(7);
    out.push_back(std::move(a));
  }
  return out;
}

Result<void> Store::PutAdmin(const AdminRecord& a) {
  auto stmt = db_->Prepare(
      "INSERT INTO admins(name, role, password_hash, must_change_password, created_at, "
      "password_changed_at, failures, locked_until) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
      "ON CONFLICT(name) DO UPDATE SET role = excluded.role, password_hash = "
      "excluded.password_hash, must_change_password = excluded.must_change_password, "
      "created_at = excluded.created_at, password_changed_at = excluded.password_changed_at, "
      "failures = excluded.failures, locked_until = excluded.locked_until");
  if (!stmt) return tl::unexpected(stmt.error());
  auto put = stmt->Bind(1, a.name)
                 .Bind(2, RoleName(a.role))
                 .Bind(3, a.password_hash)
                 .Bind(4, std::int64_t{a.must_change_password ? 1 : 0})
                 .Bind(5, a.created_at)
                 .Bind(6, a.password_changed_at)
                 .Bind(7, common::DumpJson(Json(a.lockout.failures)))
                 .Bind(8, a.lockout.locked_until)
                 .Run();
  if (!put) return put;
  return NotifyCentrals(kAdminsChannel);
}

Result<void> Store::UpdateAdminPassword(const AdminRecord& a) {
  auto stmt = db_->Prepare(
      "UPDATE admins SET password_hash = ?, must_change_password = ?, password_changed_at = ?, "
      "failures = ?, locked_until = ? WHERE name = ?");
  if (!stmt) return tl::unexpected(stmt.error());
  auto updated = stmt->Bind(1, a.password_hash)
                     .Bind(2, std::int64_t{a.must_change_password ? 1 : 0})
                     .Bind(3, a.password_changed_at)
                     .Bind(4, common::DumpJson(Json(a.lockout.failures)))
                     .Bind(5, a.lockout.locked_until)
                     .Bind(6, a.name)
                     .Run();
  if (!updated) return updated;
  return NotifyCentrals(kAdminsChannel);
}

Result<void> Store::UpdateAdminLockout(const std::string& name, const LockoutState& lockout) {
  auto stmt = db_->Prepare("UPDATE admins SET failures = ?, locked_until = ? WHERE name = ?");
  if (!stmt) return tl::unexpected(stmt.error());
  auto updated = stmt->Bind(1, common::DumpJson(Json(lockout.failures)))
                     .Bind(2, lockout.locked_until)
                     .Bind(3, name)
                     .Run();
  if (!updated) return updated;
  return NotifyCentrals(kAdminsChannel);
}

Result<void> Store::DeleteAdmin(const std::string& name) {
  auto stmt = db_->Prepare("DELETE FROM admins WHERE name = ?");
  if (!stmt) return tl::unexpected(stmt.error());
  if (auto deleted = stmt->Bind(1, name).Run(); !deleted) return deleted;
  return NotifyCentrals(kAdminsChannel);
}

Result<void> Store::AppendJournal(const JournalEntry& e) {
  auto stmt = db_->Prepare(
      "INSERT INTO admin_actions(time, who, remote, action, target, before, after, serial) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  if (!stmt) return tl::unexpected(stmt.error());
  std::optional<std::int64_t> serial;
  if (e.serial) serial = static_cast<std::int64_t>(*e.serial);
  return stmt->Bind(1, e.time)
      .Bind(2, e.who)
      .Bind(3, e.from)
      .Bind(4, e.action)
      .Bind(5, e.target)
      .Bind(6, common::DumpJson(e.before))
      .Bind(7, common::DumpJson(e.after))
      .Bind(8, serial)
      .Run();
}

namespace {

constexpr const char* kJournalColumns =
    "SELECT seq, time, who, remote, action, target, before, after, serial FROM admin_actions ";

// The rows of `stmt` (kJournalColumns, newest first), oldest first.
Result<std::vector<JournalEntry>> ReadJournal(Statement& stmt) {
  std::vector<JournalEntry> out;
  for (;;) {
    auto row = stmt.Step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) break;
    JournalEntry e;
    e.seq = stmt.Int(0);
    e.time = stmt.Int(1);
    e.who = stmt.Text(2);
    e.from = stmt.Text(3);
    e.action = stmt.Text(4);
    e.target = stmt.Text(5);
    e.before = ParseObject(stmt.Text(6));
    e.after = ParseObject(stmt.Text(7));
    if (!stmt.IsNull(8)) e.serial = static_cast<std::uint64_t>(stmt.Int(8));
    out.push_back(std::move(e));
  }
  std::reverse(out.begin(), out.end());
  return out;
}

}  // namespace

Result<std::vector<JournalEntry>> Store::LoadJournal(const JournalQuery& query) {
  auto stmt =
      db_->Prepare(std::string(kJournalColumns) + "WHERE time >= ? ORDER BY seq DESC LIMIT ?");
  if (!stmt) return tl::unexpected(stmt.error());
  stmt->Bind(1, query.since.value_or(std::numeric_limits<std::int64_t>::min()))
      .Bind(2, static_cast<std::int64_t>(query.limit));
  return ReadJournal(*stmt);
}

Result<std::vector<JournalEntry>> Store::LoadJournalFor(const std::string& id, std::size_t limit) {
  // A change of several objects (an import) has no target and names the
  // employee as a key of its before/after.
  // The dialects name substring search differently.
  const char* find = db_->engine() == Engine::kPostgres ? "strpos" : "instr";
  auto stmt = db_->Prepare(std::string(kJournalColumns) + "WHERE target = ? OR (target = '' AND " +
                           find + "(after, ?) > 0) ORDER BY seq DESC LIMIT ?");
  if (!stmt) return tl::unexpected(stmt.error());
  stmt->Bind(1, id).Bind(2, common::Json(id).dump()).Bind(3, static_cast<std::int64_t>(limit));
  return ReadJournal(*stmt);
}

}  // namespace staffgate::central
