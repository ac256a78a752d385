// Administrators' sign-in to the console (docs/design.md §11), free of
// HTTP so the console only renders what it decides.
//
// A name and password are checked with argon2id against the account's hash;
// an unknown name is checked against a dummy hash of the same cost, so the
// answer's time does not tell which names exist. Failures count per account
// (kept with the account in the store, so a restart does not reset them;
// unknown names count in memory alike) and per remote address (memory):
// too many within the window lock that account or address for a while,
// during which even the right password is refused. A one-time password
// signs in only to change it (kMustChangePassword).
//
// Thread-safe. The Service and clock must outlive the SignIn. Each Attempt
// and ChangePassword hashes once or twice (tens of ms): call them off the
// network threads.
#ifndef STAFFGATE_CENTRAL_ADMINS_SIGN_IN_H_
#define STAFFGATE_CENTRAL_ADMINS_SIGN_IN_H_

#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "central/admins/role.h"
#include "central/auth/argon2_hash.h"
#include "central/auth/lockout.h"
#include "central/service.h"
#include "common/result.h"
#include "common/time_util.h"

namespace staffgate::central {

struct SignInPolicy {
  LockoutPolicy account{5, 900, 900};   // 5 failures in 15 min: locked 15 min.
  LockoutPolicy address{20, 900, 900};  // Per remote address, over all names.
  std::size_t min_password_length = 12;
};

struct SignInResult {
  enum class Outcome {
    kSignedIn,
    kMustChangePassword,  // Right one-time password: only a change is allowed.
    kRefused,             // Wrong name or password (never says which).
    kLocked,              // Account or address locked; retry_at says until when.
  } outcome = Outcome::kRefused;
  std::string name;
  Role role = Role::kAuditor;
  std::optional<common::UnixSeconds> retry_at;
};

class SignIn {
 public:
  // Hashes the dummy password once. Errors: kInternal (no randomness).
  static common::Result<std::unique_ptr<SignIn>> Create(Service& service,
                                                        const common::Clock& clock,
                                                        SignInPolicy policy, Argon2Params params);

  // One sign-in attempt from `address`. Errors: kIo (counters not saved).
  common::Result<SignInResult> Attempt(const std::string& name, const std::string& password,
                                       const std::string& address);
  // A new password for `name`, checked against the current one (same
  // limits as Attempt) and the password policy. Errors: kForbidden (wrong
  // current password or locked), kInvalidInput (policy's sentence; the
  // same password again), kIo.
  common::Result<void> ChangePassword(const std::string& name, const std::string& current,
                                      const std::string& next, const std::string& address);

 private:
  SignIn(Service& service, const common::Clock& clock, SignInPolicy policy, Argon2Params params,
         std::string dummy_hash);
  // Counts one failure of `name` from `address` at `now`.
  common::Result<void> Fail(const std::optional<AdminRecord>& admin, const std::string& name,
                            const std::string& address, common::UnixSeconds now);
  static std::optional<common::UnixSeconds> LockedUntil(const LockoutState& state,
                                                        common::UnixSeconds now,
                                                        const LockoutPolicy& policy);

  Service& service_;
  const common::Clock& clock_;
  SignInPolicy policy_;
  Argon2Params params_;
  std::string dummy_hash_;
  std::mutex mu_;  // Guards the two maps.
  std::map<std::string, LockoutState> addresses_;
  std::map<std::string, LockoutState> unknown_names_;
};

}  // namespace staffgate::central

#endif  // STAFFGATE_CENTRAL_ADMINS_SIGN_IN_H_
