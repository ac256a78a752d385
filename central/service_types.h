// The value types of the central's Service (service.h): its options, what
// an event batch and the event store's health come to, and what the central
// knows of an account's staffgate password. Plain values, no locking.
#ifndef STAFFGATE_CENTRAL_SERVICE_TYPES_H_
#define STAFFGATE_CENTRAL_SERVICE_TYPES_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "central/auth/argon2_hash.h"
#include "central/model.h"
#include "central/posix_ids.h"
#include "common/json_util.h"
#include "common/time_util.h"

namespace staffgate::central {

// Whether a password change at `changed_at` satisfies a credentials reset
// (docs/design.md §3 row 10 requires one while reset_after > changed_at).
bool ChangeEndsReset(const std::optional<common::UnixSeconds>& reset_after,
                     common::UnixSeconds changed_at);
// A workstation's password_changed event (the module's password phase).
bool IsPasswordChange(const common::Json& event);

struct ServiceOptions {
  std::string db_path;
  std::string organization;
  common::UnixSeconds roster_lifetime_s = 7L * 24 * 3600;
  common::UnixSeconds lease_ttl_s = 90;  // central.conf lease_ttl_s.
  // The event store (event_store.h); empty: beside db_path, named
  // "<stem>-events.db".
  std::string events_db_path;
  std::uint64_t events_max_bytes = 4ULL << 30;         // central.conf events_max_bytes (0: no cap).
  std::uint64_t events_min_free_bytes = 256ULL << 20;  // central.conf events_min_free_bytes.
  std::int64_t events_retention_days = 365;            // central.conf events_retention_days.
  std::uint64_t events_per_workstation_per_hour = 3600;  // 0: no quota.
  IdRange uid_range = kDefaultUidRange;                  // central.conf uid_range.
  IdRange gid_range = kDefaultGidRange;                  // central.conf gid_range.
  bool publish_display_names = false;                    // central.conf publish_display_names.
  std::int64_t online_window_s = 300;                    // central.conf online_window_s.
  Argon2Params argon2;  // central.conf argon2_* (administrators' passwords).
};

// The event store's path for `options` (events_db_path or the default).
std::string EventsDbPath(const ServiceOptions& options);
// Where a SQLite central at `db_path` keeps its serial high-water mark,
// written before each publish commits.
std::string SerialFilePath(const std::string& db_path);
// The mark in `path`: 0 when `path` is empty (PostgreSQL keeps it in the
// database) or the file is absent. Errors: kConfig (not a number), kIo.
common::Result<std::uint64_t> ReadSerialFile(const std::string& path);

// Caps on one POST /v1/events batch.
inline constexpr std::size_t kMaxEventsPerBatch = 10000;
inline constexpr std::size_t kMaxEventIdBytes = 128;

// Events stamped further ahead of the central's clock than this are stored
// at their receipt time (their body keeps what the workstation sent).
inline constexpr std::int64_t kMaxEventAheadMs = 5L * 60 * 1000;

struct EventBatchResult {
  std::size_t accepted = 0, duplicates = 0, rejected = 0;
  std::size_t clamped = 0;  // Future-dated events stored at receipt time.
  // Why the whole batch was refused (nothing stored): kQuota (answer 429)
  // or kStoreFull (answer 507), with the seconds to wait and one sentence.
  enum class Refusal { kNone, kQuota, kStoreFull } refusal = Refusal::kNone;
  std::int64_t retry_after_s = 0;
  std::string message;
};

// The event store's health, for /healthz.
struct EventStorageHealth {
  bool accepting = true;  // False: events are refused (507) until space returns.
  std::string problem;    // One sentence when not accepting.
  std::uint64_t used_bytes = 0, max_bytes = 0, free_bytes = 0, min_free_bytes = 0;
};

// What the central knows about an account's staffgate password, as one
// caller may see it (service_auth.cc).
struct CredentialLookup {
  // kNotManaged: no employee has the account, it is shared, or the
  // employee has no staffgate password. kNotPermitted: the workstation may
  // not sign this account in (docs/design.md §3 group rule).
  enum class Kind { kNotManaged, kNotPermitted, kManaged } kind = Kind::kNotManaged;
  std::string employee_id;
  common::EmployeeStatus status = common::EmployeeStatus::kActive;
  PasswordRecord password;
  std::optional<common::UnixSeconds> reset_after;
  std::string account;  // The employee's first account (events of admin changes).

  // The password must be changed before it is of any use: one-time, or
  // reset after its last change (docs/design.md §3 row 10).
  bool ResetRequired() const {
    return password.one_time || (reset_after && *reset_after > password.changed_at);
  }
};

// The live leases of an account as one workstation sees them
// (Service::ViewLeases): its own, and the other holders.
struct LeaseView {
  std::optional<Lease> here;
  std::vector<std::string> elsewhere;  // Workstation names, sorted.
};

// The state leases are checked against and admin reads list, swapped in
// with each published roster (Service).
struct StateSnapshot {
  State state;
  std::unordered_map<std::string, const EmployeeRecord*> by_account;
  std::optional<common::UnixSeconds> next_due;  // NextDue(state).
};
// O(employees): built before taking the lock it is swapped in under.
std::shared_ptr<const StateSnapshot> BuildStateSnapshot(const State& state);

// A workstation's last contact, as the Service batches it for the store.
struct ContactRecord {
  common::UnixSeconds when = 0;
  std::optional<std::uint64_t> serial;
  std::string agent_version;
};

}  // namespace staffgate::central

#endif  // STAFFGATE_CENTRAL_SERVICE_TYPES_H_
