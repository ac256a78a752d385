// Signing in and out of the console, and the password change a one-time
// password forces (docs/design.md §11). The password work hashes
// (argon2id), so it runs as deferred work on the hashing pool; the
// session cookie is new at every sign-in (the one the browser had ends).
#include <openssl/crypto.h>

#include "central/journal/actor.h"
#include "central/ui/cookie.h"
#include "central/ui/handlers.h"
#include "central/ui/page.h"
#include "central/ui/templates.h"

namespace staffgate::central {

namespace {

void Wipe(std::string& secret) { OPENSSL_cleanse(secret.data(), secret.size()); }

ApiResponse SignInPage(int status, const std::string& name, const std::string& error) {
  PageData data = BasePage(std::nullopt, "Sign in");
  data.set("name", name);
  if (!error.empty()) data.set("error", error);
  return Page(status, "sign_in", std::move(data));
}

ApiResponse PasswordPage(int status, const UiContext& context, const ConsoleSession& session,
                         const std::string& error) {
  PageData data = BasePage(session, "Choose your password");
  data.set("form_token", session.form_token);
  data.set("min_length", std::to_string(context.min_password_length));
  if (!error.empty()) data.set("error", error);
  return Page(status, "password", std::move(data));
}

// 303 to the home page with a fresh session for `name`.
ApiResponse StartSession(UiContext& context, const std::string& name, Role role, bool must_change,
                         const std::string& replacing) {
  auto created = context.sessions.Create(name, role, must_change, replacing);
  if (!created) return SignInPage(500, name, "The console could not start a session; try again.");
  ApiResponse r = Redirect(303, "/ui/");
  r.headers.emplace_back("Set-Cookie", SessionCookie(created->id));
  return r;
}

ApiResponse AttemptSignIn(UiContext& context, const std::string& name, const std::string& password,
                          const std::string& address, const std::string& replacing) {
  auto result = context.sign_in.Attempt(name, password, address);
  if (!result) return SignInPage(500, name, "The console could not check the password; try again.");
  using Outcome = SignInResult::Outcome;
  switch (result->outcome) {
    case Outcome::kRefused:
      return SignInPage(403, name, "The name or the password is wrong.");
    case Outcome::kLocked:
      return SignInPage(429, name,
                        "Too many failed sign-ins; try again after " +
                            common::FormatRfc3339(result->retry_at.value_or(0)) + ".");
    case Outcome::kSignedIn:
    case Outcome::kMustChangePassword:
      break;
  }
  return StartSession(context, result->name, result->role,
                      result->outcome == Outcome::kMustChangePassword, replacing);
}

}  // namespace

ApiOutcome UiHome(UiContext& context, const UiRequest& request) {
  if (!request.session) return Answer(SignInPage(200, "", ""));
  if (request.session->must_change_password) {
    return Answer(PasswordPage(200, context, *request.session, ""));
  }
  return Answer(Page(200, "home", BasePage(request.session, "Console")));
}

ApiOutcome UiStyle(UiContext& /*context*/, const UiRequest& /*request*/) {
  ApiResponse r;
  r.content_type = "text/css; charset=utf-8";
  r.body = std::string(TemplateText("style.css").value_or(""));
  return Answer(std::move(r));
}

ApiOutcome UiSignIn(UiContext& context, const UiRequest& request) {
  std::string name = FormValue(request.form, "name");
  std::string password = FormValue(request.form, "password");
  if (name.empty() || password.empty()) {
    return Answer(SignInPage(400, name, "Enter your name and your password."));
  }
  ApiOutcome out;
  out.deferred = [&context, name, password, address = request.http.remote,
                  replacing = request.session_id]() mutable {
    ApiResponse r = AttemptSignIn(context, name, password, address, replacing);
    Wipe(password);
    return r;
  };
  return out;
}

ApiOutcome UiChangePassword(UiContext& context, const UiRequest& request) {
  const ConsoleSession& session = *request.session;
  std::string current = FormValue(request.form, "current_password");
  std::string next = FormValue(request.form, "new_password");
  if (next != FormValue(request.form, "new_password_again")) {
    return Answer(PasswordPage(400, context, session, "The two new passwords differ."));
  }
  ApiOutcome out;
  out.deferred = [&context, session, current, next, id = request.session_id,
                  actor = Actor{session.name, request.http.remote, session.role}]() mutable {
    ActorScope scope(actor);  // The journal records the change as this administrator's.
    auto changed = context.sign_in.ChangePassword(session.name, current, next, actor.from);
    Wipe(current);
    Wipe(next);
    if (!changed) {
      const int status = changed.error().kind == common::ErrorKind::kInvalidInput ? 400 : 403;
      return PasswordPage(status, context, session, Sentence(changed.error().message));
    }
    context.sessions.EndAllOf(session.name);  // Every other session ends with the old password.
    return StartSession(context, session.name, session.role, false, id);
  };
  return out;
}

ApiOutcome UiSignOut(UiContext& context, const UiRequest& request) {
  // The route has checked the form token when there is a session
  // (Access::kSignOut). The cookie goes either way, also when no live
  // session was found for it (lapsed, or the shared table did not answer).
  // A sign-out the keeper did not record is said, not hidden: the session
  // would live on until it lapses.
  const bool recorded = request.session_id.empty() || context.sessions.End(request.session_id);
  ApiResponse r = recorded ? Redirect(303, "/ui/")
                           : MessagePage(503, std::nullopt, "Sign-out not recorded",
                                         "This browser is signed out, but the central could not "
                                         "record the sign-out: the session ends when it has been "
                                         "idle for its time limit. Tell IT if this persists.");
  r.headers.emplace_back("Set-Cookie", ClearedSessionCookie());
  return Answer(std::move(r));
}

}  // namespace staffgate::central
