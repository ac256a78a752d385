// The console's route table and the checks every request passes before its
// handler (docs/design.md §11): the session, a forced password change, the
// role's permission, and for anything but GET the same origin and the
// session's form token. A refusal is a 403 page in plain words, and
// nothing has changed.
#include <openssl/crypto.h>

#include <array>

#include "central/api/admin.h"
#include "central/journal/actor.h"
#include "central/ui/console.h"
#include "central/ui/cookie.h"
#include "central/ui/page.h"
#include "central/ui/same_origin.h"

namespace staffgate::central {

namespace {

enum class Access {
  kPublic,          // Signed out too (the handler looks at the session itself).
  kSignOut,         // Signed out too; with a session, its form token is checked.
  kPasswordChange,  // Any live session, also one that must change its password.
  kSignedIn,        // A session past its password change, with `permission`.
};

struct UiRoute {
  std::string_view method;
  std::string_view pattern;  // Segments after /ui/; '*' matches one segment.
  UiHandler handler;
  Access access;
  Permission permission;
};

constexpr Permission kRead = Permission::kReadFleet;
constexpr std::array kUiRoutes = {
    UiRoute{"GET", "", UiHome, Access::kPublic, kRead},
    UiRoute{"GET", "style.css", UiStyle, Access::kPublic, kRead},
    UiRoute{"POST", "sign-in", UiSignIn, Access::kPublic, kRead},
    UiRoute{"POST", "password", UiChangePassword, Access::kPasswordChange, kRead},
    // A browser whose session cannot be found (lapsed, or the shared table
    // unreachable) still gets its cookie cleared.
    UiRoute{"POST", "sign-out", UiSignOut, Access::kSignOut, kRead},
    UiRoute{"GET", "employees", UiEmployees, Access::kSignedIn, kRead},
    UiRoute{"POST", "employees", UiAddEmployee, Access::kSignedIn, Permission::kChangeEmployees},
    UiRoute{"GET", "employees/*", UiEmployee, Access::kSignedIn, kRead},
    UiRoute{"GET", "employees/*/confirm", UiConfirmStatus, Access::kSignedIn,
            Permission::kChangeEmployees},
    UiRoute{"GET", "employees/*/report", UiLeaverReport, Access::kSignedIn,
            Permission::kReadReports},
    UiRoute{"GET", "employees/*/report.csv", UiLeaverReportFile, Access::kSignedIn,
            Permission::kReadReports},
    UiRoute{"GET", "employees/*/report.json", UiLeaverReportFile, Access::kSignedIn,
            Permission::kReadReports},
    UiRoute{"GET", "employees/*/report.txt", UiLeaverReportFile, Access::kSignedIn,
            Permission::kReadReports},
    UiRoute{"POST", "employees/*/status", UiSetStatus, Access::kSignedIn,
            Permission::kChangeEmployees},
    UiRoute{"POST", "employees/*/edit", UiEditEmployee, Access::kSignedIn,
            Permission::kChangeEmployees},
    UiRoute{"POST", "employees/*/*", UiEmployeeAction, Access::kSignedIn,
            Permission::kChangeEmployees},
    UiRoute{"GET", "import", UiImportForm, Access::kSignedIn, Permission::kChangeEmployees},
    UiRoute{"POST", "import", UiImport, Access::kSignedIn, Permission::kChangeEmployees},
    UiRoute{"GET", "rollout", UiRollout, Access::kSignedIn, kRead},
    UiRoute{"GET", "workstations", UiWorkstations, Access::kSignedIn, kRead},
    UiRoute{"POST", "workstations", UiAddWorkstation, Access::kSignedIn,
            Permission::kManageWorkstations},
    UiRoute{"GET", "sessions", UiSessions, Access::kSignedIn, kRead},
    UiRoute{"POST", "sessions/*/end", UiEndSession, Access::kSignedIn, Permission::kManageSessions},
    UiRoute{"GET", "admins", UiAdmins, Access::kSignedIn, Permission::kManageAdmins},
    UiRoute{"POST", "admins", UiAddAdmin, Access::kSignedIn, Permission::kManageAdmins},
    UiRoute{"POST", "admins/*/reset-password", UiResetAdmin, Access::kSignedIn,
            Permission::kManageAdmins},
    UiRoute{"POST", "admins/*/remove", UiRemoveAdmin, Access::kSignedIn, Permission::kManageAdmins},
    UiRoute{"GET", "events", UiEvents, Access::kSignedIn, Permission::kReadEvents},
    UiRoute{"GET", "events.csv", UiEventsCsv, Access::kSignedIn, Permission::kReadEvents},
};

bool Matches(std::string_view pattern, const std::vector<std::string>& items) {
  std::size_t i = 0;
  std::size_t pos = 0;
  while (true) {
    const std::size_t slash = pattern.find('/', pos);
    const std::string_view part =
        pattern.substr(pos, slash == std::string_view::npos ? std::string_view::npos : slash - pos);
    if (i >= items.size()) return false;
    if (part == "*" ? items[i].empty() : items[i] != part) return false;
    ++i;
    if (slash == std::string_view::npos) return i == items.size();
    pos = slash + 1;
  }
}

// The segments after "/ui/", decoded: "/ui/" is {""}.
std::vector<std::string> Items(std::string_view path) {
  std::vector<std::string> out;
  for (std::string_view segment : PathSegments(path.substr(4))) out.push_back(UrlDecode(segment));
  return out;
}

ApiResponse Refused(const UiRequest& request, const std::string& sentence) {
  return MessagePage(403, request.session, "Not allowed", sentence + " Nothing was changed.");
}

// The checks of `route` for `request`; nullopt when the handler may run.
std::optional<ApiResponse> Check(const UiRoute& route, const UiRequest& request) {
  const bool unsafe = request.http.method != "GET";
  if (unsafe &&
      !SameOriginRequest(request.http.origin, request.http.sec_fetch_site, request.http.host)) {
    return Refused(request, "This form was not sent from the console's own pages.");
  }
  if (route.access == Access::kPublic) return std::nullopt;
  if (!request.session) {
    if (route.access == Access::kSignOut) return std::nullopt;
    if (!unsafe) return Redirect(303, "/ui/");
    return Refused(request, "You are signed out; sign in again.");
  }
  if (unsafe &&
      !ConsoleSessions::FormTokenMatches(*request.session, FormValue(request.form, "form_token"))) {
    return Refused(request, "This form has expired or did not come from the console.");
  }
  if (route.access == Access::kPasswordChange || route.access == Access::kSignOut) {
    return std::nullopt;
  }
  if (request.session->must_change_password) {
    if (!unsafe) return Redirect(303, "/ui/");
    return Refused(request, "Change your one-time password first.");
  }
  if (!Allowed(request.session->role, route.permission)) {
    return Refused(request, "The " + std::string(RoleName(request.session->role)) +
                                " role may not " + std::string(PermissionName(route.permission)) +
                                ".");
  }
  return std::nullopt;
}

ApiOutcome WithHeaders(ApiOutcome outcome) {
  AddSecurityHeaders(outcome.response);
  if (outcome.deferred) {
    outcome.deferred = [inner = std::move(outcome.deferred)] {
      ApiResponse r = inner();
      AddSecurityHeaders(r);
      return r;
    };
  }
  return outcome;
}

}  // namespace

ApiOutcome Console::Handle(const ApiRequest& http) {
  std::string path = http.target;
  std::string query;
  if (auto q = path.find('?'); q != std::string::npos) {
    query = path.substr(q + 1);
    path.resize(q);
  }
  if (path == "/" || path == "/ui") return WithHeaders(Answer(Redirect(302, "/ui/")));
  UiRequest request{http, query, Items(path), {}, std::nullopt, {}};
  request.session_id = CookieValue(http.cookie, kSessionCookieName);
  request.session = LiveSession(request.session_id);
  const UiRoute* route = nullptr;
  bool path_known = false;
  for (const UiRoute& candidate : kUiRoutes) {
    if (!Matches(candidate.pattern, request.items)) continue;
    path_known = true;
    if (candidate.method == http.method && route == nullptr) route = &candidate;  // First wins.
  }
  if (route == nullptr) {
    return WithHeaders(Answer(
        MessagePage(path_known ? 405 : 404, request.session, "Not found",
                    path_known ? "This page cannot be used that way." : "There is no such page.")));
  }
  if (http.method != "GET") request.form = ParseForm(http.body);
  if (auto refusal = Check(*route, request)) return WithHeaders(Answer(std::move(*refusal)));
  ApiOutcome outcome;
  if (!request.session) {
    outcome = route->handler(context_, request);
  } else {
    // Every change a handler makes is journalled as this administrator's.
    ActorScope actor(Actor{request.session->name, http.remote, request.session->role});
    outcome = route->handler(context_, request);
  }
  // Passwords do not linger in freed memory (deferred work has its copies).
  for (auto& [name, value] : request.form) OPENSSL_cleanse(value.data(), value.size());
  // A signed-in administrator's connection is kept like a token holder's.
  outcome.authenticated = request.session.has_value();
  return WithHeaders(std::move(outcome));
}

}  // namespace staffgate::central
