// Session leases (docs/design.md §6): the workstation endpoints (Api) and
// the admin resource (AdminSessions).
//   POST   /v1/sessions        {"account":"asmith"} -> 201 new lease, 200 the
//                               caller's own live lease renewed, 409 in use
//   GET    /v1/sessions?account=NAME -> 200 {"account","here":{lease}|null,
//                               "elsewhere":[workstations]}: changes nothing
//   PUT    /v1/sessions/{id}   (empty body or {}) -> 200 renewed
//   DELETE /v1/sessions/{id}   -> 204
//   GET    /v1/admin/sessions  -> [{"id","account","workstation",
//                                   "acquired_at","renewed_at","expires_at"}]
//   DELETE /v1/admin/sessions/{id} -> 204
//   POST   /v1/admin/sessions/end {"id"?,"account"?,"workstation"?} -> 200
//                               {"ended":[...]}: every live lease matching all
//                               the members given (none, or a blank one: 400;
//                               no match: 404)
// A lease answer is {"id","account","workstation","expires_at","ttl_s"}.
// Unknown or lapsed ids: 404; another workstation's lease: 403; a lease an
// administrator ended: 410 {"error":"lease_ended"} (its sessions must end).
#include <algorithm>

#include "central/api/admin.h"
#include "common/json_util.h"

namespace staffgate::central {

using common::Json;

namespace {

constexpr std::size_t kLeaseIdChars = 32;

bool IsLeaseId(std::string_view id) {
  if (id.size() != kLeaseIdChars) return false;
  return std::ranges::all_of(
      id, [](char ch) { return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'); });
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
  Json item{{"id", lease.id},
            {"account", lease.account},
            {"workstation", lease.workstation},
            {"acquired_at", common::FormatRfc3339(lease.acquired_at)},
            {"renewed_at", common::FormatRfc3339(lease.renewed_at)}};
  if (lease.ended_at != 0) {
    item["ended_at"] = common::FormatRfc3339(lease.ended_at);
  } else {
    item["expires_at"] = common::FormatRfc3339(lease.expires_at);
  }
  return item;
}

ApiResponse LeaseEnded(const Lease& lease) {
  return JsonError(410, "lease_ended",
                   "the session lease of " + lease.account + " on " + lease.workstation +
                       " was ended by an administrator at " +
                       common::FormatRfc3339(lease.ended_at));
}

// The body of POST /v1/admin/sessions/end: only id, account and
// workstation, each a string when present (a blank one is refused later,
// naming it).
common::Result<LeaseSelector> ParseSelector(const ApiRequest& http) {
  auto body = BodyObject(http);
  if (!body) return tl::unexpected(body.error());
  LeaseSelector selector;
  for (const auto& [key, value] : body->items()) {
    std::optional<std::string>* field = key == "id"            ? &selector.id
                                        : key == "account"     ? &selector.account
                                        : key == "workstation" ? &selector.workstation
                                                               : nullptr;
    if (field == nullptr) {
      return common::Fail(common::ErrorKind::kInvalidInput,
                          "unknown key '" + key.substr(0, 40) + "' (id, account, workstation)");
    }
    if (!value.is_string()) {
      return common::Fail(common::ErrorKind::kInvalidInput, "'" + key + "' must be a string");
    }
    *field = value.get<std::string>();
  }
  return selector;
}

// Empty, or a JSON object with no members (PUT /v1/sessions/{id}).
bool IsEmptyBody(const std::string& body) {
  if (body.find_first_not_of(" \t\r\n") == std::string::npos) return true;
  auto parsed = common::ParseJson(body, common::JsonLimits{body.size() + 1, 4});
  return parsed && parsed->is_object() && parsed->empty();
}

}  // namespace

namespace {

ApiResponse ViewLeases(Service& service, const ApiRequest& req, const std::string& workstation) {
  const auto q = req.target.find('?');
  const std::string account =
      q == std::string::npos ? std::string() : QueryParam(req.target.substr(q + 1), "account");
  if (account.empty()) return JsonError(400, "invalid_input", "say which account: ?account=NAME");
  auto view = service.ViewLeases(account, workstation);
  if (!view) return ErrorResponse(view.error());
  Json here = nullptr;
  if (view->here) {
    here =
        Json{{"id", view->here->id}, {"expires_at", common::FormatRfc3339(view->here->expires_at)}};
  }
  return JsonAnswer(200,
                    Json{{"account", account}, {"here", here}, {"elsewhere", view->elsewhere}});
}

}  // namespace

ApiResponse Api::Sessions(const ApiRequest& req, const std::string& path,
                          const std::string& workstation) {
  auto wrong_method = [&] {
    return JsonError(405, "method_not_allowed", req.method + " is not allowed on " + path);
  };
  if (path == "/v1/sessions") {
    if (req.method == "GET") return ViewLeases(service_, req, workstation);
    if (req.method != "POST") return wrong_method();
    auto body = common::ParseJson(req.body, common::JsonLimits{req.body.size() + 1, 4});
    if (!body) return JsonError(400, "invalid_input", "body: " + body.error().message);
    if (!body->is_object())
      return JsonError(400, "invalid_input", "body must be a JSON object {\"account\": NAME}");
    for (const auto& [key, value] : body->items()) {
      if (key != "account")
        return JsonError(400, "invalid_input", "unknown key '" + key.substr(0, 40) + "'");
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
    if (!IsEmptyBody(req.body))
      return JsonError(400, "invalid_input", "a renewal takes an empty body or {}");
    auto renewed = service_.RenewLease(id, workstation);
    if (!renewed) return ErrorResponse(renewed.error());
    if (renewed->ended_at != 0) return LeaseEnded(*renewed);
    ++metrics_.leases_renewed;
    return JsonAnswer(200, LeaseAnswer(*renewed, service_.LeaseTtl()));
  }
  if (req.method == "DELETE") {
    auto released = service_.ReleaseLease(id, workstation);
    if (!released) return ErrorResponse(released.error());
    if (released->ended_at != 0) return LeaseEnded(*released);
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
  if (request.items.size() > 1) return JsonError(404, "not_found", "no such endpoint");
  if (request.items[0] == "end") {
    if (request.http.method != "POST") return MethodNotAllowed(request);
    auto selector = ParseSelector(request.http);
    if (!selector) return ErrorResponse(selector.error());
    auto ended = context.service.EndLeases(*selector);
    if (!ended) return ErrorResponse(ended.error());
    context.metrics.leases_ended_by_admin += ended->size();
    Json list = Json::array();
    for (const Lease& lease : *ended) list.push_back(LeaseListItem(lease));
    return JsonAnswer(200, Json{{"ended", list}});
  }
  if (request.http.method != "DELETE") return MethodNotAllowed(request);
  const std::string& id = request.items[0];
  if (!IsLeaseId(id)) return NoLease(id);
  auto ended = context.service.EndLeases(LeaseSelector{id, std::nullopt, std::nullopt});
  if (!ended) return ErrorResponse(ended.error());
  context.metrics.leases_ended_by_admin += ended->size();
  return NoContent();
}

}  // namespace staffgate::central
