// /v1/admin/admins (docs/design.md §11): GET lists; POST {"name","role"}
// adds one (201, with its one-time password, shown this once); DELETE
// /v1/admin/admins/{name} removes one; POST
// /v1/admin/admins/{name}/reset-password gives a new one-time password.
#include "central/api/admin.h"

namespace staffgate::central {

using common::Json;

namespace {

ApiResponse List(const AdminContext& context) {
  Json list = Json::array();
  for (const AdminRecord& admin : context.service.Admins()) list.push_back(AdminJson(admin));
  return JsonAnswer(200, Json{{"admins", list}});
}

// The answer carrying a fresh one-time password: never cached.
ApiResponse WithPassword(const AdminContext& context, int status, const std::string& name,
                         const std::string& password) {
  ++context.metrics.admin_changes;
  auto admin = context.service.FindAdmin(name);
  Json body = {{"admin", admin ? AdminJson(*admin) : Json{{"name", name}}}, {"password", password}};
  ApiResponse r = JsonAnswer(status, body);
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

ApiResponse Add(const AdminContext& context, const AdminRequest& request) {
  auto body = BodyObject(request.http);
  if (!body) return ErrorResponse(body.error());
  auto name = common::GetString(*body, "name");
  if (!name) return ErrorResponse(name.error());
  auto role_text = common::GetOptionalString(*body, "role");
  if (!role_text) return ErrorResponse(role_text.error());
  auto role = ParseRole(role_text->value_or(""));
  if (!role) return ErrorResponse(role.error());
  auto password = context.service.AddAdmin(*name, *role);
  if (!password) return ErrorResponse(password.error());
  return WithPassword(context, 201, *name, *password);
}

// /v1/admin/admins/{name}[/reset-password].
ApiResponse Act(const AdminContext& context, const AdminRequest& request) {
  const std::string& name = request.items[0];
  if (request.items.size() == 1) {
    if (request.http.method != "DELETE") return MethodNotAllowed(request);
    auto removed = context.service.RemoveAdmin(name);
    if (!removed) return ErrorResponse(removed.error());
    ++context.metrics.admin_changes;
    return JsonAnswer(200, Json{{"removed", name}});
  }
  if (request.items.size() != 2 || request.items[1] != "reset-password") {
    return JsonError(404, "not_found", "no such endpoint");
  }
  if (request.http.method != "POST") return MethodNotAllowed(request);
  auto password = context.service.ResetAdminPassword(name);
  if (!password) return ErrorResponse(password.error());
  return WithPassword(context, 200, name, *password);
}

}  // namespace

ApiResponse AdminAdmins(const AdminContext& context, const AdminRequest& request) {
  if (!request.items.empty()) return Act(context, request);
  if (request.http.method == "GET") return List(context);
  if (request.http.method == "POST") return Add(context, request);
  return MethodNotAllowed(request);
}

}  // namespace staffgate::central
