// The central's data model: what HR and IT record. Employee names stay in
// the central; the roster built from this carries only ids and accounts.
#ifndef STAFFGATE_CENTRAL_MODEL_H_
#define STAFFGATE_CENTRAL_MODEL_H_

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "common/roster.h"
#include "common/time_util.h"

namespace staffgate::central {

// A status change an administrator scheduled (docs/design.md §11,
// `employee terminate|suspend ID --at TIME`): the roster carries `at` as
// the employee's valid_until at once, and the central sets `status` when
// the time comes (service_schedule.cc).
struct ScheduledStatus {
  common::EmployeeStatus status = common::EmployeeStatus::kTerminated;  // Never kActive.
  common::UnixSeconds at = 0;

  bool operator==(const ScheduledStatus&) const = default;
};

struct EmployeeRecord {
  std::string id;
  std::string name;  // Personal data: never leaves the central.
  common::EmployeeStatus status = common::EmployeeStatus::kActive;
  std::vector<std::string> accounts;
  std::vector<std::string> groups{"*"};
  std::optional<common::UnixSeconds> credentials_reset_after;
  // The uid of each account (docs/design.md §9), by account. Filled by
  // AssignUids; a value set before that asks to adopt that uid.
  std::map<std::string, std::uint32_t> uids;
  // A starter (`employee add --start TIME`): the roster's valid_from until
  // the time comes, then dropped.
  std::optional<common::UnixSeconds> valid_from;
  // The roster's valid_until until the time comes, then applied and dropped.
  std::optional<ScheduledStatus> pending;

  bool operator==(const EmployeeRecord&) const = default;
};

// A uid handed out to one account of one employee. Grants are kept for
// ever, so no uid is ever handed out twice.
struct UidGrant {
  std::string employee_id;
  std::string account;
  bool adopted = false;  // Given with --uid, not from the serial sequence.

  bool operator==(const UidGrant&) const = default;
};

// A gid handed out to a posix group; kept for ever like UidGrant.
struct GidGrant {
  std::string group;
  bool adopted = false;  // Given with --gid.

  bool operator==(const GidGrant&) const = default;
};

// Every uid and gid the central ever handed out, including those of
// removed accounts and groups. A uid is also the gid of its user private
// group, so one id is never both a uid and a posix group's gid.
struct PosixIds {
  std::map<std::uint32_t, UidGrant> uids;
  std::map<std::pair<std::string, std::string>, std::uint32_t>
      uid_of;  // (employee, account) -> uid
  std::map<std::uint32_t, GidGrant> gids;

  bool Used(std::uint32_t id) const { return uids.contains(id) || gids.contains(id); }

  bool operator==(const PosixIds&) const = default;
};

// A Unix group that follows the job (docs/design.md §9 posix_groups): its
// members are the employees holding one of `roles` (their `groups`).
struct PosixGroup {
  std::string name;
  std::optional<std::uint32_t> gid;  // nullopt: the workstation's local group of this name.
  std::vector<std::string> roles;

  bool operator==(const PosixGroup&) const = default;
};

struct WorkstationRecord {
  std::string name;
  std::vector<std::string> groups;
  std::string token_hash;  // Hex SHA-256 of the token; the token is never stored.
  common::UnixSeconds created_at = 0;
  std::optional<common::UnixSeconds> last_contact;
  std::optional<std::uint64_t> last_serial;
  std::string agent_version;  // From the User-Agent of its last request.

  bool operator==(const WorkstationRecord&) const = default;
};

// An employee's staffgate password (docs/design.md §10): the argon2id
// encoding only (the plaintext is never kept), when it last changed
// (published in the roster as credentials_changed_at) and whether it is a
// one-time password an admin handed out, which must be changed at first use.
struct PasswordRecord {
  std::string hash;  // argon2id_hash_encoded output ("$argon2id$v=19$...").
  common::UnixSeconds changed_at = 0;
  bool one_time = false;

  bool operator==(const PasswordRecord&) const = default;
};

// Fleet-wide lockout counters of one employee's staffgate password
// (auth/lockout.h decides with them).
struct LockoutState {
  std::vector<common::UnixSeconds> failures;  // Failure times in the window, oldest first.
  std::optional<common::UnixSeconds> locked_until;

  bool operator==(const LockoutState&) const = default;
};

struct LockoutRow {
  std::string employee_id;
  LockoutState state;
};

// Serials [first, last] the central never published: it stepped over them
// to publish above an offline roster a workstation had installed (a
// workstation at one of them holds that offline roster, not the central's).
struct SerialRange {
  std::uint64_t first = 0, last = 0;

  bool operator==(const SerialRange&) const = default;
};

// Everything a roster is built from, kept in memory and mirrored in SQLite.
struct State {
  std::map<std::string, EmployeeRecord> employees;  // By id.
  std::set<std::string> shared_accounts;
  std::map<std::string, WorkstationRecord> workstations;  // By name.
  std::uint32_t max_workstations_per_account = 1;
  std::map<std::string, PosixGroup> posix_groups;  // By name.
  PosixIds ids;
  // By employee id; only employees with a staffgate password have one.
  std::map<std::string, PasswordRecord> passwords;
  // Stepped over, oldest first (meta "unpublished_serials").
  std::vector<SerialRange> unpublished_serials;

  bool operator==(const State&) const = default;
};

struct PublishedRoster {
  std::uint64_t serial = 0;
  common::UnixSeconds issued_at = 0;
  common::UnixSeconds expires_at = 0;
  std::string envelope;  // The DSSE JSON served at GET /v1/roster.
};

// What an HR import does with active or suspended employees that are not
// in the file (docs/design.md §5 `import --missing`).
enum class MissingPolicy { kReport, kSuspend, kTerminate };

struct ImportOptions {
  MissingPolicy missing = MissingPolicy::kReport;
  bool allow_reactivate = false;  // Else terminated -> active is refused.
  bool dry_run = false;           // Report the difference, change nothing.
};

struct FieldChange {
  std::string field, before, after;  // Lists joined with ';'.
};

struct EmployeeChange {
  std::string id;
  std::size_t line = 0;  // Of the file; 0 for a missing employee.
  std::vector<FieldChange> fields;
};

struct ImportReport {
  std::vector<std::string> added, unchanged;  // Employee ids, in file order.
  std::vector<EmployeeChange> changed;        // Rows that differ, in file order.
  std::vector<EmployeeChange> reactivated;    // Terminated -> active (also in `changed`).
  // Active or suspended employees not in the file, by id; with --missing
  // suspend or terminate, `fields` holds their status change.
  std::vector<EmployeeChange> missing;
  bool published = false;  // A new roster serial went out.
};

// A session lease (docs/design.md §6): `workstation` has `account` signed in. Live
// while expires_at > now and not ended; lapsed leases are invisible and pruned
// lazily. An administrator's end keeps the lease as a tombstone (ended_at set,
// expires_at moved to when the tombstone goes) so the workstation's next
// renewal is told "ended" (410), not "unknown" (404, which it would answer by
// acquiring the lease again).
struct Lease {
  std::string id;  // 32 lowercase hex characters, random.
  std::string account;
  std::string workstation;
  common::UnixSeconds acquired_at = 0;
  common::UnixSeconds renewed_at = 0;
  common::UnixSeconds expires_at = 0;
  std::uint64_t seq = 0;             // Acquisition order (ties within a second).
  common::UnixSeconds ended_at = 0;  // 0: not ended by an administrator.

  bool operator==(const Lease&) const = default;
};

// Which leases: a present field must match. An administrator's `sessions
// end` must give at least one (docs/design.md §5); none selects every lease.
struct LeaseSelector {
  std::optional<std::string> id, account, workstation;
};

struct EventQuery {
  std::optional<std::int64_t> since_ms;
  std::string workstation, account, decision, type;
  std::size_t limit = 1000;
  bool oldest_first = false;  // The oldest `limit` matches instead of the newest.
};

}  // namespace staffgate::central

#endif  // STAFFGATE_CENTRAL_MODEL_H_
