// /v1/admin/posix-groups (docs/design.md §9):
//   GET    /v1/admin/posix-groups         -> {"posix_groups": [{"name","gid","roles"}]}
//                                             (gid null: the workstation's local group)
//   POST   /v1/admin/posix-groups         {"name","roles":[...],"gid":N?,"local":bool?} -> 201
//   DELETE /v1/admin/posix-groups/{name}  -> 200 {"removed": name}
#include <cstdint>
#include <optional>

#include "central/api/admin.h"
#include "central/posix_ids.h"

namespace staffgate::central {

using common::ErrorKind;
using common::Json;
using common::Result;

namespace {

Json PosixGroupJson(const PosixGroup& g) {
  return Json{{"name", g.name}, {"gid", g.gid ? Json(*g.gid) : Json(nullptr)}, {"roles", g.roles}};
}

struct PosixGroupBody {
  std::string name;
  std::optional<std::uint32_t> gid;
  bool local = false;
  std::vector<std::string> roles;
};

Result<PosixGroupBody> ParsePosixGroupBody(const ApiRequest& http) {
  auto body = BodyObject(http);
  if (!body) return tl::unexpected(body.error());
  PosixGroupBody out;
  auto name = common::GetString(*body, "name");
  if (!name) return tl::unexpected(name.error());
  out.name = *name;
  if (auto gid = body->find("gid"); gid != body->end() && !gid->is_null()) {
    if (!gid->is_number_unsigned() || gid->get<std::uint64_t>() > kMaxPosixId) {
      return common::Fail(ErrorKind::kInvalidInput, "'gid' must be a number from " +
                                                        std::to_string(kMinPosixId) + " to " +
                                                        std::to_string(kMaxPosixId));
    }
    out.gid = gid->get<std::uint32_t>();
  }
  if (auto local = body->find("local"); local != body->end() && !local->is_null()) {
    if (!local->is_boolean())
      return common::Fail(ErrorKind::kInvalidInput, "'local' must be true or false");
    out.local = local->get<bool>();
  }
  auto roles = body->find("roles");
  if (roles == body->end() || !roles->is_array()) {
    return common::Fail(ErrorKind::kInvalidInput, "'roles' must be an array of role names");
  }
  for (const Json& role : *roles) {
    if (!role.is_string())
      return common::Fail(ErrorKind::kInvalidInput, "'roles' must be an array of role names");
    out.roles.push_back(role.get<std::string>());
  }
  return out;
}

ApiResponse List(const AdminContext& context) {
  Json list = Json::array();
  for (const PosixGroup& g : context.service.PosixGroups()) list.push_back(PosixGroupJson(g));
  return JsonAnswer(200, Json{{"posix_groups", list}});
}

ApiResponse Add(const AdminContext& context, const AdminRequest& request) {
  auto body = ParsePosixGroupBody(request.http);
  if (!body) return ErrorResponse(body.error());
  auto added = context.service.AddPosixGroup(body->name, body->gid, body->local, body->roles);
  if (!added) return ErrorResponse(added.error());
  return Changed(context, 201, Json{{"posix_group", PosixGroupJson(*added)}});
}

// DELETE /v1/admin/posix-groups/{name}.
ApiResponse Remove(const AdminContext& context, const AdminRequest& request) {
  if (request.http.method != "DELETE") return MethodNotAllowed(request);
  if (request.items.size() > 1) return JsonError(404, "not_found", "no such endpoint");
  const std::string& name = request.items[0];
  if (auto ok = context.service.RemovePosixGroup(name); !ok) return ErrorResponse(ok.error());
  return Changed(context, 200, Json{{"removed", name}});
}

}  // namespace

ApiResponse AdminPosixGroups(const AdminContext& context, const AdminRequest& request) {
  if (!request.items.empty()) return Remove(context, request);
  if (request.http.method == "GET") return List(context);
  if (request.http.method == "POST") return Add(context, request);
  return MethodNotAllowed(request);
}

}  // namespace staffgate::central
