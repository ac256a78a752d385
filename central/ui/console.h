// The HR console (docs/design.md §11): server-rendered pages under /ui/ on
// the central's HTTPS port, for administrators signed in with their own
// accounts (admins/). Free of HTTP like the Api: it answers ApiRequests,
// and sign-in and password changes (argon2id) come back as deferred work
// for the hashing pool.
//
// The console never looks at an Authorization header (the admin token is
// for the CLI), and /v1/admin never looks at its cookie.
//
// Thread-safe. The Service and clock must outlive the Console.
#ifndef STAFFGATE_CENTRAL_UI_CONSOLE_H_
#define STAFFGATE_CENTRAL_UI_CONSOLE_H_

#include <memory>
#include <string>
#include <string_view>

#include "central/admins/console_sessions.h"
#include "central/admins/sign_in.h"
#include "central/api/api.h"
#include "central/service.h"
#include "central/ui/handlers.h"

namespace staffgate::central {

struct ConsoleOptions {
  SessionLimits sessions;  // central.conf console_idle_timeout_s, console_absolute_timeout_s.
  // A PostgreSQL URI: sessions kept there, shared with the other centrals
  // (docs/design.md §12); empty: in memory.
  std::string shared_database;
  SignInPolicy sign_in;
  Argon2Params argon2;  // The administrators' password hashes.
};

class Console {
 public:
  // Errors: kInternal (no randomness for the sign-in's dummy hash), and
  // OpenDatabase's for `shared_database`.
  static common::Result<std::unique_ptr<Console>> Create(Service& service,
                                                         const common::Clock& clock,
                                                         const ConsoleOptions& options);
  // Whether `path` (without the query) is the console's: "/" and /ui...
  static bool Serves(std::string_view path);
  // Answers one request to a path Serves (ui_routes.cc).
  ApiOutcome Handle(const ApiRequest& request);

 private:
  Console(Service& service, const ConsoleOptions& options,
          std::unique_ptr<ConsoleSessions> sessions, std::unique_ptr<SignIn> sign_in);
  // The cookie's live session, dropped when its administrator was removed
  // or given a new password since it began; the role is the current one.
  std::optional<ConsoleSession> LiveSession(const std::string& id);

  Service& service_;
  std::unique_ptr<ConsoleSessions> sessions_;
  std::unique_ptr<SignIn> sign_in_;
  UiContext context_;
};

}  // namespace staffgate::central

#endif  // STAFFGATE_CENTRAL_UI_CONSOLE_H_
