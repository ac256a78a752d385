// Store: opening a database of either engine and migrating its schema
// (store_migrations.h).
#include <ctime>

#include "central/pg_db.h"
#include "central/store.h"
#include "central/store_migrations.h"

namespace staffgate::central {

using common::ErrorKind;
using common::Fail;
using common::Result;

namespace {

// Taken by every central migrating one PostgreSQL database, so two
// centrals started at once apply each migration once ("staffgate" in
// ASCII).
constexpr const char* kMigrationLock = "SELECT pg_advisory_xact_lock(7310594224925632357)";

}  // namespace

Result<std::unique_ptr<Store>> Store::Open(const std::string& location) {
  return OpenAtVersion(location, kSchemaVersion);
}

Result<std::unique_ptr<Store>> Store::OpenAtVersion(const std::string& location, int version) {
  std::unique_ptr<Database> db;
  if (IsPostgresUri(location)) {
    auto pg = PgDatabase::Open(location);
    if (!pg) return tl::unexpected(pg.error());
    // Every change is one transaction that fails as a whole (Service).
    (*pg)->SetWriteBatching(true);
    db = std::move(*pg);
  } else {
    auto opened = OpenDatabase(location);
    if (!opened) return tl::unexpected(opened.error());
    db = std::move(*opened);
  }
  std::unique_ptr<Store> store(new Store(std::move(db)));
  if (auto ok = store->Migrate(version); !ok) return tl::unexpected(ok.error());
  return store;
}

Result<bool> Store::IsEmpty(const std::string& location) {
  auto db = OpenDatabase(location);
  if (!db) return tl::unexpected(db.error());
  const char* sql = (*db)->engine() == Engine::kPostgres
                        ? "SELECT COUNT(*) FROM pg_tables WHERE schemaname = current_schema() "
                          "AND tablename IN ('schema_version', 'meta')"
                        : "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' "
                          "AND name IN ('schema_version', 'meta')";
  auto stmt = (*db)->Prepare(sql);
  if (!stmt) return tl::unexpected(stmt.error());
  auto row = stmt->Step();
  if (!row) return tl::unexpected(row.error());
  return !*row || stmt->Int(0) == 0;
}

Result<int> Store::SchemaVersion() {
  auto stmt = db_->Prepare("SELECT MAX(version) FROM schema_version");
  if (!stmt) return tl::unexpected(stmt.error());
  auto row = stmt->Step();
  if (!row) return tl::unexpected(row.error());
  return *row && !stmt->IsNull(0) ? static_cast<int>(stmt->Int(0)) : 0;
}

Result<void> Store::Migrate(int target) {
  if (auto ok = db_->Exec(SchemaVersionTableSql()); !ok) return ok;
  auto version = SchemaVersion();
  if (!version) return tl::unexpected(version.error());
  if (*version > kSchemaVersion) {
    return Fail(ErrorKind::kConfig, "the database has schema version " + std::to_string(*version) +
                                        ", newer than this staffgate-central (" +
                                        std::to_string(kSchemaVersion) + ")");
  }
  for (int v = *version + 1; v <= target; ++v) {
    auto txn = Transaction::Begin(*db_);
    if (!txn) return tl::unexpected(txn.error());
    if (db_->engine() == Engine::kPostgres) {
      if (auto ok = db_->Exec(kMigrationLock); !ok) return ok;
      auto now_at = SchemaVersion();  // Another central may have applied it meanwhile.
      if (!now_at) return tl::unexpected(now_at.error());
      if (*now_at >= v) continue;
    }
    const char* sql = MigrationSql(db_->engine(), v);
    if (sql[0] != '\0') {
      if (auto ok = db_->Exec(sql); !ok) return ok;
    }
    auto stmt = db_->Prepare("INSERT INTO schema_version(version, applied_at) VALUES (?, ?)");
    if (!stmt) return tl::unexpected(stmt.error());
    auto ran =
        stmt->Bind(1, std::int64_t{v}).Bind(2, static_cast<std::int64_t>(std::time(nullptr))).Run();
    if (!ran) return ran;
    if (auto ok = txn->Commit(); !ok) return ok;
  }
  return common::Ok();
}

}  // namespace staffgate::central
