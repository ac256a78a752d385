#include "central/store.h"

#include <algorithm>
#include <cstdlib>
#include <ctime>

#include "central/validation.h"
#include "common/time_util.h"

namespace staffgate::central {
namespace {

using common::Json;
using common::Result;

// Returns from the caller, which no function can do (as absl's
// RETURN_IF_ERROR).
// NOLINTNEXTLINE(cppcoreguidelines-macro-usage)
#define SG_TRY(expr)                                            \
  do {                                                          \
    auto sg_result_ = (expr);                                   \
    if (!sg_result_) return tl::unexpected(sg_result_.error()); \
  } while (0)

}  // namespace

std::string JoinJson(const std::vector<std::string>& items) {
  return common::DumpJson(Json(items));
}

std::vector<std::string> ParseList(const std::string& text) {
  auto parsed = common::ParseJson(text, common::JsonLimits{1 << 20, 4});
  std::vector<std::string> out;
  if (parsed && parsed->is_array()) {
    for (const Json& item : *parsed) {
      if (item.is_string()) out.push_back(item.get<std::string>());
    }
  }
  return out;
}

Result<std::optional<std::string>> Store::GetMeta(const std::string& key) {
  auto stmt = db_->Prepare("SELECT value FROM meta WHERE key = ?");
  if (!stmt) return tl::unexpected(stmt.error());
  stmt->Bind(1, key);
  auto row = stmt->Step();
  if (!row) return tl::unexpected(row.error());
  if (!*row) return std::optional<std::string>();
  return std::optional<std::string>(stmt->Text(0));
}

Result<void> Store::SetMeta(const std::string& key, const std::string& value) {
  auto stmt = db_->Prepare(
      "INSERT INTO meta(key, value) VALUES (?, ?) "
      "ON CONFLICT(key) DO UPDATE SET value = excluded.value");
  if (!stmt) return tl::unexpected(stmt.error());
  return stmt->Bind(1, key).Bind(2, value).Run();
}

Result<State> Store::LoadState() {
  State state;
  auto emp =
      db_->Prepare("SELECT id, name, status, groups, credentials_reset_after FROM employees");
  if (!emp) return tl::unexpected(emp.error());
  for (;;) {
    auto row = emp->Step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) break;
    EmployeeRecord e;
    e.id = emp->Text(0);
    e.name = emp->Text(1);
    e.status =
        common::ParseEmployeeStatus(emp->Text(2)).value_or(common::EmployeeStatus::kSuspended);
    e.groups = ParseList(emp->Text(3));
    e.accounts.clear();
    if (!emp->IsNull(4)) e.credentials_reset_after = emp->Int(4);
    state.employees.emplace(e.id, std::move(e));
  }
  SG_TRY(LoadPosix(state));
  SG_TRY(LoadPasswords(state));
  SG_TRY(LoadSchedule(state));
  // Insertion order; PostgreSQL's accounts table has a rowid column of its
  // own for it (store_migrations_pg.cc).
  auto acc = db_->Prepare("SELECT name, employee_id FROM accounts ORDER BY rowid");
  if (!acc) return tl::unexpected(acc.error());
  for (;;) {
    auto row = acc->Step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) break;
    auto it = state.employees.find(acc->Text(1));
    if (it == state.employees.end()) continue;
    it->second.accounts.push_back(acc->Text(0));
    auto uid = state.ids.uid_of.find({it->first, acc->Text(0)});
    if (uid != state.ids.uid_of.end()) it->second.uids[uid->first.second] = uid->second;
  }
  auto shared = db_->Prepare("SELECT name FROM shared_accounts");
  if (!shared) return tl::unexpected(shared.error());
  for (;;) {
    auto row = shared->Step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) break;
    state.shared_accounts.insert(shared->Text(0));
  }
  auto ws = db_->Prepare(
      "SELECT name, groups, token_hash, created_at, last_contact, last_serial, "
      "agent_version FROM workstations");
  if (!ws) return tl::unexpected(ws.error());
  for (;;) {
    auto row = ws->Step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) break;
    WorkstationRecord w;
    w.name = ws->Text(0);
    w.groups = ParseList(ws->Text(1));
    w.token_hash = ws->Text(2);
    w.created_at = ws->Int(3);
    if (!ws->IsNull(4)) w.last_contact = ws->Int(4);
    if (!ws->IsNull(5)) w.last_serial = static_cast<std::uint64_t>(ws->Int(5));
    w.agent_version = ws->Text(6);
    state.workstations.emplace(w.name, std::move(w));
  }
  SG_TRY(LoadUnpublishedSerials(state));
  auto policy = GetMeta("max_workstations_per_account");
  if (!policy) return tl::unexpected(policy.error());
  if (*policy) {
    state.max_workstations_per_account =
        static_cast<std::uint32_t>(std::strtoul((*policy)->c_str(), nullptr, 10));
  }
  return state;
}

Result<void> Store::PutEmployee(const EmployeeRecord& e, common::UnixSeconds now) {
  auto up = db_->Cached(
      "INSERT INTO employees(id, name, status, groups, credentials_reset_after, updated_at) "
      "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET name = excluded.name, "
      "status = excluded.status, groups = excluded.groups, "
      "credentials_reset_after = excluded.credentials_reset_after, updated_at = "
      "excluded.updated_at");
  if (!up) return tl::unexpected(up.error());
  SG_TRY((*up)
             ->Bind(1, e.id)
             .Bind(2, e.name)
             .Bind(3, common::EmployeeStatusName(e.status))
             .Bind(4, JoinJson(e.groups))
             .Bind(5, e.credentials_reset_after)
             .Bind(6, now)
             .Run());
  auto del = db_->Cached("DELETE FROM accounts WHERE employee_id = ?");
  if (!del) return tl::unexpected(del.error());
  SG_TRY((*del)->Bind(1, e.id).Run());
  auto ins = db_->Cached("INSERT INTO accounts(name, employee_id) VALUES (?, ?)");
  if (!ins) return tl::unexpected(ins.error());
  for (const std::string& account : e.accounts) {
    (*ins)->Reset();
    SG_TRY((*ins)->Bind(1, account).Bind(2, e.id).Run());
  }
  return common::Ok();
}

Result<void> Store::AddShared(const std::string& name) {
  auto stmt = db_->Prepare("INSERT INTO shared_accounts(name) VALUES (?) ON CONFLICT DO NOTHING");
  if (!stmt) return tl::unexpected(stmt.error());
  return stmt->Bind(1, name).Run();
}

Result<void> Store::RemoveShared(const std::string& name) {
  auto stmt = db_->Prepare("DELETE FROM shared_accounts WHERE name = ?");
  if (!stmt) return tl::unexpected(stmt.error());
  return stmt->Bind(1, name).Run();
}

Result<void> Store::PutWorkstation(const WorkstationRecord& w) {
  auto stmt = db_->Prepare(
      "INSERT INTO workstations(name, groups, token_hash, created_at) VALUES (?, ?, ?, ?) "
      "ON CONFLICT(name) DO UPDATE SET groups = excluded.groups, token_hash = excluded.token_hash");
  if (!stmt) return tl::unexpected(stmt.error());
  return stmt->Bind(1, w.name)
      .Bind(2, JoinJson(w.groups))
      .Bind(3, w.token_hash)
      .Bind(4, w.created_at)
      .Run();
}

Result<void> Store::RemoveWorkstation(const std::string& name) {
  auto stmt = db_->Prepare("DELETE FROM workstations WHERE name = ?");
  if (!stmt) return tl::unexpected(stmt.error());
  return stmt->Bind(1, name).Run();
}

Result<void> Store::UpdateContact(const std::string& name, common::UnixSeconds when,
                                  std::optional<std::uint64_t> serial,
                                  const std::string& agent_version) {
  auto stmt = db_->Prepare(
      "UPDATE workstations SET last_contact = ?, last_serial = COALESCE(?, last_serial), "
      "agent_version = ? WHERE name = ?");
  if (!stmt) return tl::unexpected(stmt.error());
  std::optional<std::int64_t> s;
  if (serial) s = static_cast<std::int64_t>(*serial);
  return stmt->Bind(1, when).Bind(2, s).Bind(3, agent_version).Bind(4, name).Run();
}

Result<void> Store::SaveRoster(const PublishedRoster& r) {
  auto stmt = db_->Prepare(
      "INSERT INTO rosters(serial, issued_at, expires_at, envelope) VALUES (?, ?, ?, ?) "
      "ON CONFLICT(serial) DO UPDATE SET issued_at = excluded.issued_at, "
      "expires_at = excluded.expires_at, envelope = excluded.envelope");
  if (!stmt) return tl::unexpected(stmt.error());
  SG_TRY(stmt->Bind(1, static_cast<std::int64_t>(r.serial))
             .Bind(2, r.issued_at)
             .Bind(3, r.expires_at)
             .Bind(4, r.envelope)
             .Run());
  SG_TRY(NotifyCentrals(kRosterChannel));
  // Older envelopes are history only; keep a few for forensics.
  auto prune = db_->Prepare("DELETE FROM rosters WHERE serial < ?");
  if (!prune) return tl::unexpected(prune.error());
  return prune->Bind(1, static_cast<std::int64_t>(r.serial) - 50).Run();
}

Result<std::uint64_t> Store::SerialHighWater() {
  // FOR UPDATE (PostgreSQL): the row stays locked until the caller's
  // commit; SQLite's BEGIN IMMEDIATE already excludes other writers.
  const std::string lock = db_->engine() == Engine::kPostgres ? " FOR UPDATE" : "";
  auto stmt = db_->Prepare("SELECT value FROM meta WHERE key = 'serial_high_water'" + lock);
  if (!stmt) return tl::unexpected(stmt.error());
  auto row = stmt->Step();
  if (!row) return tl::unexpected(row.error());
  if (!*row) return std::uint64_t{0};
  return static_cast<std::uint64_t>(std::strtoull(stmt->Text(0).c_str(), nullptr, 10));
}

Result<std::uint64_t> Store::TakeSerial(std::uint64_t floor) {
  auto stored = SerialHighWater();
  if (!stored) return tl::unexpected(stored.error());
  const std::uint64_t serial = std::max(floor, *stored) + 1;
  SG_TRY(SetMeta("serial_high_water", std::to_string(serial)));
  return serial;
}

Result<void> Store::NotifyCentrals(const char* channel) {
  if (db_->engine() != Engine::kPostgres) return common::Ok();
  // Delivered at the commit, and not at all on a rollback.
  auto stmt = db_->Prepare("SELECT pg_notify(?, '')");
  if (!stmt) return tl::unexpected(stmt.error());
  return stmt->Bind(1, std::string_view(channel)).Run();
}

Result<void> Store::BoundLockWait() {
  if (db_->engine() != Engine::kPostgres) return common::Ok();
  return db_->Exec("SET LOCAL lock_timeout = '5s'");
}

Result<std::uint64_t> Store::LatestRosterSerial() {
  auto stmt = db_->Prepare("SELECT COALESCE(MAX(serial), 0) FROM rosters");
  if (!stmt) return tl::unexpected(stmt.error());
  auto row = stmt->Step();
  if (!row) return tl::unexpected(row.error());
  return *row ? static_cast<std::uint64_t>(stmt->Int(0)) : std::uint64_t{0};
}

Result<std::optional<PublishedRoster>> Store::LatestRoster() {
  auto stmt = db_->Prepare(
      "SELECT serial, issued_at, expires_at, envelope FROM rosters ORDER BY serial DESC LIMIT 1");
  if (!stmt) return tl::unexpected(stmt.error());
  auto row = stmt->Step();
  if (!row) return tl::unexpected(row.error());
  if (!*row) return std::optional<PublishedRoster>();
  PublishedRoster r;
  r.serial = static_cast<std::uint64_t>(stmt->Int(0));
  r.issued_at = stmt->Int(1);
  r.expires_at = stmt->Int(2);
  r.envelope = stmt->Text(3);
  return std::optional<PublishedRoster>(std::move(r));
}

}  // namespace staffgate::central
