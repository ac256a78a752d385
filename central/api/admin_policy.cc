// /v1/admin/policy: GET, and PUT (or POST) {"max_workstations_per_account": N},
// N in 0..1000 (0 = unlimited).
#include "central/api/admin.h"

namespace staffgate::central {

using common::Json;

namespace {

constexpr std::uint64_t kMaxWorkstationsPerAccount = 1000;

}  // namespace

ApiResponse AdminPolicy(const AdminContext& context, const AdminRequest& request) {
  const std::string& method = request.http.method;
  if (method == "GET") {
    return JsonAnswer(
        200, Json{{"max_workstations_per_account", context.service.MaxWorkstationsPerAccount()}});
  }
  if (method != "PUT" && method != "POST") return MethodNotAllowed(request);
  auto body = BodyObject(request.http);
  if (!body) return ErrorResponse(body.error());
  auto max = common::GetUint(*body, "max_workstations_per_account");
  if (!max) return ErrorResponse(max.error());
  if (*max > kMaxWorkstationsPerAccount) {
    return JsonError(400, "invalid_input", "max_workstations_per_account must be 0..1000");
  }
  if (auto ok = context.service.SetMaxWorkstationsPerAccount(static_cast<std::uint32_t>(*max));
      !ok) {
    return ErrorResponse(ok.error());
  }
  return Changed(context, 200, Json{{"max_workstations_per_account", *max}});
}

}  // namespace staffgate::central
