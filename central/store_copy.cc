#include "central/store_copy.h"

#include <algorithm>
#include <set>
#include <string_view>

namespace staffgate::central {
namespace {

using common::ErrorKind;
using common::Fail;
using common::Result;

// The store's tables in foreign-key order (a parent before its rows).
// Every table of the PostgreSQL schema must be here: a new migration's
// table that is missing fails the copy's test, not an operator's copy.
constexpr std::string_view kTables[] = {
    "meta",         "employees",     "accounts",         "shared_accounts",
    "workstations", "rosters",       "leases",           "posix_uids",
    "posix_gids",   "posix_groups",  "passwords",        "password_lockouts",
    "admins",       "admin_actions", "employee_schedule"};
// Kept apart: the event store's table, and the schema's own bookkeeping.
constexpr std::string_view kEvents = "events";
constexpr std::string_view kSchemaVersionTable = "schema_version";
// Not copied: PostgreSQL's alone (a SQLite central keeps its console
// sessions in memory; everyone signs in again after the move).
constexpr std::string_view kPostgresOnly[] = {"console_sessions"};

bool Listed(std::string_view table) {
  return std::find(std::begin(kTables), std::end(kTables), table) != std::end(kTables);
}

bool PostgresOnly(std::string_view table) {
  return std::find(std::begin(kPostgresOnly), std::end(kPostgresOnly), table) !=
         std::end(kPostgresOnly);
}

struct Column {
  std::string name;
  bool integer = false;
  bool identity = false;
};

// The first column of every row `sql` (one optional text parameter) gives.
Result<std::vector<std::string>> Names(Database& db, std::string_view sql,
                                       const std::string& arg = "") {
  auto stmt = db.Prepare(sql);
  if (!stmt) return tl::unexpected(stmt.error());
  if (!arg.empty()) stmt->Bind(1, arg);
  std::vector<std::string> out;
  for (;;) {
    auto row = stmt->Step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) return out;
    out.push_back(stmt->Text(0));
  }
}

Result<std::int64_t> Count(Database& db, std::string_view table) {
  auto stmt = db.Prepare("SELECT COUNT(*) FROM " + std::string(table));
  if (!stmt) return tl::unexpected(stmt.error());
  auto row = stmt->Step();
  if (!row) return tl::unexpected(row.error());
  return *row ? stmt->Int(0) : 0;
}

Result<std::vector<Column>> TargetColumns(Database& to, const std::string& table) {
  auto stmt = to.Prepare(
      "SELECT column_name, data_type, is_identity FROM information_schema.columns "
      "WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position");
  if (!stmt) return tl::unexpected(stmt.error());
  stmt->Bind(1, table);
  std::vector<Column> out;
  for (;;) {
    auto row = stmt->Step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) break;
    const std::string type = stmt->Text(1);
    if (type != "bigint" && type != "integer" && type != "text") {
      std::string what = "cannot copy column ";
      what.append(table).append(".").append(stmt->Text(0)).append(" of type ").append(type);
      return Fail(ErrorKind::kInternal, what);
    }
    out.push_back(Column{stmt->Text(0), type != "text", stmt->Text(2) == "YES"});
  }
  return out;
}

// Every source table has a place in the target, and every target table is
// in kTables.
Result<void> CheckTables(Database& from, Database& to) {
  auto source = Names(from,
                      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE "
                      "'sqlite\\_%' ESCAPE '\\'");
  if (!source) return tl::unexpected(source.error());
  for (const std::string& table : *source) {
    if (table != kEvents && table != kSchemaVersionTable && !Listed(table)) {
      return Fail(ErrorKind::kInvalidInput,
                  "the SQLite database has a table '" + table +
                      "' that this build's PostgreSQL schema has no place for");
    }
  }
  auto target = Names(to,
                      "SELECT table_name FROM information_schema.tables WHERE table_schema = "
                      "current_schema() AND table_type = 'BASE TABLE'");
  if (!target) return tl::unexpected(target.error());
  for (const std::string& table : *target) {
    if (table != kEvents && table != kSchemaVersionTable && !Listed(table) &&
        !PostgresOnly(table)) {
      return Fail(ErrorKind::kInternal, "the copy does not know table '" + table + "'");
    }
    auto rows = Count(to, table);
    if (!rows) return tl::unexpected(rows.error());
    if (table != kSchemaVersionTable && *rows != 0) {
      return Fail(ErrorKind::kInvalidInput, "the PostgreSQL database already holds rows in '" +
                                                table + "'; copy only into an empty database");
    }
  }
  return common::Ok();
}

// The target's columns for `table`, every one copied (identities too: the
// rowids and sequence numbers as stored). Every source column must be
// among them.
Result<std::vector<Column>> ColumnsToCopy(Database& from, Database& to, const std::string& table) {
  auto target = TargetColumns(to, table);
  if (!target) return tl::unexpected(target.error());
  auto source = Names(from, "SELECT name FROM pragma_table_info(?)", table);
  if (!source) return tl::unexpected(source.error());
  std::set<std::string> wanted;
  for (const Column& c : *target) wanted.insert(c.name);
  for (const std::string& name : *source) {
    if (!wanted.contains(name)) {
      std::string what = "the SQLite column ";
      what.append(table).append(".").append(name).append(" has no place in the PostgreSQL schema");
      return Fail(ErrorKind::kInvalidInput, what);
    }
  }
  return target;
}

// Copies every row of `table`'s `columns`; returns how many were read.
Result<std::int64_t> CopyRows(Database& from, Database& to, const std::string& table,
                              const std::vector<Column>& columns) {
  std::string names;
  std::string marks;
  bool identity = false;
  for (const Column& c : columns) {
    names += (names.empty() ? "" : ", ") + c.name;
    marks += marks.empty() ? "?" : ", ?";
    identity = identity || c.identity;
  }
  auto select = from.Prepare("SELECT " + names + " FROM " + table);
  if (!select) return tl::unexpected(select.error());
  auto insert = to.Cached("INSERT INTO " + table + " (" + names + ")" +
                          (identity ? " OVERRIDING SYSTEM VALUE" : "") + " VALUES (" + marks + ")");
  if (!insert) return tl::unexpected(insert.error());
  std::int64_t rows = 0;
  for (;;) {
    auto row = select->Step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) return rows;
    Statement& out = **insert;
    out.Reset();
    for (std::size_t i = 0; i < columns.size(); ++i) {
      const int at = static_cast<int>(i);
      if (select->IsNull(at)) {
        out.BindNull(at + 1);
      } else if (columns[i].integer) {
        out.Bind(at + 1, select->Int(at));
      } else {
        out.Bind(at + 1, select->Text(at));
      }
    }
    if (auto ok = out.Run(); !ok) return tl::unexpected(ok.error());
    ++rows;
  }
}

// Identity sequences continue above the copied values.
Result<void> AdvanceIdentities(Database& to, const std::string& table,
                               const std::vector<Column>& columns) {
  for (const Column& c : columns) {
    if (!c.identity) continue;
    std::string sql = "SELECT setval(pg_get_serial_sequence('";
    sql.append(table).append("', '").append(c.name).append("'), GREATEST(COALESCE(MAX(");
    sql.append(c.name).append("), 0), 1), MAX(").append(c.name).append(") IS NOT NULL) FROM ");
    sql.append(table);
    auto stmt = to.Prepare(sql);
    if (!stmt) return tl::unexpected(stmt.error());
    if (auto ok = stmt->Run(); !ok) return ok;
  }
  return common::Ok();
}

// Copies `table`, checks PostgreSQL holds as many rows as were read, and
// moves its identity sequences past them.
Result<std::int64_t> CopyCounted(Database& from, Database& to, const std::string& table) {
  auto columns = ColumnsToCopy(from, to, table);
  if (!columns) return tl::unexpected(columns.error());
  auto read = CopyRows(from, to, table, *columns);
  if (!read) return tl::unexpected(read.error());
  auto written = Count(to, table);
  if (!written) return tl::unexpected(written.error());
  if (*written != *read) {
    return Fail(ErrorKind::kInternal, "copied " + std::to_string(*read) + " rows of " + table +
                                          " but PostgreSQL holds " + std::to_string(*written) +
                                          "; nothing was committed");
  }
  if (auto ok = AdvanceIdentities(to, table, *columns); !ok) return tl::unexpected(ok.error());
  return *read;
}

// The next serial any central publishes is above every serial this
// central published (Store::TakeSerial reads the mark).
Result<std::uint64_t> RaiseSerialHighWater(Database& to, std::uint64_t floor) {
  auto stmt = to.Prepare(
      "SELECT GREATEST(COALESCE((SELECT CAST(value AS BIGINT) FROM meta WHERE key = "
      "'serial_high_water'), 0), COALESCE((SELECT MAX(serial) FROM rosters), 0), ?)");
  if (!stmt) return tl::unexpected(stmt.error());
  stmt->Bind(1, static_cast<std::int64_t>(floor));
  auto row = stmt->Step();
  if (!row) return tl::unexpected(row.error());
  const auto mark = static_cast<std::uint64_t>(*row ? stmt->Int(0) : 0);
  auto put = to.Prepare(
      "INSERT INTO meta(key, value) VALUES ('serial_high_water', ?) "
      "ON CONFLICT (key) DO UPDATE SET value = excluded.value");
  if (!put) return tl::unexpected(put.error());
  if (auto ok = put->Bind(1, std::to_string(mark)).Run(); !ok) return tl::unexpected(ok.error());
  return mark;
}

// The events file's events, with their order of receipt (rowid). A main
// database from before the event store had its own file has handed its
// events over by now (the caller opened it as serve would).
Result<std::int64_t> CopyEvents(const CopySources& from, Database& to) {
  if (from.events == nullptr) return std::int64_t{0};
  return CopyCounted(*from.events, to, std::string(kEvents));
}

}  // namespace

Result<CopyCounts> CopyCentral(const CopySources& from, Database& to) {
  if (to.engine() != Engine::kPostgres || from.store == nullptr ||
      from.store->engine() != Engine::kSqlite) {
    return Fail(ErrorKind::kInternal, "a copy goes from SQLite into PostgreSQL");
  }
  // Read transactions: each source is read as one snapshot.
  auto snapshot = Transaction::Begin(*from.store);
  if (!snapshot) return tl::unexpected(snapshot.error());
  std::optional<Transaction> events_snapshot;
  if (from.events != nullptr) {
    auto begun = Transaction::Begin(*from.events);
    if (!begun) return tl::unexpected(begun.error());
    events_snapshot.emplace(std::move(*begun));
  }
  auto txn = Transaction::Begin(to);
  if (!txn) return tl::unexpected(txn.error());
  if (auto ok = CheckTables(*from.store, to); !ok) return tl::unexpected(ok.error());
  CopyCounts counts;
  for (std::string_view table : kTables) {
    auto rows = CopyCounted(*from.store, to, std::string(table));
    if (!rows) return tl::unexpected(rows.error());
    counts.tables.emplace_back(table, *rows);
  }
  auto mark = RaiseSerialHighWater(to, from.serial_floor);
  if (!mark) return tl::unexpected(mark.error());
  counts.serial_high_water = *mark;
  auto events = CopyEvents(from, to);
  if (!events) return tl::unexpected(events.error());
  counts.events = *events;
  if (auto ok = txn->Commit(); !ok) return tl::unexpected(ok.error());
  return counts;
}

}  // namespace staffgate::central
