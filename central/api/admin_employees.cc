// /v1/admin/employees: GET lists, POST {"id","name","accounts","groups",
// "posix"} adds (201; "posix": {"asmith": {"uid": 1005}} adopts uids);
// POST /v1/admin/employees/{id}/terminate|suspend|reinstate|
// reset-credentials changes one.
#include <cstdint>
#include <map>

#include "central/api/admin.h"
#include "central/posix_ids.h"

namespace staffgate::central {

using common::ErrorKind;
using common::Json;

namespace {

Json EmployeeJson(const EmployeeRecord& e) {
  Json obj = {{"id", e.id},
              {"name", e.name},
              {"status", common::EmployeeStatusName(e.status)},
              {"accounts", e.accounts},
              {"groups", e.groups}};
  if (e.credentials_reset_after) {
    obj["credentials_reset_after"] = common::FormatRfc3339(*e.credentials_reset_after);
  }
  Json posix = Json::object();
  for (const auto& [account, uid] : e.uids) posix[account] = {{"uid", uid}};
  obj["posix"] = std::move(posix);
  return obj;
}

// {"asmith": {"uid": 1005}}: uids to adopt (absent or null: none).
common::Result<std::map<std::string, std::uint32_t>> RequestedUids(const Json& obj) {
  std::map<std::string, std::uint32_t> out;
  auto it = obj.find("posix");
  if (it == obj.end() || it->is_null()) return out;
  const char* const kShape = R"('posix' must look like {"asmith": {"uid": 1005}})";
  if (!it->is_object()) return common::Fail(ErrorKind::kInvalidInput, kShape);
  for (const auto& [account, entry] : it->items()) {
    auto uid = entry.is_object() ? entry.find("uid") : entry.end();
    if (uid == entry.end() || !uid->is_number_unsigned() ||
        uid->get<std::uint64_t>() > kMaxPosixId) {
      return common::Fail(ErrorKind::kInvalidInput,
                          kShape + std::string(" with a uid up to ") + std::to_string(kMaxPosixId));
    }
    out[account] = uid->get<std::uint32_t>();
  }
  return out;
}

common::Result<EmployeeRecord> EmployeeFromBody(const ApiRequest& http) {
  auto body = BodyObject(http);
  if (!body) return tl::unexpected(body.error());
  EmployeeRecord e;
  auto id = common::GetString(*body, "id");
  if (!id) return tl::unexpected(id.error());
  e.id = *id;
  auto name = common::GetOptionalString(*body, "name");
  if (!name) return tl::unexpected(name.error());
  e.name = name->value_or("");
  auto accounts = StringList(*body, "accounts");
  if (!accounts) return tl::unexpected(accounts.error());
  e.accounts = *accounts;
  auto groups = StringList(*body, "groups");
  if (!groups) return tl::unexpected(groups.error());
  if (!groups->empty()) e.groups = *groups;  // Else the record's default.
  auto uids = RequestedUids(*body);
  if (!uids) return tl::unexpected(uids.error());
  e.uids = std::move(*uids);
  return e;
}

ApiResponse List(const AdminContext& context) {
  Json list = Json::array();
  for (const EmployeeRecord& e : context.service.Employees()) list.push_back(EmployeeJson(e));
  return JsonAnswer(200, Json{{"employees", list}});
}

ApiResponse Add(const AdminContext& context, const AdminRequest& request) {
  auto employee = EmployeeFromBody(request.http);
  if (!employee) return ErrorResponse(employee.error());
  auto added = context.service.AddEmployee(*employee);
  if (!added) return ErrorResponse(added.error());
  return Changed(context, 201, Json{{"employee", EmployeeJson(*added)}});
}

// POST /v1/admin/employees/{id}/{action}.
ApiResponse Act(const AdminContext& context, const AdminRequest& request) {
  if (request.items.size() < 2) return JsonError(404, "not_found", "no such endpoint");
  if (request.http.method != "POST") return MethodNotAllowed(request);
  if (request.items.size() > 2) return JsonError(404, "not_found", "no such endpoint");
  const std::string& id = request.items[0];
  const std::string& action = request.items[1];
  Service& service = context.service;
  common::Result<EmployeeRecord> done = common::Fail(ErrorKind::kNotFound, "no such action");
  if (action == "terminate")
    done = service.SetStatus(id, common::EmployeeStatus::kTerminated);
  else if (action == "suspend")
    done = service.SetStatus(id, common::EmployeeStatus::kSuspended);
  else if (action == "reinstate")
    done = service.SetStatus(id, common::EmployeeStatus::kActive);
  else if (action == "reset-credentials")
    done = service.ResetCredentials(id);
  else if (action == "clear-credentials-reset")
    done = service.ClearCredentialsReset(id);
  else
    return JsonError(404, "not_found", "unknown employee action '" + action.substr(0, 40) + "'");
  if (!done) return ErrorResponse(done.error());
  return Changed(context, 200, Json{{"employee", EmployeeJson(*done)}});
}

}  // namespace

ApiResponse AdminEmployees(const AdminContext& context, const AdminRequest& request) {
  if (!request.items.empty()) return Act(context, request);
  if (request.http.method == "GET") return List(context);
  if (request.http.method == "POST") return Add(context, request);
  return MethodNotAllowed(request);
}

}  // namespace staffgate::central
