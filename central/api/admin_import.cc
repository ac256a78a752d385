// POST /v1/admin/import: an HR CSV body (employee_id,name,accounts,status,
// groups), applied whole or not at all.
#include "central/api/admin.h"

namespace staffgate::central {

using common::Json;

ApiResponse AdminImport(const AdminContext& context, const AdminRequest& request) {
  if (request.http.method != "POST") return MethodNotAllowed(request);
  auto report = context.service.Import(request.http.body);
  if (!report) return ErrorResponse(report.error());
  return Changed(context, 200,
                 Json{{"added", report->added},
                      {"changed", report->changed},
                      {"unchanged", report->unchanged}});
}

}  // namespace staffgate::central
