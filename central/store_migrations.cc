// The central's SQLite schema, one migration per version (store_migrations.h).
#include "central/store_migrations.h"

#include "central/store.h"

namespace staffgate::central {
namespace {

// Migration N brings the schema from version N-1 to N.
constexpr const char* kMigrations[] = {
    // 1: the first schema.
    R"sql(
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE employees (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL CHECK (status IN ('active','suspended','terminated')),
  groups TEXT NOT NULL,
  credentials_reset_after INTEGER,
  updated_at INTEGER NOT NULL);
CREATE TABLE accounts (
  name TEXT PRIMARY KEY,
  employee_id TEXT NOT NULL REFERENCES employees(id) ON DELETE CASCADE);
CREATE TABLE shared_accounts (name TEXT PRIMARY KEY);
CREATE TABLE workstations (
  name TEXT PRIMARY KEY,
  groups TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,
  last_contact INTEGER,
  last_serial INTEGER,
  agent_version TEXT NOT NULL DEFAULT '');
CREATE TABLE rosters (
  serial INTEGER PRIMARY KEY,
  issued_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  envelope TEXT NOT NULL);
CREATE TABLE events (
  id TEXT PRIMARY KEY,
  time_ms INTEGER NOT NULL,
  workstation TEXT NOT NULL,
  type TEXT NOT NULL DEFAULT '',
  account TEXT NOT NULL DEFAULT '',
  decision TEXT NOT NULL DEFAULT '',
  body TEXT NOT NULL,
  received_ms INTEGER NOT NULL);
CREATE INDEX events_time ON events(time_ms);
CREATE INDEX events_account ON events(account, time_ms);
CREATE INDEX events_workstation ON events(workstation, time_ms);
)sql",
    // 2: session leases.
    R"sql(
CREATE TABLE leases (
  id TEXT PRIMARY KEY,
  account TEXT NOT NULL,
  workstation TEXT NOT NULL,
  acquired_at INTEGER NOT NULL,
  renewed_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  seq INTEGER NOT NULL);
CREATE INDEX leases_expires ON leases(expires_at);
)sql",
    // 3: events move to their own database file (event_store.h), copied
    // there by EventStore::ImportLegacy before this runs.
    R"sql(
DROP TABLE IF EXISTS events;
)sql",
    // 4: Unix ids (docs/design.md §9). Grants are never deleted: a uid or
    // gid is never handed out twice. Existing accounts get their uids when
    // the Service opens (it knows uid_range).
    R"sql(
CREATE TABLE posix_uids (
  uid INTEGER PRIMARY KEY,
  employee_id TEXT NOT NULL,
  account TEXT NOT NULL,
  adopted INTEGER NOT NULL,
  granted_at INTEGER NOT NULL,
  UNIQUE (employee_id, account));
CREATE TABLE posix_gids (
  gid INTEGER PRIMARY KEY,
  group_name TEXT NOT NULL,
  adopted INTEGER NOT NULL,
  granted_at INTEGER NOT NULL);
CREATE TABLE posix_groups (
  name TEXT PRIMARY KEY,
  gid INTEGER UNIQUE REFERENCES posix_gids(gid),
  roles TEXT NOT NULL);
)sql",
    // 5: an employee's accounts found by index: a change rewrites the
    // accounts of each changed employee, and an HR import changes
    // thousands (without it every rewrite scanned the whole table).
    R"sql(
CREATE INDEX accounts_employee ON accounts(employee_id);
)sql",
    // 6: staffgate passwords (docs/design.md §10): argon2id encodings only,
    // and the fleet-wide lockout counters (failure times as a JSON array).
    R"sql(
CREATE TABLE passwords (
  employee_id TEXT PRIMARY KEY REFERENCES employees(id) ON DELETE CASCADE,
  hash TEXT NOT NULL,
  changed_at INTEGER NOT NULL,
  one_time INTEGER NOT NULL);
CREATE TABLE password_lockouts (
  employee_id TEXT PRIMARY KEY,
  failures TEXT NOT NULL,
  locked_until INTEGER);
)sql",
    // 7: rollout confirmation (docs/design.md §11): the roster each
    // workstation uses and when the central learned it (central clock),
    // its latest roster events (its own clock, for ordering them) and
    // whether it refuses the central's rosters (store_rollout.cc).
    R"sql(
ALTER TABLE workstations ADD COLUMN installed_serial INTEGER;
ALTER TABLE workstations ADD COLUMN installed_at INTEGER;
ALTER TABLE workstations ADD COLUMN install_event_ms INTEGER;
ALTER TABLE workstations ADD COLUMN last_error TEXT NOT NULL DEFAULT '';
ALTER TABLE workstations ADD COLUMN last_error_ms INTEGER;
ALTER TABLE workstations ADD COLUMN rejecting INTEGER NOT NULL DEFAULT 0;
)sql",
    // 8: leases ended by an administrator stay as tombstones (ended_at),
    // so the holder's next renewal learns the lease was ended.
    R"sql(
ALTER TABLE leases ADD COLUMN ended_at INTEGER NOT NULL DEFAULT 0;
)sql",
    // 9: administrators and the action journal (docs/design.md §11,
    // store_admins.cc): argon2id hashes only; journal fields are JSON of
    // the changed fields, never a password, hash or token.
    R"sql(
CREATE TABLE admins (
  name TEXT PRIMARY KEY,
  role TEXT NOT NULL CHECK (role IN ('owner','hr','it','auditor')),
  password_hash TEXT NOT NULL,
  must_change_password INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  password_changed_at INTEGER NOT NULL,
  failures TEXT NOT NULL DEFAULT '[]',
  locked_until INTEGER);
CREATE TABLE admin_actions (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  time INTEGER NOT NULL,
  who TEXT NOT NULL,
  remote TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT NOT NULL,
  before TEXT NOT NULL,
  after TEXT NOT NULL);
CREATE INDEX admin_actions_time ON admin_actions(time);
)sql",
    // 10: scheduled changes (docs/design.md §11): a starter's valid_from and
    // a pending terminate/suspend, one row per employee with either
    // (store_schedule.cc). They survive a restart of the central.
    R"sql(
CREATE TABLE employee_schedule (
  employee_id TEXT PRIMARY KEY REFERENCES employees(id) ON DELETE CASCADE,
  valid_from INTEGER,
  pending_status TEXT CHECK (pending_status IN ('suspended','terminated')),
  pending_at INTEGER,
  CHECK ((pending_status IS NULL) = (pending_at IS NULL)));
)sql",
    // 11: the roster serial a journalled change published (the leaver
    // report, docs/design.md §11); null for changes that publish none.
    R"sql(
ALTER TABLE admin_actions ADD COLUMN serial INTEGER;
CREATE INDEX admin_actions_target ON admin_actions(target);
)sql",
    // 12: the console's sessions shared by the centrals of one PostgreSQL
    // database (admins/shared_console_sessions.h). One SQLite central keeps
    // them in memory: nothing to do here.
    "",
};
static_assert(sizeof(kMigrations) / sizeof(kMigrations[0]) == kSchemaVersion,
              "one migration per schema version");

}  // namespace

const char* MigrationSql(Engine engine, int version) {
  if (version < 1 || version > kSchemaVersion) return nullptr;
  return engine == Engine::kPostgres ? PgMigrationSql(version) : kMigrations[version - 1];
}

const char* SchemaVersionTableSql() {
  // BIGINT: PostgreSQL's INTEGER is 32 bits; SQLite reads both as INTEGER.
  return "CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL, applied_at "
         "BIGINT NOT NULL)";
}

}  // namespace staffgate::central
