// Persistence of the central's State, the published rosters and the
// session leases (the audit events have their own store: event_store.h), on
// either engine of database.h: SQLite or PostgreSQL. Schema changes are
// numbered migrations, one SQL text per engine (store_migrations.h),
// recorded in the schema_version table. Not thread-safe: the Service
// serialises access and wraps each admin change and its roster in one
// transaction.
#ifndef STAFFGATE_CENTRAL_STORE_H_
#define STAFFGATE_CENTRAL_STORE_H_

#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "central/admins/admin_record.h"
#include "central/database.h"
#include "central/journal/journal.h"
#include "central/model.h"
#include "central/rollout_book.h"
#include "common/json_util.h"
#include "common/result.h"

namespace staffgate::central {

// String lists (groups, roles) as the store keeps them: JSON text. A
// malformed text reads back as the strings it does hold.
std::string JoinJson(const std::vector<std::string>& items);
std::vector<std::string> ParseList(const std::string& text);

// The schema version this build writes.
inline constexpr int kSchemaVersion = 12;

// The channels (NOTIFY names) centrals sharing a PostgreSQL database tell
// each other on (docs/design.md §12, pg_listener.h).
inline constexpr char kRosterChannel[] = "staffgate_roster";
inline constexpr char kAdminsChannel[] = "staffgate_admins";
inline constexpr char kLeasesChannel[] = "staffgate_leases";  // Leases an admin ended.

class Store {
 public:
  // Opens `location` (a SQLite path or a PostgreSQL URI: OpenDatabase)
  // and applies pending migrations. A database from a newer build is
  // refused (kConfig) rather than half understood.
  static common::Result<std::unique_ptr<Store>> Open(const std::string& location);
  // Migrates only up to `version` (<= kSchemaVersion): tests build a
  // database of an older schema with it, to test the upgrade.
  static common::Result<std::unique_ptr<Store>> OpenAtVersion(const std::string& location,
                                                              int version);
  // Whether `location` holds no central yet (no schema_version rows):
  // `init` creates a schema only there. Errors: as OpenDatabase.
  static common::Result<bool> IsEmpty(const std::string& location);

  Database& db() { return *db_; }
  common::Result<int> SchemaVersion();

  common::Result<std::optional<std::string>> GetMeta(const std::string& key);
  common::Result<void> SetMeta(const std::string& key, const std::string& value);

  common::Result<State> LoadState();
  common::Result<void> PutEmployee(const EmployeeRecord& e, common::UnixSeconds now);
  common::Result<void> AddShared(const std::string& name);
  common::Result<void> RemoveShared(const std::string& name);
  common::Result<void> PutWorkstation(const WorkstationRecord& w);
  common::Result<void> RemoveWorkstation(const std::string& name);
  // Records contact details (batched by the Service). Unknown names are ignored.
  common::Result<void> UpdateContact(const std::string& name, common::UnixSeconds when,
                                     std::optional<std::uint64_t> serial,
                                     const std::string& agent_version);

  // Rollout confirmation (store_rollout.cc, migration 7): each
  // workstation's record, and the serials the central stepped over (meta).
  // Unknown names are ignored.
  common::Result<std::unordered_map<std::string, RolloutRecord>> LoadRollout();
  common::Result<void> PutRollout(const std::string& name, const RolloutRecord& record);
  common::Result<void> SetUnpublishedSerials(const std::vector<SerialRange>& ranges);

  // Saving a roster, an administrator or removing one tells the other
  // centrals on a shared PostgreSQL database (NotifyCentrals, pg_listener.h).
  common::Result<void> SaveRoster(const PublishedRoster& roster);
  // The newest stored serial (0: none), without its envelope.
  common::Result<std::uint64_t> LatestRosterSerial();
  // NOTIFY `channel` at the commit (PostgreSQL; nothing on SQLite).
  common::Result<void> NotifyCentrals(const char* channel);
  // PostgreSQL, in a transaction: a lock it waits for over 5 s fails the
  // statement with kUnavailable (55P03), so a central that hangs holding
  // a lock delays the others' calls by 5 s at most and never stops them.
  // Nothing on SQLite (one central; its busy timeout bounds the wait).
  common::Result<void> BoundLockWait();
  // Takes the next roster serial in the database, within the caller's
  // transaction: one above both `floor` (the serials this central knows of)
  // and the high-water mark stored in meta (every central's), and records
  // it there. On PostgreSQL the meta row is locked until the commit, so two
  // centrals never take the same serial.
  common::Result<std::uint64_t> TakeSerial(std::uint64_t floor);
  // The stored high-water mark (0 when none).
  common::Result<std::uint64_t> SerialHighWater();
  common::Result<std::optional<PublishedRoster>> LatestRoster();

  // Unix ids and posix groups (store_posix.cc, migration 4). Grants are
  // only ever inserted.
  common::Result<void> PutUidGrant(std::uint32_t uid, const UidGrant& grant,
                                   common::UnixSeconds now);
  common::Result<void> PutGidGrant(std::uint32_t gid, const GidGrant& grant,
                                   common::UnixSeconds now);
  common::Result<void> PutPosixGroup(const PosixGroup& group);
  common::Result<void> RemovePosixGroup(const std::string& name);

  // Staffgate passwords and lockout counters (store_passwords.cc,
  // migration 6). A lockout row with no failures and no lock is deleted.
  common::Result<void> PutPassword(const std::string& employee_id, const PasswordRecord& record);
  common::Result<void> DeletePassword(const std::string& employee_id);
  common::Result<std::vector<LockoutRow>> LoadLockouts();
  // One employee's counters (empty when there is no row).
  common::Result<LockoutState> LoadLockout(const std::string& employee_id);
  // PutLockout with an empty state deletes the row.
  common::Result<void> PutLockout(const LockoutRow& row);
  // PostgreSQL, in a transaction: waits for the employee's lockout lock
  // (every central's, until the transaction ends); returns the database's
  // clock, as LockAccountLeases.
  common::Result<common::UnixSeconds> LockEmployeeLockout(const std::string& employee_id);

  // Administrators and the action journal (store_admins.cc, migration 9).
  // PutAdmin inserts or replaces by name. The Update* calls change only
  // their columns of an existing row, and nothing when it is gone: a
  // central that has not yet heard of a removal elsewhere never brings an
  // administrator back, nor an old password (docs/design.md §12).
  // DeleteAdmin of an unknown name changes nothing. LoadJournal returns the
  // newest query.limit entries at or after query.since, oldest first.
  common::Result<std::vector<AdminRecord>> LoadAdmins();
  common::Result<void> PutAdmin(const AdminRecord& admin);
  // The password columns and the lockout (a new password clears it).
  common::Result<void> UpdateAdminPassword(const AdminRecord& admin);
  common::Result<void> UpdateAdminLockout(const std::string& name, const LockoutState& lockout);
  common::Result<void> DeleteAdmin(const std::string& name);
  common::Result<void> AppendJournal(const JournalEntry& entry);
  common::Result<std::vector<JournalEntry>> LoadJournal(const JournalQuery& query);
  // The newest `limit` entries about employee `id` (target `id`, or a
  // change of several objects naming it), oldest first (the leaver report).
  common::Result<std::vector<JournalEntry>> LoadJournalFor(const std::string& id,
                                                           std::size_t limit);
  // Scheduled changes (store_schedule.cc, migration 10): the employee's
  // valid_from and pending status change; a record with neither deletes
  // the row.
  common::Result<void> PutSchedule(const EmployeeRecord& e);

  // Session leases (store_leases.cc). PutLease inserts or replaces by id.
  common::Result<std::vector<Lease>> LoadLeases();
  // The rows `selector` matches (lapsed ones and tombstones too), in
  // acquisition order. `lock` (PostgreSQL, in a transaction): the rows stay
  // locked against other centrals until the transaction ends.
  common::Result<std::vector<Lease>> SelectLeases(const LeaseSelector& selector, bool lock);
  // The tombstones of leases ended at or after `since`.
  common::Result<std::vector<Lease>> LeasesEndedSince(common::UnixSeconds since);
  // PostgreSQL, in a transaction: waits for `account`'s lease lock, which
  // every central on the database takes before deciding about the account
  // and which the transaction's end releases (docs/design.md §12). Returns
  // the database's clock in Unix seconds: one clock for every central.
  common::Result<common::UnixSeconds> LockAccountLeases(const std::string& account);
  // The database's clock (PostgreSQL), in Unix seconds.
  common::Result<common::UnixSeconds> DatabaseNow();
  common::Result<void> PutLease(const Lease& lease);
  common::Result<void> DeleteLease(const std::string& id);
  // Deletes every lease with expires_at <= now.
  // Returns how many were leases nobody ended (the rest: old tombstones).
  common::Result<std::uint64_t> DeleteLapsedLeases(common::UnixSeconds now);

 private:
  explicit Store(std::unique_ptr<Database> db) : db_(std::move(db)) {}
  common::Result<void> Migrate(int target);
  // Fills state.ids, state.posix_groups (store_posix.cc).
  common::Result<void> LoadPosix(State& state);
  common::Result<void> LoadPasswords(State& state);
  // Fills valid_from and pending of the employees already loaded.
  common::Result<void> LoadSchedule(State& state);
  common::Result<void> LoadUnpublishedSerials(State& state);
  std::unique_ptr<Database> db_;
};

}  // namespace staffgate::central

#endif  // STAFFGATE_CENTRAL_STORE_H_
