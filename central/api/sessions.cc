// Session leases (docs/design.md §6): the workstation endpoints (Api) and
// the admin resource (AdminSessions).
//   POST   /v1/sessions        {"account":"asmith"} -> 201 new lease, 200 the
//                               caller's own live lease renewed, 409 in use
//   PUT    /v1/sessions/{id}   (empty body or {}) -> 200 renewed
//   DELETE /v1/sessions/{id}   -> 204
//   GET    /v1/admin/sessions  -> [{"id","account","workstation",
//                                   "acquired_at","renewed_at","expires_at"}]
//   DELETE /v1/admin/sessions/{id} -> 204
// A lease answer is {"id","account","workstation","expires_at","ttl_s"}.
// Unknown or lapsed ids: 404; another workstation's lease: 403.
#include "central/api/admin.h"
#include "common/json_util.h"

namespace staffgate::central {

using common::Json;

namespace {

constexpr std::size_t kLeaseIdChars = 32;

bool IsLeaseId(std::string_view id) {
  if (id.size() != kLeaseIdChars) return false;
  for (char ch : id) {
    if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'))) return false;
  }
  return true;
}

ApiResponse NoContent() {
  ApiResponse r;
  r.status = 204;
  r.content_type.clear();
  return r;
}

ApiResponse NoLease(const std::string& id) {
  return JsonError(404, "not_found", "no live session lease with id '" + id.substr(0, 64) + "'");
}

Json LeaseAnswer(const Lease& lease, common::UnixSeconds ttl_s) {
  return Json{{"id", lease.id},
              {"account", lease.account},
              {"workstation", lease.workstation},
              {"expires_at", common::FormatRfc3339(lease.expires_at)},
              {"ttl_s", ttl_s}};
}

Json LeaseListItem(const Lease& lease) {
  return Json{{"id", lease.id},
              {"account", lease.account},
              {"workstation", lease.workstation},
              {"acquired_at", common::FormatRfc3339(lease.acquired_at)},
              {"renewed_at", common::FormatRfc3339(lease.renewed_at)},
              {"expires_at", common::FormatRfc3339(lease.expires_at)}};
}

// Empty, or a JSON object with no members (PUT /v1/sessions/{id}).
bool IsEmptyBody(const std::string& body) {
  if (body.find_first_not_of(" \t\r\n") == std::string::npos) return true;
  auto parsed = common::ParseJson(body, common::JsonLimits{body.size() + 1, 4});
  return parsed && parsed->is_object() && parsed->empty();
}

}  // namespace

ApiResponse Api::Sessions(const ApiRequest& req, const std::string& path, const std::string& workstation) {
  auto wrong_method = [&] { return JsonError(405, "method_not_allowed", req.method + " is not allowed on " + path); };
  if (path == "/v1/sessions") {
    if (req.method != "POST") return wrong_method();
    auto body = common::ParseJson(req.body, common::JsonLimits{req.body.size() + 1, 4});
    if (!body) return JsonError(400, "invalid_input", "body: " + body.error().message);
    if (!body->is_object()) return JsonError(400, "invalid_input", "body must be a JSON object {\"account\": NAME}");
    for (const auto& [key, value] : body->items()) {
      if (key != "account") return JsonError(400, "invalid_input", "unknown key '" + key.substr(0, 40) + "'");
    }
    auto account = common::GetString(*body, "account");
    if (!account) return ErrorResponse(account.error());
    auto outcome = service_.AcquireLease(*account, workstation);
    if (!outcome) return ErrorResponse(outcome.error());
    switch (outcome->kind) {
      case AcquireKind::kCreated:
        ++metrics_.leases_acquired;
        return JsonAnswer(201, LeaseAnswer(outcome->lease, service_.LeaseTtl()));
      case AcquireKind::kRenewed:
        ++metrics_.leases_renewed;
        return JsonAnswer(200, LeaseAnswer(outcome->lease, service_.LeaseTtl()));
      case AcquireKind::kRefused:
        ++metrics_.leases_refused;
        return JsonAnswer(409, Json{{"error", "in_use_elsewhere"},
                                    {"message", *account + " is signed in on " + outcome->holder},
                                    {"workstation", outcome->holder}});
    }
    return JsonError(500, "internal", "unexpected lease outcome");
  }
  const std::string id = path.substr(std::string("/v1/sessions/").size());
  if (!IsLeaseId(id)) return NoLease(id);
  if (req.method == "PUT") {
    if (!IsEmptyBody(req.body)) return JsonError(400, "invalid_input", "a renewal takes an empty body or {}");
    auto renewed = service_.RenewLease(id, workstation);
    if (!renewed) return ErrorResponse(renewed.error());
    ++metrics_.leases_renewed;
    return JsonAnswer(200, LeaseAnswer(*renewed, service_.LeaseTtl()));
  }
  if (req.method == "DELETE") {
    auto released = service_.ReleaseLease(id, workstation);
    if (!released) return ErrorResponse(released.error());
    ++metrics_.leases_released;
    return NoContent();
  }
  return wrong_method();
}

ApiResponse AdminSessions(const AdminContext& context, const AdminRequest& request) {
  if (request.items.empty()) {
    if (request.http.method != "GET") return MethodNotAllowed(request);
    auto leases = context.service.Leases();
    if (!leases) return ErrorResponse(leases.error());
    Json list = Json::array();
    for (const Lease& lease : *leases) list.push_back(LeaseListItem(lease));
    return JsonAnswer(200, list);
  }
  if (request.http.method != "DELETE") return MethodNotAllowed(request);
  if (request.items.size() > 1) return JsonError(404, "not_found", "no such endpoint");
  const std::string& id = request.items[0];
  if (!IsLeaseId(id)) return NoLease(id);
  auto ended = context.service.EndLease(id);
  if (!ended) return ErrorResponse(ended.error());
  ++context.metrics.leases_ended_by_admin;
  return NoContent();
}

}  // namespace staffgate::central
