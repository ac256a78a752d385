// The /v1/admin route table: one line per resource, with the permission
// (admins/role.h) reading and changing it takes.
#include <array>

#include "central/api/admin.h"
#include "central/journal/actor.h"

namespace staffgate::central {

namespace {

// Reading is GET; anything else changes (docs/design.md §11 roles).
constexpr Permission kRead = Permission::kReadFleet;
constexpr std::array kAdminRoutes = {
    AdminRoute{"employees", AdminEmployees, true, kRead, Permission::kChangeEmployees},
    AdminRoute{"shared-accounts", AdminSharedAccounts, true, kRead, Permission::kManageShared},
    AdminRoute{"workstations", AdminWorkstations, true, kRead, Permission::kManageWorkstations},
    AdminRoute{"import", AdminImport, false, Permission::kChangeEmployees,
               Permission::kChangeEmployees},
    AdminRoute{"policy", AdminPolicy, false, kRead, Permission::kManagePolicy},
    AdminRoute{"events", AdminEvents, false, Permission::kReadEvents, Permission::kReadEvents},
    AdminRoute{"sessions", AdminSessions, true, kRead, Permission::kManageSessions},
    AdminRoute{"status", AdminStatus, false, kRead, kRead},
    AdminRoute{"posix-groups", AdminPosixGroups, true, kRead, Permission::kManageWorkstations},
    AdminRoute{"rollout", AdminRollout, false, kRead, kRead},
    AdminRoute{"admins", AdminAdmins, true, Permission::kManageAdmins, Permission::kManageAdmins},
    AdminRoute{"actions", AdminActions, false, Permission::kReadJournal, Permission::kReadJournal},
    AdminRoute{"reports", AdminReports, true, Permission::kReadReports, Permission::kReadReports},
};

}  // namespace

bool IsHashingAdminRequest(const std::string& method,
                           const std::vector<std::string_view>& segments) {
  return method == "POST" && !segments.empty() && segments[0] == "admins";
}

std::vector<std::string_view> PathSegments(std::string_view path) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (true) {
    std::size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) {
      out.push_back(path.substr(start));
      return out;
    }
    out.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
}

ApiResponse DispatchAdmin(const AdminContext& context, const ApiRequest& http,
                          const std::string& path, const std::string& query,
                          const std::vector<std::string_view>& segments) {
  for (const AdminRoute& route : kAdminRoutes) {
    if (segments.empty() || segments[0] != route.resource) continue;
    if (segments.size() > 1 && !route.has_items) break;
    // The caller's role (journal/actor.h); no actor in scope: refused.
    const Actor* actor = CurrentActor();
    const Permission needed = http.method == "GET" ? route.read : route.write;
    if (actor == nullptr || !Allowed(actor->role, needed)) {
      return JsonError(403, "forbidden",
                       "the " + std::string(actor ? RoleName(actor->role) : "anonymous") +
                           " role may not " + std::string(PermissionName(needed)));
    }
    AdminRequest request{http, path, query, {}};
    for (std::size_t i = 1; i < segments.size(); ++i)
      request.items.push_back(UrlDecode(segments[i]));
    return route.handler(context, request);
  }
  return JsonError(404, "not_found", "no such admin endpoint");
}

}  // namespace staffgate::central
