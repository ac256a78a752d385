// /v1/admin/workstations: GET lists (with last contact, the serial last
// served and the rollout fields: installed serial, rejecting, last error),
// POST {"name","groups"} registers a new one and answers its token, shown
// once. /v1/admin/workstations/NAME: PUT {"groups"} replaces its groups,
// DELETE removes it (its token stops working at once);
// POST /v1/admin/workstations/NAME/token answers a new token.
#include <map>

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

ApiResponse List(const AdminContext& context) {
  const RolloutSummary rollout = context.service.Rollout();
  std::map<std::string, const WorkstationProgress*> progress;
  for (const WorkstationProgress& p : rollout.workstations) progress[p.member.name] = &p;
  Json list = Json::array();
  for (const WorkstationRecord& w : context.service.Workstations()) {
    Json obj = WorkstationJson(w);
    auto it = progress.find(w.name);
    // Registered after the summary was taken: no rollout fields yet.
    if (it != progress.end()) obj.update(RolloutFields(*it->second, rollout.now));
    list.push_back(std::move(obj));
  }
  return JsonAnswer(200, Json{{"workstations", list}});
}

ApiResponse Register(const AdminContext& context, const AdminRequest& request) {
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

// PUT NAME {"groups": [...]}: the key must be there; an empty list (only
// employees with "*" get in) must be written as [] on purpose.
ApiResponse SetGroups(const AdminContext& context, const AdminRequest& request) {
  auto body = BodyObject(request.http);
  if (!body) return ErrorResponse(body.error());
  if (!body->contains("groups")) {
    return JsonError(400, "invalid_input", "'groups' is required");
  }
  auto groups = StringList(*body, "groups");
  if (!groups) return ErrorResponse(groups.error());
  const std::string& name = request.items[0];
  if (auto ok = context.service.SetWorkstationGroups(name, *groups); !ok) {
    return ErrorResponse(ok.error());
  }
  return Changed(context, 200, Json{{"name", name}, {"groups", *groups}});
}

ApiResponse OneWorkstation(const AdminContext& context, const AdminRequest& request) {
  const std::string& name = request.items[0];
  const std::string& method = request.http.method;
  if (request.items.size() == 2 && request.items[1] == "token") {
    if (method != "POST") return MethodNotAllowed(request);
    auto token = context.service.RotateWorkstationToken(name);
    if (!token) return ErrorResponse(token.error());
    return Changed(context, 200, Json{{"name", name}, {"token", *token}});
  }
  if (request.items.size() != 1) return JsonError(404, "not_found", "no such endpoint");
  if (method == "PUT") return SetGroups(context, request);
  if (method != "DELETE") return MethodNotAllowed(request);
  if (auto ok = context.service.RemoveWorkstation(name); !ok) return ErrorResponse(ok.error());
  return Changed(context, 200, Json{{"name", name}, {"removed", true}});
}

}  // namespace

ApiResponse AdminWorkstations(const AdminContext& context, const AdminRequest& request) {
  if (!request.items.empty()) return OneWorkstation(context, request);
  if (request.http.method == "GET") return List(context);
  if (request.http.method != "POST") return MethodNotAllowed(request);
  return Register(context, request);
}

}  // namespace staffgate::central
