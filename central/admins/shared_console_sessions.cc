#include "central/admins/shared_console_sessions.h"

#include <algorithm>

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
  if (auto ok = lapsed->Bind(1, now - limits().idle_s).Bind(2, now - limits().absolute_s).Run();
      !ok) {
    return ok;
  }
  // At the cap, the oldest go: room for exactly one more.
  auto oldest = db_->Prepare(
      "DELETE FROM console_sessions WHERE id_hash IN (SELECT id_hash FROM console_sessions "
      "ORDER BY created_at, id_hash LIMIT GREATEST((SELECT COUNT(*) FROM console_sessions) - ? "
      "+ 1, 0))");
  if (!oldest) return tl::unexpected(oldest.error());
  return oldest->Bind(1, static_cast<std::int64_t>(limits().max_sessions)).Run();
}

Result<void> SharedConsoleSessions::Keep(const std::string& hash, const ConsoleSession& session,
                                         const std::string& replacing, common::UnixSeconds now) {
  std::lock_guard<std::mutex> lock(mu_);
  auto txn = Transaction::Begin(*db_, Durability::kRelaxed);
  if (!txn) return tl::unexpected(txn.error());
  // One sign-in at a time across the centrals: two pruning the same rows
  // in different orders would deadlock.
  if (auto ok = db_->Exec("SELECT pg_advisory_xact_lock(7312)"); !ok) return ok;
  if (!replacing.empty()) {
    if (auto ok = ForgetLocked(replacing); !ok) return ok;
  }
  if (auto ok = MakeRoomLocked(now); !ok) return ok;
  auto put = db_->Prepare(
      "INSERT INTO console_sessions(id_hash, name, role, must_change_password, created_at, "
      "last_seen) VALUES (?, ?, ?, ?, ?, ?)");
  if (!put) return tl::unexpected(put.error());
  auto ran = put->Bind(1, hash)
                 .Bind(2, session.name)
                 .Bind(3, RoleName(session.role))
                 .Bind(4, std::int64_t{session.must_change_password ? 1 : 0})
                 .Bind(5, session.created_at)
                 .Bind(6, session.last_seen)
                 .Run();
  if (!ran) return ran;
  return txn->Commit();
}

Result<std::optional<ConsoleSession>> SharedConsoleSessions::LoadLocked(const std::string& hash,
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
  if (Expired(session, now, limits())) {
    (void)ForgetLocked(hash);  // Lapsed either way; a failed delete is pruned later.
    return std::optional<ConsoleSession>();
  }
  if (now - session.last_seen >= std::min(kTouchEvery, limits().idle_s / 30)) {
    auto touch = db_->Prepare("UPDATE console_sessions SET last_seen = ? WHERE id_hash = ?");
    if (!touch) return tl::unexpected(touch.error());
    if (auto ok = touch->Bind(1, now).Bind(2, hash).Run(); !ok) return tl::unexpected(ok.error());
  }
  session.last_seen = now;
  return std::optional<ConsoleSession>(std::move(session));
}

std::optional<ConsoleSession> SharedConsoleSessions::Load(const std::string& hash,
                                                          common::UnixSeconds now) {
  std::lock_guard<std::mutex> lock(mu_);
  auto found = LoadLocked(hash, now);
  if (!found) return std::nullopt;
  return std::move(*found);
}

Result<void> SharedConsoleSessions::ForgetLocked(const std::string& hash) {
  auto gone = db_->Prepare("DELETE FROM console_sessions WHERE id_hash = ?");
  if (!gone) return tl::unexpected(gone.error());
  return gone->Bind(1, hash).Run();
}

Result<void> SharedConsoleSessions::Forget(const std::string& hash) {
  std::lock_guard<std::mutex> lock(mu_);
  return ForgetLocked(hash);
}

void SharedConsoleSessions::EndAllOf(const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  auto gone = db_->Prepare("DELETE FROM console_sessions WHERE name = ?");
  if (gone) (void)gone->Bind(1, name).Run();
}

std::size_t SharedConsoleSessions::Size() {
  std::lock_guard<std::mutex> lock(mu_);
  auto stmt = db_->Prepare("SELECT COUNT(*) FROM console_sessions");
  if (!stmt) return 0;
  auto row = stmt->Step();
  return row && *row ? static_cast<std::size_t>(stmt->Int(0)) : 0;
}

}  // namespace staffgate::central
