#include "central/admins/shared_console_sessions.h"

#include <algorithm>

#include "central/tokens.h"

namespace staffgate::central {

using common::Result;

Result<std::unique_ptr<SharedConsoleSessions>> SharedConsoleSessions::Open(
    const std::string& uri, const common::Clock& clock, SessionLimits limits) {
  auto db = OpenDatabase(uri);
  if (!db) return tl::unexpected(db.error());
  return std::unique_ptr<SharedConsoleSessions>(
      new SharedConsoleSessions(std::move(*db), clock, limits));
}

Result<void> SharedConsoleSessions::MakeRoomLocked(common::UnixSeconds now) {
  auto lapsed =
      db_->Prepare("DELETE FROM console_sessions WHERE last_seen <= ? OR created_at <= ?");
  if (!lapsed) return tl::unexpected(lapsed.error());
  if (auto ok = lapsed->Bind(1, now - limits_.idle_s).Bind(2, now - limits_.absolute_s).Run();
      !ok) {
    return ok;
  }
  // At the cap, the oldest go: room for exactly one more.
  auto oldest = db_->Prepare(
      "DELETE FROM console_sessions WHERE id_hash IN (SELECT id_hash FROM console_sessions "
      "ORDER BY created_at, id_hash LIMIT GREATEST((SELECT COUNT(*) FROM console_sessions) - ? "
      "+ 1, 0))");
  if (!oldest) return tl::unexpected(oldest.error());
  return oldest->Bind(1, static_cast<std::int64_t>(limits_.max_sessions)).Run();
}

Result<NewConsoleSession> SharedConsoleSessions::Create(const std::string& name, Role role,
                                                        bool must_change_password,
                                                        const std::string& replacing) {
  auto id = NewToken();
  if (!id) return tl::unexpected(id.error());
  const common::UnixSeconds now = clock_.Now();
  NewConsoleSession out;
  out.id = std::move(*id);
  out.session = ConsoleSession{name, role, FormTokenOf(out.id), now, now, must_change_password};
  std::lock_guard<std::mutex> lock(mu_);
  // Relaxed: a session lost to a power cut of the database host is a
  // sign-in again, never an access.
  auto txn = Transaction::Begin(*db_, Durability::kRelaxed);
  if (!txn) return tl::unexpected(txn.error());
  if (!replacing.empty()) {
    auto gone = db_->Prepare("DELETE FROM console_sessions WHERE id_hash = ?");
    if (!gone) return tl::unexpected(gone.error());
    if (auto ok = gone->Bind(1, TokenHash(replacing)).Run(); !ok) return tl::unexpected(ok.error());
  }
  if (auto ok = MakeRoomLocked(now); !ok) return tl::unexpected(ok.error());
  auto put = db_->Prepare(
      "INSERT INTO console_sessions(id_hash, name, role, must_change_password, created_at, "
      "last_seen) VALUES (?, ?, ?, ?, ?, ?)");
  if (!put) return tl::unexpected(put.error());
  auto ran = put->Bind(1, TokenHash(out.id))
                 .Bind(2, name)
                 .Bind(3, RoleName(role))
                 .Bind(4, std::int64_t{must_change_password ? 1 : 0})
                 .Bind(5, now)
                 .Bind(6, now)
                 .Run();
  if (!ran) return tl::unexpected(ran.error());
  if (auto ok = txn->Commit(); !ok) return tl::unexpected(ok.error());
  return out;
}

Result<std::optional<ConsoleSession>> SharedConsoleSessions::FindLocked(const std::string& hash,
                                                                        common::UnixSeconds now) {
  auto stmt = db_->Prepare(
      "SELECT name, role, must_change_password, created_at, last_seen FROM console_sessions "
      "WHERE id_hash = ?");
  if (!stmt) return tl::unexpected(stmt.error());
  stmt->Bind(1, hash);
  auto row = stmt->Step();
  if (!row) return tl::unexpected(row.error());
  if (!*row) return std::optional<ConsoleSession>();
  auto role = ParseRole(stmt->Text(1));
  if (!role) return tl::unexpected(role.error());  // Not a role this build knows: no access.
  ConsoleSession session{stmt->Text(0), *role, "", stmt->Int(3), stmt->Int(4), stmt->Int(2) != 0};
  if (Expired(session, now, limits_)) {
    auto gone = db_->Prepare("DELETE FROM console_sessions WHERE id_hash = ?");
    if (gone) (void)gone->Bind(1, hash).Run();
    return std::optional<ConsoleSession>();
  }
  if (now - session.last_seen >= std::min(kTouchEvery, limits_.idle_s / 30)) {
    auto touch = db_->Prepare("UPDATE console_sessions SET last_seen = ? WHERE id_hash = ?");
    if (!touch) return tl::unexpected(touch.error());
    if (auto ok = touch->Bind(1, now).Bind(2, hash).Run(); !ok) return tl::unexpected(ok.error());
  }
  session.last_seen = now;
  return std::optional<ConsoleSession>(std::move(session));
}

std::optional<ConsoleSession> SharedConsoleSessions::Find(const std::string& id) {
  if (id.empty()) return std::nullopt;
  std::lock_guard<std::mutex> lock(mu_);
  auto found = FindLocked(TokenHash(id), clock_.Now());
  if (!found || !*found) return std::nullopt;
  (*found)->form_token = FormTokenOf(id);
  return std::move(*found);
}

void SharedConsoleSessions::DeleteWhere(const char* sql, const std::string& arg) {
  std::lock_guard<std::mutex> lock(mu_);
  auto stmt = db_->Prepare(sql);
  if (stmt) (void)stmt->Bind(1, arg).Run();
}

void SharedConsoleSessions::End(const std::string& id) {
  DeleteWhere("DELETE FROM console_sessions WHERE id_hash = ?", TokenHash(id));
}

void SharedConsoleSessions::EndAllOf(const std::string& name) {
  DeleteWhere("DELETE FROM console_sessions WHERE name = ?", name);
}

std::size_t SharedConsoleSessions::Size() {
  std::lock_guard<std::mutex> lock(mu_);
  auto stmt = db_->Prepare("SELECT COUNT(*) FROM console_sessions");
  if (!stmt) return 0;
  auto row = stmt->Step();
  return row && *row ? static_cast<std::size_t>(stmt->Int(0)) : 0;
}

}  // namespace staffgate::central
