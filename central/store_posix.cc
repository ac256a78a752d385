// Store: Unix ids and posix groups (migration 4, docs/design.md §9). Each
// call is one statement; the Service wraps a change in one transaction.
#include "central/store.h"

namespace staffgate::central {

using common::Result;

Result<void> Store::LoadPosix(State& state) {
  auto uids = db_->Prepare("SELECT uid, employee_id, account, adopted FROM posix_uids");
  if (!uids) return tl::unexpected(uids.error());
  for (;;) {
    auto row = uids->Step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) break;
    const auto uid = static_cast<std::uint32_t>(uids->Int(0));
    UidGrant grant{uids->Text(1), uids->Text(2), uids->Int(3) != 0};
    state.ids.uid_of[{grant.employee_id, grant.account}] = uid;
    state.ids.uids.emplace(uid, std::move(grant));
  }
  auto gids = db_->Prepare("SELECT gid, group_name, adopted FROM posix_gids");
  if (!gids) return tl::unexpected(gids.error());
  for (;;) {
    auto row = gids->Step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) break;
    state.ids.gids.emplace(static_cast<std::uint32_t>(gids->Int(0)),
                           GidGrant{gids->Text(1), gids->Int(2) != 0});
  }
  auto groups = db_->Prepare("SELECT name, gid, roles FROM posix_groups");
  if (!groups) return tl::unexpected(groups.error());
  for (;;) {
    auto row = groups->Step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) break;
    PosixGroup g;
    g.name = groups->Text(0);
    if (!groups->IsNull(1)) g.gid = static_cast<std::uint32_t>(groups->Int(1));
    g.roles = ParseList(groups->Text(2));
    state.posix_groups.emplace(g.name, std::move(g));
  }
  return common::Ok();
}

Result<void> Store::PutUidGrant(std::uint32_t uid, const UidGrant& grant, common::UnixSeconds now) {
  auto stmt = db_->Cached(
      "INSERT INTO posix_uids(uid, employee_id, account, adopted, granted_at) VALUES (?, ?, ?, ?, "
      "?)");
  if (!stmt) return tl::unexpected(stmt.error());
  return (*stmt)
      ->Bind(1, std::int64_t{uid})
      .Bind(2, grant.employee_id)
      .Bind(3, grant.account)
      .Bind(4, std::int64_t{static_cast<std::int64_t>(grant.adopted)})
      .Bind(5, now)
      .Run();
}

Result<void> Store::PutGidGrant(std::uint32_t gid, const GidGrant& grant, common::UnixSeconds now) {
  auto stmt = db_->Cached(
      "INSERT INTO posix_gids(gid, group_name, adopted, granted_at) VALUES (?, ?, ?, ?)");
  if (!stmt) return tl::unexpected(stmt.error());
  return (*stmt)
      ->Bind(1, std::int64_t{gid})
      .Bind(2, grant.group)
      .Bind(3, std::int64_t{static_cast<std::int64_t>(grant.adopted)})
      .Bind(4, now)
      .Run();
}

Result<void> Store::PutPosixGroup(const PosixGroup& group) {
  auto stmt = db_->Prepare(
      "INSERT INTO posix_groups(name, gid, roles) VALUES (?, ?, ?) "
      "ON CONFLICT(name) DO UPDATE SET gid = excluded.gid, roles = excluded.roles");
  if (!stmt) return tl::unexpected(stmt.error());
  std::optional<std::int64_t> gid;
  if (group.gid) gid = std::int64_t{*group.gid};
  return stmt->Bind(1, group.name).Bind(2, gid).Bind(3, JoinJson(group.roles)).Run();
}

Result<void> Store::RemovePosixGroup(const std::string& name) {
  auto stmt = db_->Prepare("DELETE FROM posix_groups WHERE name = ?");
  if (!stmt) return tl::unexpected(stmt.error());
  return stmt->Bind(1, name).Run();
}

}  // namespace staffgate::central
