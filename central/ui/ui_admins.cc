// Administrators in the console (owner only, docs/design.md §11): the
// list, adding one and giving one a new one-time password (both shown once;
// hashed as deferred work on the hashing pool), and removing one, whose
// console sessions end at once.
#include "central/journal/actor.h"
#include "central/ui/handlers.h"
#include "central/ui/page.h"
#include "common/url_encode.h"

namespace staffgate::central {

namespace {

ApiResponse AdminsPage(UiContext& context, const std::optional<ConsoleSession>& session, int status,
                       const std::string& error) {
  PageData data = BasePage(session, "Administrators");
  PageList rows;
  for (const AdminRecord& admin : context.service.Admins()) {
    PageData row;
    row.set("name", admin.name);
    row.set("role", std::string(RoleName(admin.role)));
    row.set("state", admin.lockout.locked_until
                         ? "locked until " + common::FormatRfc3339(*admin.lockout.locked_until)
                     : admin.must_change_password ? std::string("one-time password not yet changed")
                                                  : std::string("active"));
    row.set("href", "/ui/admins/" + common::UrlEncode(admin.name));
    rows.push_back(row);
  }
  data.set("admins", rows);
  if (!error.empty()) data.set("error", error);
  return Page(status, "admins", std::move(data));
}

ApiResponse PasswordShown(const std::optional<ConsoleSession>& session, const std::string& name,
                          const std::string& password, const std::string& what) {
  PageData data = BasePage(session, "One-time password");
  data.set("sentence", what);
  data.set("name", name);
  data.set("password", password);
  return Page(200, "admin_password", std::move(data));
}

}  // namespace

ApiOutcome UiAdmins(UiContext& context, const UiRequest& request) {
  return Answer(AdminsPage(context, request.session, 200, ""));
}

ApiOutcome UiAddAdmin(UiContext& context, const UiRequest& request) {
  const std::string name = FormValue(request.form, "name");
  auto role = ParseRole(FormValue(request.form, "role"));
  if (!role)
    return Answer(AdminsPage(context, request.session, 400, Sentence(role.error().message)));
  ApiOutcome out;
  out.deferred = [&context, session = request.session, name, role = *role,
                  actor =
                      Actor{request.session->name, request.http.remote, request.session->role}] {
    ActorScope scope(actor);
    auto password = context.service.AddAdmin(name, role);
    if (!password) {
      return AdminsPage(context, session, 400, Sentence(password.error().message));
    }
    return PasswordShown(session, name, *password,
                         name + " is an administrator (" + std::string(RoleName(role)) +
                             "). Give them this one-time password; they choose their own at "
                             "the first sign-in. It is shown only now.");
  };
  return out;
}

ApiOutcome UiResetAdmin(UiContext& context, const UiRequest& request) {
  ApiOutcome out;
  out.deferred = [&context, session = request.session, name = request.items[1],
                  actor =
                      Actor{request.session->name, request.http.remote, request.session->role}] {
    ActorScope scope(actor);
    auto password = context.service.ResetAdminPassword(name);
    if (!password) return AdminsPage(context, session, 404, Sentence(password.error().message));
    context.sessions.EndAllOf(name);
    return PasswordShown(session, name, *password,
                         name +
                             " has a new one-time password and is signed out everywhere. It "
                             "is shown only now.");
  };
  return out;
}

ApiOutcome UiRemoveAdmin(UiContext& context, const UiRequest& request) {
  const std::string& name = request.items[1];
  auto removed = context.service.RemoveAdmin(name);
  if (!removed) {
    return Answer(AdminsPage(context, request.session, 404, Sentence(removed.error().message)));
  }
  context.sessions.EndAllOf(name);
  return Answer(MessagePage(200, request.session, "Administrators",
                            name + " is no longer an administrator and is signed out.",
                            "/ui/admins"));
}

}  // namespace staffgate::central
