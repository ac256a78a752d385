// /v1/admin/shared-accounts: GET lists, POST {"name"} adds (201); DELETE
// /v1/admin/shared-accounts/{name} removes one.
#include "central/api/admin.h"

namespace staffgate::central {

using common::Json;

ApiResponse AdminSharedAccounts(const AdminContext& context, const AdminRequest& request) {
  const std::string& method = request.http.method;
  if (!request.items.empty()) {
    if (method != "DELETE") return MethodNotAllowed(request);
    if (request.items.size() > 1) return JsonError(404, "not_found", "no such endpoint");
    const std::string& name = request.items[0];
    if (auto ok = context.service.RemoveShared(name); !ok) return ErrorResponse(ok.error());
    return Changed(context, 200, Json{{"removed", name}});
  }
  if (method == "GET")
    return JsonAnswer(200, Json{{"shared_accounts", context.service.SharedAccounts()}});
  if (method != "POST") return MethodNotAllowed(request);
  auto body = BodyObject(request.http);
  if (!body) return ErrorResponse(body.error());
  auto name = common::GetString(*body, "name");
  if (!name) return ErrorResponse(name.error());
  if (auto ok = context.service.AddShared(*name); !ok) return ErrorResponse(ok.error());
  return Changed(context, 201, Json{{"name", *name}});
}

}  // namespace staffgate::central
