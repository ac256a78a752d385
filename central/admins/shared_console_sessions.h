// The console's sessions in the PostgreSQL database several centrals share
// (docs/design.md §12): a browser signed in through one central stays
// signed in when the next request reaches another, and a sign-out or an
// administrator's removal anywhere ends the session everywhere. The table
// (console_sessions, migration 12) holds what MemoryConsoleSessions keeps:
// the id's SHA-256, never the id or the form token.
//
// last_seen is written at most once a minute per session (and at least
// every thirtieth of the idle timeout), so a busy page costs one read; a
// session may therefore lapse that much before its idle timeout. A
// database that cannot be asked signs the browser out (Find is nullopt)
// and refuses a sign-in; it never lets one in.
//
// Thread-safe: one statement at a time on the keeper's own connection.
#ifndef STAFFGATE_CENTRAL_ADMINS_SHARED_CONSOLE_SESSIONS_H_
#define STAFFGATE_CENTRAL_ADMINS_SHARED_CONSOLE_SESSIONS_H_

#include <memory>
#include <mutex>
#include <string>

#include "central/admins/console_sessions.h"
#include "central/database.h"

namespace staffgate::central {

class SharedConsoleSessions : public ConsoleSessions {
 public:
  // Opens a connection of its own to `uri` (the schema is the Store's to
  // make). Errors: as OpenDatabase.
  static common::Result<std::unique_ptr<SharedConsoleSessions>> Open(const std::string& uri,
                                                                     const common::Clock& clock,
                                                                     SessionLimits limits);
  // Writes of last_seen are at most this far apart.
  static constexpr common::UnixSeconds kTouchEvery = 60;

  void EndAllOf(const std::string& name) override;
  std::size_t Size() override;

 private:
  SharedConsoleSessions(std::unique_ptr<Database> db, const common::Clock& clock,
                        SessionLimits limits)
      : ConsoleSessions(clock, limits), db_(std::move(db)) {}
  // One transaction, relaxed: a session lost to a power cut of the
  // database host is a sign-in again, never an access.
  common::Result<void> Keep(const std::string& hash, const ConsoleSession& session,
                            const std::string& replacing, common::UnixSeconds now) override;
  std::optional<ConsoleSession> Load(const std::string& hash, common::UnixSeconds now) override;
  common::Result<void> Forget(const std::string& hash) override;
  // Removes lapsed rows and, at the cap, the oldest; mu_ held, in a
  // transaction.
  common::Result<void> MakeRoomLocked(common::UnixSeconds now);
  common::Result<std::optional<ConsoleSession>> LoadLocked(const std::string& hash,
                                                           common::UnixSeconds now);
  // Deletes the row of `hash`; mu_ held. Outside a transaction it is
  // synced (a sign-out must hold).
  common::Result<void> ForgetLocked(const std::string& hash);

  std::mutex mu_;  // Guards db_.
  std::unique_ptr<Database> db_;
};

}  // namespace staffgate::central

#endif  // STAFFGATE_CENTRAL_ADMINS_SHARED_CONSOLE_SESSIONS_H_
