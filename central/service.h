// The central's application logic, free of HTTP: the authoritative State,
// admin changes (validated, one SQLite transaction each, each publishing
// the next signed roster serial), workstation authentication and contact
// records, re-signing before expiry, and audit events.
//
// Thread-safe: every method may be called from any network thread. Admin
// changes are serialised by one mutex; the current roster and the state the
// admin reads list are read through a shared_ptr swap, so serving them
// never waits for a write (an import of 50,000 rows holds the mutex for
// seconds). A change that changes nothing publishes no new serial.
#ifndef STAFFGATE_CENTRAL_SERVICE_H_
#define STAFFGATE_CENTRAL_SERVICE_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "central/admins/admin_record.h"
#include "central/contact_book.h"
#include "central/events/event_desk.h"
#include "central/journal/journal.h"
#include "central/leases/lease_desk.h"
#include "central/leases/shared_lease_desk.h"
#include "central/model.h"
#include "central/reports/leaver_report.h"
#include "central/rollout_summary.h"
#include "central/roster_builder.h"
#include "central/schedule.h"
#include "central/service_types.h"
#include "central/store.h"
#include "central/token_book.h"
#include "common/ed25519.h"
#include "common/json_util.h"
#include "common/result.h"
#include "common/time_util.h"

namespace staffgate::central {

class Service {
 public:
  // Opens the database (migrating it), loads the state and makes sure a
  // valid roster is current: publishes one when there is none, when it
  // needs re-signing, or when the database is older than the highest
  // serial ever published (kept in `<db>.serial`), so serials never go back.
  // `clock` must outlive the Service. Errors: kIo, kConfig.
  static common::Result<std::unique_ptr<Service>> Open(const ServiceOptions& options,
                                                       common::PrivateKey key,
                                                       const common::Clock& clock);
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;
  ~Service();

  std::shared_ptr<const PublishedRoster> Current() const;
  std::string PublicKeyPem() const { return public_pem_; }
  // Called after every publish, outside the lock, with the new serial.
  void SetPublishListener(std::function<void(std::uint64_t)> listener);
  // Publishes a fresh serial when less than half of the lifetime remains.
  // Returns whether it did.
  common::Result<bool> ResignIfDue();
  // Another central wrote the shared database (PgListener's `channel`; "":
  // anything): re-reads what changed, wakes the held polls it concerns. kIo.
  common::Result<void> CatchUp(const std::string& channel);

  // The admin token's hash is set by `init`; compared in constant time.
  bool IsAdminToken(std::string_view token) const;
  common::Result<void> SetAdminTokenHash(const std::string& hash);
  // Re-reads the hash from the database (`staffgate-central token rotate`
  // wrote a new one; the server calls this on SIGHUP). On error the old
  // hash stays.
  common::Result<void> ReloadAdminToken();
  // The workstation a token belongs to, or nullopt.
  std::optional<std::string> WorkstationForToken(std::string_view token) const;
  // Remembered in memory and written by FlushContacts (batched: thousands
  // of agents long-poll, one fsync each would be wasteful).
  void RecordContact(const std::string& workstation, std::optional<std::uint64_t> served_serial,
                     const std::string& user_agent);
  // kSkipIfBusy (the server's timer): while an admin change holds the
  // database, keep the records for the next call (no thread waits on it).
  enum class Flush { kWait, kSkipIfBusy };
  // Also writes the rollout records that changed (never one per poll).
  common::Result<void> FlushContacts(Flush mode = Flush::kWait);

  // Rollout confirmation (service_rollout.cc, docs/design.md §11).
  // `workstation` polled naming `known` in If-None-Match (the roster it
  // uses) while `current` was published. Memory only; FlushContacts writes.
  void RecordInstalled(const std::string& workstation, std::uint64_t known, std::uint64_t current);
  // Who has installed `serial` (default: the current one), over the
  // registered workstations, counted within online_window_s.
  RolloutSummary Rollout(std::optional<std::uint64_t> serial = std::nullopt) const;
  // A workstation on an offline roster above every published serial:
  // publishes above it (the serials stepped over are not the central's),
  // within kMaxOfflineSerialLead, once per kFollowIntervalS, never waiting
  // for a change in progress. Housekeeping timer. Errors: kIo.
  common::Result<FollowOutcome> FollowInstalledSerials();
  // OK when the database answers and the key signs.
  common::Result<void> Healthy();

  // Admin changes. Errors: kInvalidInput (validation, 400), kNotFound (404), kIo (database).
  // Nothing changes on error, and a change that leaves the state as it was (terminating a
  // terminated employee, importing the same file twice) publishes no new serial. Every change gives
  // new accounts their uids (posix_ids.h); a full uid_range refuses it. `employee.uids` may ask to
  // adopt uids for some accounts (migration from local accounts): any uid >= 1000 no one was ever
  // given, inside uid_range or not. `employee.valid_from` (a starter, docs/design.md §11) must lie
  // ahead.
  common::Result<EmployeeRecord> AddEmployee(EmployeeRecord employee);
  // Replaces an existing employee's name, accounts and groups (the console's
  // edit, docs/design.md §11) through the import's plan (import_plan.h), so
  // the status, uids, credentials reset and pending changes are kept as an
  // import keeps them; journalled as employee.update. Blank accounts or
  // groups are refused ("*" must be written: a blank is never every
  // workstation). Errors: kNotFound, kInvalidInput, kIo; nothing changes.
  common::Result<EmployeeRecord> UpdateEmployee(const std::string& id, std::string name,
                                                std::vector<std::string> accounts,
                                                std::vector<std::string> groups);
  // SetStatus without `at` changes the status now; with `at`, schedules it
  // (the roster carries valid_until at once). Rules: schedule.h.
  common::Result<EmployeeRecord> SetStatus(const std::string& id, common::EmployeeStatus status,
                                           std::optional<common::UnixSeconds> at = std::nullopt);
  // Scheduled changes (service_schedule.cc, docs/design.md §11).
  // Cancels the pending status change or the start time (schedule.h);
  // publishes the next serial. Errors: kNotFound (no employee, or nothing
  // pending of that kind), kIo.
  common::Result<EmployeeRecord> CancelScheduled(const std::string& id, PendingKind kind);
  // Applies every change whose time has come (one new serial for all of
  // them), with one central event "scheduled_change" each. Called by the
  // ScheduleRunner; the clock is the Service's. Errors: kIo (nothing
  // applied; the runner tries again).
  common::Result<std::vector<AppliedChange>> ApplyDueChanges();
  // The earliest pending time, or nullopt; cheap (kept with the snapshot).
  std::optional<common::UnixSeconds> NextScheduledChange() const;
  common::Result<EmployeeRecord> ResetCredentials(const std::string& id);
  // Withdraws a reset (`reset-credentials --clear`): no new password is
  // demanded any more. A no-op (no new serial) when none was set.
  common::Result<EmployeeRecord> ClearCredentialsReset(const std::string& id);
  common::Result<void> AddShared(const std::string& name);
  common::Result<void> RemoveShared(const std::string& name);
  // Workstations (service_workstations.cc). AddWorkstation registers a new
  // one and returns its token (shown once); an existing name is refused, so
  // a running agent is never cut off by accident. RotateWorkstationToken
  // returns the new token; the old one stops working at once, as does a
  // removed workstation's. Unknown names: kNotFound.
  common::Result<std::string> AddWorkstation(const std::string& name,
                                             std::vector<std::string> groups);
  common::Result<void> SetWorkstationGroups(const std::string& name,
                                            std::vector<std::string> groups);
  common::Result<std::string> RotateWorkstationToken(const std::string& name);
  common::Result<void> RemoveWorkstation(const std::string& name);
  // An HR import (csv_import.h, import_plan.h), applied whole or not at
  // all; options.dry_run validates and reports the same way but changes
  // nothing. report.published says whether a new serial went out.
  common::Result<ImportReport> Import(std::string_view csv, const ImportOptions& options = {});
  common::Result<void> SetMaxWorkstationsPerAccount(std::uint32_t max);
  // Posix groups (service_posix.cc, docs/design.md §9). `local`: no gid,
  // the workstation's own group of that name; else `gid` is adopted or
  // the next one comes from gid_range. An existing name is refused; a
  // removed group's gid is never handed out again.
  common::Result<PosixGroup> AddPosixGroup(const std::string& name,
                                           std::optional<std::uint32_t> gid, bool local,
                                           std::vector<std::string> roles);
  common::Result<void> RemovePosixGroup(const std::string& name);
  std::vector<PosixGroup> PosixGroups() const;

  // Staffgate passwords (service_auth.cc, docs/design.md §10). The
  // hashing happens before these calls (auth/authenticator.h).
  // `workstation` empty: no group rule (admin calls).
  CredentialLookup LookupAccount(const std::string& account, const std::string& workstation) const;
  // Errors: kNotFound (no such employee).
  common::Result<CredentialLookup> LookupEmployee(const std::string& id) const;
  // Stores `hash` as the employee's password and publishes the next serial
  // (credentials_changed_at moves: now, or a later credentials_reset_after,
  // so a change always satisfies a pending reset); a one-time password
  // moves credentials_reset_after just past it, so agents ask for a change.
  // `expected_hash` no longer stored: kUnavailable (a concurrent change).
  // Errors: kNotFound, kUnavailable, kIo.
  common::Result<std::uint64_t> StorePassword(const std::string& employee_id, std::string hash,
                                              bool one_time,
                                              const std::optional<std::string>& expected_hash);
  // Lockout counters (written by the server every 2 s; skipped while an
  // admin change holds the database with kSkipIfBusy: returns false).
  common::Result<std::vector<LockoutRow>> LoadLockouts();
  common::Result<bool> SaveLockouts(const std::vector<LockoutRow>& rows, Flush mode);
  // Queues one of the central's own audit events (written with the lease
  // events by FlushLeases). `extra` never holds a password.
  void QueueCentralEvent(const std::string& type, const std::string& account,
                         const std::string& workstation, common::Json extra);

  // Administrators (service_admins.cc, docs/design.md §11). AddAdmin and ResetAdminPassword return
  // a one-time password (shown once, kept as its argon2id hash, changed at the next sign-in; hashed
  // on the calling thread). Removing the last owner is allowed: the admin token always acts as
  // owner. Errors: kInvalidInput (name; an existing name on add), kNotFound, kInternal
  // (randomness), kIo. Journalled; nothing changes on error.
  common::Result<std::string> AddAdmin(const std::string& name, Role role);
  common::Result<void> RemoveAdmin(const std::string& name);
  common::Result<std::string> ResetAdminPassword(const std::string& name);
  // Sorted by name. Read from memory, never waiting for a change.
  std::vector<AdminRecord> Admins() const;
  std::optional<AdminRecord> FindAdmin(const std::string& name) const;
  // The console's sign-in (admins/sign_in.h): a new password hash after the
  // first sign-in (journalled as admin.change-password), and the failure
  // counters (not journalled: not a change an administrator made).
  // Errors: kNotFound, kIo.
  common::Result<void> SetAdminPassword(const std::string& name, std::string hash);
  common::Result<void> SaveAdminLockout(const std::string& name, const LockoutState& lockout);
  // The action journal (service_journal.cc): the newest entries matching
  // `query`, oldest first. Errors: kIo.
  common::Result<std::vector<JournalEntry>> Actions(const JournalQuery& query) const;
  // Journals a change that is not to the roster's State (administrators,
  // ended sessions, unlocked passwords) for the actor in scope
  // (journal/actor.h); none in scope: nothing. Errors: kIo.
  common::Result<void> Journal(const JournalLabel& label, common::Json before, common::Json after);

  // The leaver report of a terminated employee (service_reports.cc,
  // docs/design.md §11), assembled from the journal, the rollout records
  // and the events (reports/leaver_report.h). Errors: kNotFound (no such
  // employee), kInvalidInput (not terminated), kIo.
  common::Result<LeaverReport> BuildLeaverReport(const std::string& id);

  std::vector<EmployeeRecord> Employees() const;
  std::set<std::string> SharedAccounts() const;
  std::vector<WorkstationRecord> Workstations() const;
  std::size_t WorkstationCount() const;  // Without copying them (/metrics).
  // PostgreSQL: other centrals may write, and leases live in the database.
  bool SharesDatabase() const { return shared_database_; }
  std::uint32_t MaxWorkstationsPerAccount() const;

  // Stores a batch (a JSON array) from `workstation`; idempotent by id. The batch is refused whole
  // (result.refusal, nothing stored) when the workstation is over its quota or the event store is
  // full; it never touches the employee database. Errors: kInvalidInput (not an array), kTooLarge,
  // kIo.
  common::Result<EventBatchResult> StoreEvents(const std::string& workstation,
                                               const common::Json& batch);
  common::Result<std::vector<common::Json>> Events(const EventQuery& query);
  // The event desk: its health, retention (Prune) and lost events.
  EventDesk& events() { return events_; }

  // Session leases (service_sessions.cc): the account rules here, the decisions in the LeaseDesk,
  // or the SharedLeaseDesk on PostgreSQL. Only an active employee's account permitted on
  // `workstation` gets a lease (a token cannot lock anyone out fleet-wide),
  // max_workstations_per_account at a time. Errors: kInvalidInput (account name), kForbidden
  // (unknown, shared, suspended or terminated account, or not permitted there), kIo.
  common::Result<AcquireOutcome> AcquireLease(const std::string& account,
                                              const std::string& workstation);
  // Renew and release answer the lease; one an administrator ended comes
  // back unchanged with ended_at set (410; nothing renewed or audited).
  // Errors: kNotFound (unknown or lapsed), kForbidden (another's), kIo.
  common::Result<Lease> RenewLease(const std::string& id, const std::string& workstation);
  common::Result<Lease> ReleaseLease(const std::string& id, const std::string& workstation);
  // An admin end (LeaseDesk::End), flushed and journalled before the
  // answer. A blank or absent selector is kInvalidInput naming it; no live
  // match is kNotFound; nothing changes then. Errors also: kIo.
  common::Result<std::vector<Lease>> EndLeases(const LeaseSelector& selector);
  // Live leases sorted by account, then workstation. Errors: kIo.
  common::Result<std::vector<Lease>> Leases();
  // The live leases of `account` as `workstation` sees them (for
  // `staffgatectl check --phase session`): its own, and the other holders.
  // Same account rules as AcquireLease; changes nothing.
  common::Result<LeaseView> ViewLeases(const std::string& account, const std::string& workstation);
  // Called with the workstation after each end (the server's WaitHub); the
  // roster answer that takes the notice carries Staffgate-Lease-Ended.
  void SetLeaseEndListener(std::function<void(const std::string& workstation)> listener);
  // The lease desk: notices of ended leases, and the lapsed count.
  LeaseDesk& lease_desk() { return leases_; }
  const LeaseDesk& lease_desk() const { return leases_; }
  common::Result<std::size_t> LiveLeaseCount();  // As the database says, if shared. kIo.
  // Writes the queued lease rows and events (one relaxed transaction),
  // every 2 s, before listing events and at shutdown; a crash loses at most
  // that window, which renewals repair. Failed writes wait for the next.
  common::Result<void> FlushLeases(Flush mode = Flush::kWait);
  common::UnixSeconds LeaseTtl() const { return options_.lease_ttl_s; }

 private:
  Service(ServiceOptions options, common::PrivateKey key, const common::Clock& clock,
          std::unique_ptr<Store> store, std::unique_ptr<EventStore> events);
  // With mu_ held, at Open: loads the state, tokens, admins, leases,
  // rollout records and high-water serial; returns the latest stored roster.
  common::Result<std::optional<PublishedRoster>> LoadLocked();
  using Mutation = std::function<common::Result<void>(State&)>;
  // kIfChanged: publish only when the state differs; kResign: publish
  // even so while ResignDue; kDryRun: validate, then drop the result.
  enum class ChangeMode { kIfChanged, kResign, kDryRun };
  // Copies the state, applies `mutate`, validates, persists the difference
  // and the next roster in one transaction, then swaps both in. Returns
  // whether a new serial was published.
  // The one journal hook: with an actor in scope (journal/actor.h), the
  // difference the change makes (journal/state_diff.h) is journalled in
  // the same transaction, named by `label` (or after what changed).
  common::Result<bool> Change(const Mutation& mutate, ChangeMode mode = ChangeMode::kIfChanged,
                              const JournalLabel& label = {});
  // With mu_ held (and a transaction open, or autocommit): appends one
  // entry for the actor in scope; none in scope: nothing.
  // `serial`: the roster serial the change published, if any.
  common::Result<void> JournalLocked(const JournalLabel& label, common::Json before,
                                     common::Json after,
                                     std::optional<std::uint64_t> serial = std::nullopt);
  // With mu_ held: writes `admin`'s lockout and swaps it into admins_.
  common::Result<void> PutAdminLocked(const AdminRecord& admin);
  // mu_ locked; with kSkipIfBusy, not owned when a change holds it.
  std::unique_lock<std::mutex> LockForFlush(Flush mode);
  // With mu_ held and a transaction open: writes what differs between
  // state_ and `next`; PersistPosixLocked does the ids and posix groups.
  common::Result<void> PersistLocked(const State& next);
  common::Result<void> PersistPosixLocked(const State& next, common::UnixSeconds now);
  // The scheduled changes that differ (service_schedule.cc).
  common::Result<void> PersistScheduleLocked(const State& next);
  // Whether `roster` says what state_ and the options build now.
  bool BuildsSame(const PublishedRoster& roster) const;
  RosterBuildOptions RosterOptions() const;
  // With mu_ held (service_centrals.cc): a shared database's change begins
  // holding the serial row, caught up (*wake, RefreshLocked: the new serial).
  common::Result<Transaction> BeginSharedChangeLocked(std::uint64_t* wake);
  common::Result<std::optional<std::uint64_t>> RefreshLocked();
  // With mu_ held: admins_ becomes what the store holds (at Open, and when
  // another central changed them); on failure admins_ is unchanged.
  common::Result<void> ReloadAdmins();
  void SwapInLocked(State next, PublishedRoster roster);  // mu_ held: serve these.
  bool ResignDue() const;
  // With mu_ held: the highest serial published or stepped over.
  std::uint64_t TopSerialLocked(const State& state) const;
  // With mu_ held and a transaction open: signs `state` as the next serial.
  common::Result<PublishedRoster> PublishLocked(const State& state);
  void Notify(std::uint64_t serial);
  // What leases are checked against and admin reads list (BuildStateSnapshot).
  std::shared_ptr<const StateSnapshot> CurrentSnapshot() const;
  common::Result<void> CheckLeaseAllowed(const std::string& account,
                                         const std::string& workstation) const;
  // The roster events of a batch into contacts_ (service_rollout.cc).
  void NoteRosterEvents(const std::string& workstation, const common::Json& batch);
  // The password_changed events of a batch, stored for the first time,
  // clear the resets they satisfy (service_password_changes.cc). Called
  // without events_mu_. Errors: the database's.
  common::Result<void> NotePasswordChanges(const std::string& workstation,
                                           const common::Json& batch);
  common::Result<void> ClearResetAfterChange(const std::string& account,
                                             common::UnixSeconds changed_at,
                                             const std::string& workstation);
  // The registered workstations with their contact and rollout records.
  std::vector<FleetMember> Fleet() const;
  // Forgets a removed workstation's contact and rollout records.
  void ForgetContacts(const std::string& workstation);

  ServiceOptions options_;
  common::PrivateKey key_;
  std::string public_pem_;
  const common::Clock& clock_;
  std::string serial_file_;
  const bool shared_database_;  // PostgreSQL: other centrals may write.

  mutable std::mutex mu_;  // Guards store_, state_, high_water_.
  std::unique_ptr<Store> store_;
  State state_;
  std::uint64_t high_water_ = 0;
  // Every request authenticates: never behind mu_ (token_book.h). Written
  // with mu_ held too (lock order mu_, then the book's).
  TokenBook tokens_;
  LeaseDesk leases_;  // In memory, off the disk (the login path); FlushLeases writes.
  // PostgreSQL: decides instead; leases_ then queues events and notices.
  std::unique_ptr<SharedLeaseDesk> shared_leases_;
  // Who decides leases: shared_leases_ when there is one, else leases_.
  LeaseDecider* lease_decider_ = &leases_;
  std::function<void(const std::string&)> lease_end_listener_;  // Under listener_mu_.
  std::atomic<std::uint32_t> max_workstations_{1};  // state_'s policy, readable without mu_.

  // Administrators by name: written with mu_ held (after their
  // transaction), read under admins_mu_ alone (sign-ins never wait for an
  // import). Lock order: mu_, admins_mu_.
  mutable std::mutex admins_mu_;
  std::map<std::string, AdminRecord> admins_;

  mutable std::mutex current_mu_;  // Guards current_ and snapshot_, swapped together.
  std::shared_ptr<const PublishedRoster> current_;
  std::shared_ptr<const StateSnapshot> snapshot_;

  // Events have their own database and lock (EventDesk): a flood of events
  // never holds mu_, and a full event store never fails an employee change.
  EventDesk events_;

  // With mu_ held: one transaction of contact and rollout records.
  common::Result<void> WriteContactsLocked(const ContactBook::Pending& pending);
  ContactBook contacts_;  // Its own lock: every poll records a contact.
  // FollowInstalledSerials' last publish and last refused serial (mu_).
  std::optional<common::UnixSeconds> last_follow_;
  std::uint64_t refused_follow_ = 0;

  std::mutex listener_mu_;
  std::function<void(std::uint64_t)> listener_;
};

}  // namespace staffgate::central

#endif  // STAFFGATE_CENTRAL_SERVICE_H_
