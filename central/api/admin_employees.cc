// /v1/admin/employees: GET lists, POST {"id","name","accounts","groups",
// "posix","valid_from"} adds (201; "posix": {"asmith": {"uid": 1005}} adopts
// uids; "valid_from": a starter's first moment, RFC 3339);
// POST /v1/admin/employees/{id}/terminate|suspend|reinstate|
// reset-credentials changes one; terminate and suspend take {"at": TIME}
// to schedule (docs/design.md §11); cancel and cancel-start withdraw a
// pending status change or start.
#include <cstdint>
#include <map>
#include <optional>

#include "central/api/admin.h"
#include "central/posix_ids.h"
#include "central/schedule.h"

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
  // Scheduled changes (docs/design.md §11), with the roster's names.
  Json pending = Json::array();
  if (e.pending) {
    obj["valid_until"] = common::FormatRfc3339(e.pending->at);
    pending.push_back({{"change", common::EmployeeStatusName(e.pending->status)},
                       {"at", common::FormatRfc3339(e.pending->at)}});
  }
  if (e.valid_from) {
    obj["valid_from"] = common::FormatRfc3339(*e.valid_from);
    pending.push_back({{"change", "start"}, {"at", common::FormatRfc3339(*e.valid_from)}});
  }
  obj["pending"] = std::move(pending);
  return obj;
}

// An optional RFC 3339 time in the body (`at`, `valid_from`).
common::Result<std::optional<common::UnixSeconds>> OptionalTime(const Json& body, const char* key) {
  auto text = common::GetOptionalString(body, key);
  if (!text) return tl::unexpected(text.error());
  if (!*text) return std::optional<common::UnixSeconds>();
  auto t = common::ParseRfc3339(**text);
  if (!t) {
    return common::Fail(ErrorKind::kInvalidInput, std::string("'") + key +
                                                      "': " + t.error().message +
                                                      " (use RFC 3339, e.g. 2026-12-04T17:30:00Z)");
  }
  return std::optional<common::UnixSeconds>(*t);
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
  auto start = OptionalTime(*body, "valid_from");
  if (!start) return tl::unexpected(start.error());
  e.valid_from = *start;
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
  // terminate and suspend take an optional {"at": RFC 3339} (scheduled).
  std::optional<common::UnixSeconds> at;
  if (action == "terminate" || action == "suspend") {
    auto body =
        request.http.body.empty() ? common::Result<Json>(Json::object()) : BodyObject(request.http);
    if (!body) return ErrorResponse(body.error());
    auto parsed = OptionalTime(*body, "at");
    if (!parsed) return ErrorResponse(parsed.error());
    at = *parsed;
  }
  if (action == "terminate")
    done = service.SetStatus(id, common::EmployeeStatus::kTerminated, at);
  else if (action == "suspend")
    done = service.SetStatus(id, common::EmployeeStatus::kSuspended, at);
  else if (action == "cancel")
    done = service.CancelScheduled(id, PendingKind::kStatus);
  else if (action == "cancel-start")
    done = service.CancelScheduled(id, PendingKind::kStart);
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
