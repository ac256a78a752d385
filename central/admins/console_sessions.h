// The console's signed-in sessions (docs/design.md §11): a random id for the
// __Host-sg_session cookie (only its SHA-256 is kept, so a dump or log of
// the table cannot be replayed), a per-session form token against
// cross-site requests (derived from the id, so no table keeps it either),
// an idle timeout (30 min) and an absolute one (10 h). Every sign-in gets a
// fresh id (Create, replacing the one the browser had), so a session id
// planted before sign-in is worthless after it.
//
// Two keepers: MemoryConsoleSessions (one central: sessions live hours at
// most, a restart signing everyone out is safe and rare, nothing reaches
// the disk), and on PostgreSQL SharedConsoleSessions
// (shared_console_sessions.h), so a browser sent to any central of the
// group stays signed in (docs/design.md §12).
//
// Implementations are thread-safe; the clock must outlive them.
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
  virtual ~ConsoleSessions() = default;

  // A new session for `name`; the session the browser brought
  // (`replacing`, a cookie value, may be empty) ends. Errors: kInternal
  // (no randomness), and the keeper's (kIo: its database).
  common::Result<NewConsoleSession> Create(const std::string& name, Role role,
                                           bool must_change_password, const std::string& replacing);
  // The live session of cookie value `id`, its last_seen moved to now; an
  // unknown, idle or too old one is nullopt (and forgotten), and so is any
  // session while its keeper cannot be asked (signed out, never let in).
  std::optional<ConsoleSession> Find(const std::string& id);
  // Sign-out. Unknown ids are ignored (Ok). Errors: the keeper's (its
  // database did not take the delete; the session then lives until it
  // lapses, so the caller must say so).
  common::Result<void> End(const std::string& id);
  // Ends every session of `name` (removed, or given a new password). The
  // console also refuses such sessions by the administrator's record, so a
  // keeper that cannot be asked now does not keep them alive.
  virtual void EndAllOf(const std::string& name) = 0;
  // Live and not yet pruned sessions.
  virtual std::size_t Size() = 0;

  // Whether `token` is the session's form token (constant time).
  static bool FormTokenMatches(const ConsoleSession& session, const std::string& token);
  // The form token of session `id` (64 hex characters).
  static std::string FormTokenOf(const std::string& id);
  // Whether `session` has lapsed at `now` under `limits`.
  static bool Expired(const ConsoleSession& session, common::UnixSeconds now,
                      const SessionLimits& limits);

 protected:
  // `clock` must outlive the keeper.
  ConsoleSessions(const common::Clock& clock, SessionLimits limits)
      : clock_(clock), limits_(limits) {}
  const SessionLimits& limits() const { return limits_; }

  // What each keeper does, by the id's hash (TokenHash), at `now`:
  // Keep stores `session` under `hash` after dropping the session of hash
  // `replacing` (may be empty), the lapsed ones and, at max_sessions, the
  // oldest.
  virtual common::Result<void> Keep(const std::string& hash, const ConsoleSession& session,
                                    const std::string& replacing, common::UnixSeconds now) = 0;
  // The live session under `hash` (form_token left empty), last_seen moved
  // to `now`; nullopt when unknown, lapsed (then dropped) or unaskable.
  virtual std::optional<ConsoleSession> Load(const std::string& hash, common::UnixSeconds now) = 0;
  // Drops the session under `hash`; unknown is Ok. Errors: the database's.
  virtual common::Result<void> Forget(const std::string& hash) = 0;

 private:
  const common::Clock& clock_;
  SessionLimits limits_;
};

// In the central's memory.
class MemoryConsoleSessions : public ConsoleSessions {
 public:
  MemoryConsoleSessions(const common::Clock& clock, SessionLimits limits)
      : ConsoleSessions(clock, limits) {}
  void EndAllOf(const std::string& name) override;
  std::size_t Size() override;

 private:
  common::Result<void> Keep(const std::string& hash, const ConsoleSession& session,
                            const std::string& replacing, common::UnixSeconds now) override;
  std::optional<ConsoleSession> Load(const std::string& hash, common::UnixSeconds now) override;
  common::Result<void> Forget(const std::string& hash) override;

  std::mutex mu_;
  std::map<std::string, ConsoleSession> by_hash_;  // SHA-256 of the id -> session.
};

}  // namespace staffgate::central

#endif  // STAFFGATE_CENTRAL_ADMINS_CONSOLE_SESSIONS_H_
