// GET /v1/admin/status: the published serial and its validity, counts of
// employees and workstations, long-polls waiting.
#include "central/api/admin.h"

namespace staffgate::central {

using common::Json;

ApiResponse AdminStatus(const AdminContext& context, const AdminRequest& request) {
  if (request.http.method != "GET") return MethodNotAllowed(request);
  auto current = context.service.Current();
  return JsonAnswer(200, Json{{"serial", current->serial},
                              {"issued_at", common::FormatRfc3339(current->issued_at)},
                              {"expires_at", common::FormatRfc3339(current->expires_at)},
                              {"employees", context.service.Employees().size()},
                              {"workstations", context.service.Workstations().size()},
                              {"long_polls_waiting", context.hub.Size()}});
}

}  // namespace staffgate::central
