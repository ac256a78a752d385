// Store: the leases table (migration 2). Each call is one statement; the
// Service wraps it, and the audit event that goes with it, in a transaction.
#include "central/store.h"

namespace staffgate::central {

using common::Result;

namespace {

constexpr const char* kLeaseColumns =
    "SELECT id, account, workstation, acquired_at, renewed_at, expires_at, seq, ended_at FROM "
    "leases";

// Every row of `stmt`, which selects kLeaseColumns.
Result<std::vector<Lease>> ReadLeases(Statement& stmt) {
  std::vector<Lease> out;
  for (;;) {
    auto row = stmt.Step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) break;
    Lease lease;
    lease.id = stmt.Text(0);
    lease.account = stmt.Text(1);
    lease.workstation = stmt.Text(2);
    lease.acquired_at = stmt.Int(3);
    lease.renewed_at = stmt.Int(4);
    lease.expires_at = stmt.Int(5);
    lease.seq = static_cast<std::uint64_t>(stmt.Int(6));
    lease.ended_at = stmt.Int(7);
    out.push_back(std::move(lease));
  }
  return out;
}

}  // namespace

Result<std::vector<Lease>> Store::LoadLeases() { return SelectLeases(LeaseSelector{}, false); }

Result<std::vector<Lease>> Store::SelectLeases(const LeaseSelector& selector, bool lock) {
  std::string sql = std::string(kLeaseColumns) + " WHERE 1 = 1";
  std::vector<const std::string*> values;
  for (const auto& [column, value] :
       {std::pair{" AND id = ?", &selector.id}, std::pair{" AND account = ?", &selector.account},
        std::pair{" AND workstation = ?", &selector.workstation}}) {
    if (!*value) continue;
    sql += column;
    values.push_back(&**value);
  }
  // seq, then id: one total order, so two centrals locking rows of several
  // accounts take them in the same order.
  sql += lock ? " ORDER BY seq, id FOR UPDATE" : " ORDER BY seq, id";
  auto stmt = db_->Prepare(sql);
  if (!stmt) return tl::unexpected(stmt.error());
  for (std::size_t i = 0; i < values.size(); ++i) stmt->Bind(static_cast<int>(i + 1), *values[i]);
  return ReadLeases(*stmt);
}

Result<std::vector<Lease>> Store::LeasesEndedSince(common::UnixSeconds since) {
  auto stmt = db_->Prepare(std::string(kLeaseColumns) +
                           " WHERE ended_at <> 0 AND ended_at >= ? ORDER BY seq, id");
  if (!stmt) return tl::unexpected(stmt.error());
  stmt->Bind(1, since);
  return ReadLeases(*stmt);
}

Result<common::UnixSeconds> Store::LockAccountLeases(const std::string& account) {
  // The two-key form: a key space apart from the single-key locks of
  // migrations and the event store.
  auto stmt = db_->Prepare("SELECT pg_advisory_xact_lock(7310, hashtext(CAST(? AS TEXT)))");
  if (!stmt) return tl::unexpected(stmt.error());
  if (auto ok = stmt->Bind(1, account).Step(); !ok) return tl::unexpected(ok.error());
  return DatabaseNow();
}

Result<common::UnixSeconds> Store::DatabaseNow() {
  auto stmt = db_->Prepare("SELECT CAST(FLOOR(EXTRACT(EPOCH FROM clock_timestamp())) AS BIGINT)");
  if (!stmt) return tl::unexpected(stmt.error());
  auto row = stmt->Step();
  if (!row) return tl::unexpected(row.error());
  if (!*row) return common::Fail(common::ErrorKind::kIo, "the database did not tell its time");
  return stmt->Int(0);
}

Result<void> Store::PutLease(const Lease& lease) {
  auto stmt = db_->Prepare(
      "INSERT INTO leases(id, account, workstation, acquired_at, renewed_at, expires_at, seq, "
      "ended_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET "
      "renewed_at = excluded.renewed_at, expires_at = excluded.expires_at, "
      "ended_at = excluded.ended_at");
  if (!stmt) return tl::unexpected(stmt.error());
  return stmt->Bind(1, lease.id)
      .Bind(2, lease.account)
      .Bind(3, lease.workstation)
      .Bind(4, lease.acquired_at)
      .Bind(5, lease.renewed_at)
      .Bind(6, lease.expires_at)
      .Bind(7, static_cast<std::int64_t>(lease.seq))
      .Bind(8, lease.ended_at)
      .Run();
}

Result<void> Store::DeleteLease(const std::string& id) {
  auto stmt = db_->Prepare("DELETE FROM leases WHERE id = ?");
  if (!stmt) return tl::unexpected(stmt.error());
  return stmt->Bind(1, id).Run();
}

Result<std::uint64_t> Store::DeleteLapsedLeases(common::UnixSeconds now) {
  auto stmt = db_->Prepare("DELETE FROM leases WHERE expires_at <= ? RETURNING ended_at");
  if (!stmt) return tl::unexpected(stmt.error());
  stmt->Bind(1, now);
  std::uint64_t lapsed = 0;  // Tombstones run out; only unended leases lapse.
  for (;;) {
    auto row = stmt->Step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) break;
    if (stmt->Int(0) == 0) ++lapsed;
  }
  return lapsed;
}

}  // namespace staffgate::central
