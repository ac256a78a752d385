// Staffgate passwords in the agent (docs/design.md §10): the authenticate
// and chauthtok ops after the caller rules, given the roster's verdict for
// the account. Sockets, caller rules and audit stay in Service; this is
// the password logic alone, with the central, the offline verifiers, the
// local failure limit and the clock injected.
//
// authenticate:
//  - the roster decides first: an account the roster does not name (or
//    ignores) is not_managed (pam_unix's business); a denied one (terminated,
//    suspended, not permitted here, shared, no roster...) is refused with
//    that reason, even with the right password, online or offline, and its
//    password is never sent anywhere;
//  - past the local failure limit: locked_out, without asking anyone;
//  - the central's answer: ok -> allow (or reset_required when roster row
//    10 says so), and an offline verifier is kept; reset_required,
//    bad_credentials, locked_out, not_managed as they are;
//  - only when the central cannot be reached: the offline verifier.
// chauthtok: the same roster rule, then the central (never offline).
//
// Deadlines: a sign-in waits at most kVerifyDeadlineMs for the central
// (inside the module's default 2 s, leaving time for the offline check);
// for kUnreachableMemoryS after the central last failed to answer, only
// kRetryDeadlineMs, so an unplugged cable does not make every offline
// sign-in wait the full deadline.
//
// Threads: thread-safe (runs on the socket's password pool).
#ifndef STAFFGATE_AGENT_AUTH_PASSWORD_SERVICE_H_
#define STAFFGATE_AGENT_AUTH_PASSWORD_SERVICE_H_

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "agent/auth/central_auth.h"
#include "agent/auth/failure_limiter.h"
#include "agent/auth/offline_verifiers.h"
#include "agent/decision.h"
#include "common/log.h"
#include "common/protocol.h"
#include "common/roster.h"

namespace staffgate::agent {

inline constexpr int kVerifyDeadlineMs = 1400;
inline constexpr int kRetryDeadlineMs = 300;
inline constexpr common::UnixSeconds kUnreachableMemoryS = 30;
inline constexpr int kChangeDeadlineMs = 1800;

struct PasswordDeps {
  const common::Clock* clock = nullptr;
  OfflineVerifiers* verifiers = nullptr;
  FailureLimiter* limiter = nullptr;
  // The central to ask; null when none is configured (then every check
  // is offline and no change is possible).
  std::function<std::shared_ptr<CentralAuth>()> central;
  common::LogFn log;
};

// The answer to send, and what the audit event says about it.
struct PasswordAnswer {
  common::Response response;
  std::string decision;  // allow, deny, ignore, reset_required; for chauthtok: changed, refused.
  std::string reason;    // The reason or error word.
  std::string how;       // online, offline, roster, local_limit, unavailable.
};

class PasswordService {
 public:
  explicit PasswordService(PasswordDeps deps);

  // `verdict` is Decide()'s in the auth phase; `roster` the roster it used
  // (may be null); `offline_days` the config's offline_credentials_days.
  PasswordAnswer Authenticate(const common::AuthenticateRequest& request, const Verdict& verdict,
                              const common::Roster* roster, int offline_days);
  PasswordAnswer Chauthtok(const common::ChauthtokRequest& request, const Verdict& verdict);
  // A new roster is in force: deletes the verifiers it no longer allows.
  void RosterChanged(const common::Roster& roster);

 private:
  PasswordAnswer Online(const common::AuthenticateRequest& request, const Verdict& verdict,
                        const common::Roster* roster, int offline_days,
                        common::VerifyResult result);
  PasswordAnswer Offline(const common::AuthenticateRequest& request, const Verdict& verdict,
                         const common::Roster* roster);
  void KeepVerifier(const common::AuthenticateRequest& request, const common::Roster* roster,
                    int offline_days);

  PasswordDeps deps_;
  // When the central last failed to answer a verify (0: it answered).
  std::atomic<common::UnixSeconds> unreachable_at_{0};
};

}  // namespace staffgate::agent

#endif  // STAFFGATE_AGENT_AUTH_PASSWORD_SERVICE_H_
