#include "central/ui/console.h"

#include "central/admins/shared_console_sessions.h"

namespace staffgate::central {

common::Result<std::unique_ptr<Console>> Console::Create(Service& service,
                                                         const common::Clock& clock,
                                                         const ConsoleOptions& options) {
  auto sign_in = SignIn::Create(service, clock, options.sign_in, options.argon2);
  if (!sign_in) return tl::unexpected(sign_in.error());
  std::unique_ptr<ConsoleSessions> sessions;
  if (options.shared_database.empty()) {
    sessions = std::make_unique<MemoryConsoleSessions>(clock, options.sessions);
  } else {
    auto shared = SharedConsoleSessions::Open(options.shared_database, clock, options.sessions);
    if (!shared) return tl::unexpected(shared.error());
    sessions = std::move(*shared);
  }
  return std::unique_ptr<Console>(
      new Console(service, options, std::move(sessions), std::move(*sign_in)));
}

Console::Console(Service& service, const ConsoleOptions& options,
                 std::unique_ptr<ConsoleSessions> sessions, std::unique_ptr<SignIn> sign_in)
    : service_(service),
      sessions_(std::move(sessions)),
      sign_in_(std::move(sign_in)),
      context_{service, *sessions_, *sign_in_, options.sign_in.min_password_length} {}

bool Console::Serves(std::string_view path) {
  return path == "/" || path == "/ui" || path.substr(0, 4) == "/ui/";
}

std::optional<ConsoleSession> Console::LiveSession(const std::string& id) {
  std::optional<ConsoleSession> session = sessions_->Find(id);
  if (!session) return std::nullopt;
  std::optional<AdminRecord> admin = service_.FindAdmin(session->name);
  // Removed, or a new password (reset by someone else, or changed in
  // another session) since this session began: it ends.
  if (!admin || admin->password_changed_at > session->created_at ||
      (admin->must_change_password && !session->must_change_password)) {
    // Refused here whatever the keeper says: this check runs on every use.
    (void)sessions_->End(id);
    return std::nullopt;
  }
  session->role = admin->role;
  return session;
}

}  // namespace staffgate::central
