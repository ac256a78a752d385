// Offline staffgate passwords (docs/design.md §10): after an online
// success the agent keeps an argon2id verifier of the password, so the
// person can still sign in while the central is unreachable, for
// `offline_credentials_days` and never past the roster's expiry.
//
// One file per account, <state_dir>/credentials/<account>, mode 0600 in a
// 0700 directory of the agent's (created on first use; a symlink or a
// directory someone else may write is refused), written atomically and read
// with O_NOFOLLOW. The file holds the argon2id string, its times and the
// offline failures since the last success; never the password.
//
// A verifier is deleted when its employee is no longer active (or no
// longer in the roster), when the roster's credentials_changed_at moves
// past it (the password changed elsewhere), when it expires, and after
// kMaxOfflineFailures wrong passwords.
//
// Threads: every method is thread-safe; hashing runs outside the lock.
#ifndef STAFFGATE_AGENT_AUTH_OFFLINE_VERIFIERS_H_
#define STAFFGATE_AGENT_AUTH_OFFLINE_VERIFIERS_H_

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>

#include "common/log.h"
#include "common/result.h"
#include "common/roster.h"
#include "common/time_util.h"

namespace staffgate::agent {

// argon2id cost: 8 MiB, 3 passes, 1 lane. About the cost of Debian's
// default yescrypt check on the same machine (bench/offline_signin.py), so
// an offline sign-in costs what a pam_unix one does; the password pool's
// bound (socket_server.h) caps the memory at a few times 8 MiB.
inline constexpr std::uint32_t kVerifierMemoryKiB = 8 * 1024;
inline constexpr std::uint32_t kVerifierPasses = 3;
// The central's lockout_failures default.
inline constexpr int kMaxOfflineFailures = 10;

struct VerifierRecord {
  std::string hash;  // argon2id encoded string ($argon2id$v=19$...).
  common::UnixSeconds created_at = 0;
  common::UnixSeconds expires_at = 0;
  // The roster's credentials_changed_at when it was made (absent: none).
  std::optional<common::UnixSeconds> changed_at;
  int failures = 0;  // Offline failures since it was made.
};

// Pure: whether `record` may still be used for `employee` (null: the
// account is in no employee's name) at `now`.
bool VerifierStillValid(const VerifierRecord& record, const common::Employee* employee,
                        common::UnixSeconds now);

class OfflineVerifiers {
 public:
  enum class Check {
    kNone,      // No usable verifier (none, expired, or no longer valid: deleted).
    kMatch,     // The password is right; the failure count is reset.
    kMismatch,  // Wrong; counted.
    kUsedUp,    // Wrong, and that was the last allowed failure: deleted.
  };

  OfflineVerifiers(std::string dir, const common::Clock& clock, common::LogFn log);

  // Keeps a verifier of `password` for `account`, valid until `expires_at`.
  // Errors: kInvalidInput (an account name unfit for a file name), kIo.
  common::Result<void> Save(const std::string& account, const std::string& password,
                            common::UnixSeconds expires_at,
                            std::optional<common::UnixSeconds> changed_at);
  // Checks `password` against the verifier of `account`, if one is still
  // valid for `employee` (see VerifierStillValid).
  Check Verify(const std::string& account, const std::string& password,
               const common::Employee* employee);
  void Remove(const std::string& account);
  // Deletes every verifier `roster` no longer allows. Returns the number
  // deleted.
  std::size_t Prune(const common::Roster& roster);

 private:
  std::string PathOf(const std::string& account) const;
  common::Result<void> EnsureDir();
  std::optional<VerifierRecord> Load(const std::string& account);
  common::Result<void> Store(const std::string& account, const VerifierRecord& record);
  void RemoveLocked(const std::string& account, const char* why);

  const std::string dir_;
  const common::Clock& clock_;
  common::LogFn log_;
  std::mutex mu_;  // Serialises file changes.
};

// The record as the file holds it, and back. Parse errors: kInvalidInput.
std::string SerializeVerifier(const VerifierRecord& record);
common::Result<VerifierRecord> ParseVerifier(const std::string& text);

}  // namespace staffgate::agent

#endif  // STAFFGATE_AGENT_AUTH_OFFLINE_VERIFIERS_H_
