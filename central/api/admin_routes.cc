// The /v1/admin route table: one line per resource.
#include <array>

#include "central/api/admin.h"

namespace staffgate::central {

namespace {

constexpr std::array kAdminRoutes = {
    AdminRoute{"employees", AdminEmployees, true},
    AdminRoute{"shared-accounts", AdminSharedAccounts, true},
    AdminRoute{"workstations", AdminWorkstations, true},
    AdminRoute{"import", AdminImport, false},
    AdminRoute{"policy", AdminPolicy, false},
    AdminRoute{"events", AdminEvents, false},
    AdminRoute{"sessions", AdminSessions, true},
    AdminRoute{"status", AdminStatus, false},
    AdminRoute{"posix-groups", AdminPosixGroups, true},
    AdminRoute{"rollout", AdminRollout, false},
};

}  // namespace

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
    AdminRequest request{http, path, query, {}};
    for (std::size_t i = 1; i < segments.size(); ++i)
      request.items.push_back(UrlDecode(segments[i]));
    return route.handler(context, request);
  }
  return JsonError(404, "not_found", "no such admin endpoint");
}

}  // namespace staffgate::central
