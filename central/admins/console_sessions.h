// The console's signed-in sessions (docs/design.md §11): a random id for the
// __Host-sg_session cookie (only its SHA-256 is kept, so a memory dump or
// log of the table cannot be replayed), a per-session form token against
// cross-site requests, an idle timeout (30 min) and an absolute one (10 h).
// Every sign-in gets a fresh id (Create, replacing the one the browser
// had), so a session id planted before sign-in is worthless after it.
//
// Kept in memory, not in the store: sessions live hours at most, a restart
// signing everyone out is safe and rare, and no session secret ever
// reaches the disk or a backup. Several centrals behind one address
// (docs/design.md §12) would need them shared; that is for later.
//
// Thread-safe; the clock must outlive it.
#ifndef STAFFGATE_CENTRAL_ADMINS_CONSOLE_SESSIONS_H_
#define STAFFGATE_CENTRAL_ADMINS_CONSOLE_SESSIONS_H_

#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "central/admins/role.h"
#include "common/result.h"
#include "common/time_util.h"

namespace staffgate::central {

struct SessionLimits {
  common::UnixSeconds idle_s = 30L * 60;
  common::UnixSeconds absolute_s = 10L * 3600;
  std::size_t max_sessions = 10000;  // Over it, the oldest is ended.
};

struct ConsoleSession {
  std::string name;
  Role role = Role::kAuditor;
  std::string form_token;  // 64 hex characters; compare with FormTokenMatches.
  common::UnixSeconds created_at = 0, last_seen = 0;
  // Signed in with a one-time password: only the password change page.
  bool must_change_password = false;
};

struct NewConsoleSession {
  std::string id;  // The cookie value (64 hex characters); shown once.
  ConsoleSession session;
};

class ConsoleSessions {
 public:
  ConsoleSessions(const common::Clock& clock, SessionLimits limits);

  // A new session for `name`; the session the browser brought
  // (`replacing`, a cookie value, may be empty) ends. Errors: kInternal
  // (no randomness).
  common::Result<NewConsoleSession> Create(const std::string& name, Role role,
                                           bool must_change_password, const std::string& replacing);
  // The live session of cookie value `id`, its last_seen moved to now; an
  // unknown, idle or too old one is nullopt (and forgotten).
  std::optional<ConsoleSession> Find(const std::string& id);
  // Whether `token` is the session's form token (constant time).
  static bool FormTokenMatches(const ConsoleSession& session, const std::string& token);
  // The password was changed: the session may use every page.
  void PasswordChanged(const std::string& id);
  // Sign-out. Unknown ids are ignored.
  void End(const std::string& id);
  // Ends every session of `name` (removed, or given a new password).
  void EndAllOf(const std::string& name);
  std::size_t Size() const;

 private:
  bool Expired(const ConsoleSession& session, common::UnixSeconds now) const;
  const common::Clock& clock_;
  SessionLimits limits_;
  mutable std::mutex mu_;
  std::map<std::string, ConsoleSession> by_hash_;  // SHA-256 of the id -> session.
};

}  // namespace staffgate::central

#endif  // STAFFGATE_CENTRAL_ADMINS_CONSOLE_SESSIONS_H_
