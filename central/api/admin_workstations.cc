// /v1/admin/workstations: GET lists (with last contact and served serial),
// POST {"name","groups"} registers one and answers its token, shown once.
#include "central/api/admin.h"

namespace staffgate::central {

using common::Json;

namespace {

Json WorkstationJson(const WorkstationRecord& w) {
  Json obj = {{"name", w.name},
              {"groups", w.groups},
              {"agent_version", w.agent_version},
              {"created_at", common::FormatRfc3339(w.created_at)}};
  obj["last_contact"] =
      w.last_contact ? Json(common::FormatRfc3339(*w.last_contact)) : Json(nullptr);
  obj["last_serial"] = w.last_serial ? Json(*w.last_serial) : Json(nullptr);
  return obj;
}

}  // namespace

ApiResponse AdminWorkstations(const AdminContext& context, const AdminRequest& request) {
  if (request.http.method == "GET") {
    Json list = Json::array();
    for (const WorkstationRecord& w : context.service.Workstations())
      list.push_back(WorkstationJson(w));
    return JsonAnswer(200, Json{{"workstations", list}});
  }
  if (request.http.method != "POST") return MethodNotAllowed(request);
  auto body = BodyObject(request.http);
  if (!body) return ErrorResponse(body.error());
  auto name = common::GetString(*body, "name");
  if (!name) return ErrorResponse(name.error());
  auto groups = StringList(*body, "groups");
  if (!groups) return ErrorResponse(groups.error());
  auto token = context.service.AddWorkstation(*name, *groups);
  if (!token) return ErrorResponse(token.error());
  return Changed(context, 201, Json{{"name", *name}, {"token", *token}});
}

}  // namespace staffgate::central
