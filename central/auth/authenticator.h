// Staffgate passwords at the central (docs/design.md §10): verify, change,
// admin set-password and unlock, with fleet-wide lockout, libpwquality
// policy, audit events and /metrics counts. The argon2id work runs on a
// bounded WorkPool (Submit), never on the HTTP network threads; the
// methods below block for one or two hashes and are meant to run there.
//
// Unknown accounts, accounts without a staffgate password and accounts
// not permitted on the asking workstation all answer not_managed after
// the same hashing time as a real check (no enumeration by timing), and
// their failures count for nobody. An employee who is not active never
// gets "ok": the answer is bad_credentials whatever the password (the
// event says why). Passwords are never logged, stored, or put in an event
// or error. Thread-safe.
#ifndef STAFFGATE_CENTRAL_AUTH_AUTHENTICATOR_H_
#define STAFFGATE_CENTRAL_AUTH_AUTHENTICATOR_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "central/auth/argon2_hash.h"
#include "central/auth/lockout.h"
#include "central/auth/lockout_ledger.h"
#include "central/auth/password_policy.h"
#include "central/metrics.h"
#include "central/service.h"
#include "central/work_pool.h"
#include "common/auth_api.h"
#include "common/log.h"
#include "common/time_util.h"

namespace staffgate::central {

struct AuthOptions {
  Argon2Params argon2;                             // central.conf argon2_*.
  LockoutPolicy lockout;                           // central.conf lockout_*.
  std::size_t password_min_length = 12;            // central.conf password_min_length.
  std::size_t max_concurrent_hashes = 2;           // central.conf max_concurrent_hashes.
  std::size_t max_hash_queue = 1024;               // central.conf max_hash_queue.
  std::chrono::milliseconds max_hash_wait{10000};  // central.conf max_hash_wait_ms.
  // A PostgreSQL URI other centrals may share: the lockout counters are
  // kept there (SharedLockouts); empty: in memory, written every 2 s.
  std::string shared_database;
};

// A change's answer: `refusal` set means 422 with that body.
struct ChangeOutcome {
  std::optional<common::ChangeRefusal> refusal;
  std::uint64_t serial = 0;  // The roster published by a successful change.
};

struct SetPasswordOutcome {
  std::string generated;  // The one-time password (shown once), else empty.
  std::uint64_t serial = 0;
};

class Authenticator {
 public:
  // Loads the lockout counters and computes the stand-in hash for unknown
  // accounts. `service`, `metrics` and `clock` must outlive it.
  // Errors: kIo, kInternal.
  static common::Result<std::unique_ptr<Authenticator>> Create(Service& service, Metrics& metrics,
                                                               const common::Clock& clock,
                                                               const AuthOptions& options,
                                                               const common::LogFn& log);

  // Runs `job` on the hashing pool (work_pool.h semantics); after
  // StopHashing, refuses it at once. Not concurrent with StopHashing.
  void Submit(WorkPool::Job job);
  int RetryAfterSeconds() const { return retry_after_s_; }
  const WorkPoolStats& pool_stats() const { return pool_->stats(); }
  // Refuses what waits and joins the hashing threads (shutdown, before the
  // Service goes): no job runs after it returns.
  void StopHashing() { pool_.reset(); }

  // POST /v1/auth/verify from `workstation`. Errors (503, nothing
  // recorded): kIo, kUnavailable, when shared lockout counters cannot be
  // read or written.
  common::Result<common::VerifyResult> Verify(const std::string& workstation,
                                              const common::VerifyRequest& request);
  // POST /v1/auth/change from `workstation`. Errors (500/503): kIo,
  // kInternal, kUnavailable (a concurrent change).
  common::Result<ChangeOutcome> Change(const std::string& workstation,
                                       const common::ChangeRequest& request);
  // Admin: sets employee `id`'s password; nullopt generates a one-time
  // password. A chosen password must pass the policy (kInvalidInput with
  // libpwquality's sentence; an empty one is refused). Errors: kNotFound,
  // kInvalidInput, kIo, kInternal.
  common::Result<SetPasswordOutcome> SetPassword(const std::string& id,
                                                 const std::optional<std::string>& password);
  // Admin: clears employee `id`'s failures and lock; true when there was
  // any. Errors: kNotFound, kIo.
  common::Result<bool> Unlock(const std::string& id);
  // Writes changed lockout counters (the server's 2 s timer, and shutdown).
  common::Result<void> FlushLockouts(Service::Flush mode);

  const AuthOptions& options() const { return options_; }

 private:
  Authenticator(Service& service, Metrics& metrics, const common::Clock& clock,
                const AuthOptions& options, const common::LogFn& log);
  // The hashing time of a real check, spent for nothing.
  void SpendHashTime(std::string_view password);
  // The verify decision for a managed account, after the lock check.
  common::Result<common::VerifyResult> CheckManaged(const CredentialLookup& who,
                                                    std::string_view password,
                                                    const std::string& workstation,
                                                    common::Json context);
  void Count(common::VerifyResult result);
  void Audit(const std::string& type, const std::string& account, const std::string& workstation,
             common::Json extra);

  Service& service_;
  Metrics& metrics_;
  const common::Clock& clock_;
  AuthOptions options_;
  PasswordPolicy policy_;
  std::unique_ptr<LockoutLedger> lockouts_;
  std::string stand_in_hash_;  // Of a random password, with the current parameters.
  int retry_after_s_ = 1;
  std::unique_ptr<WorkPool> pool_;
};

}  // namespace staffgate::central

#endif  // STAFFGATE_CENTRAL_AUTH_AUTHENTICATOR_H_
