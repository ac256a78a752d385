// The /v1/admin resources (docs/design.md §6): one handler per resource,
// picked by a route table (admin_routes.cc) on the path's segments.
//
// Adding a resource: write admin_<resource>.cc with one AdminHandler,
// declare it below and add its line to kAdminRoutes. The handlers know
// nothing about the /v1/admin prefix or the admin token (Api::Handle
// checks it first), so another front end can dispatch to the same table.
#ifndef STAFFGATE_CENTRAL_API_ADMIN_H_
#define STAFFGATE_CENTRAL_API_ADMIN_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "central/admins/role.h"
#include "central/api/api.h"
#include "central/metrics.h"
#include "central/service.h"
#include "central/wait_hub.h"
#include "common/json_util.h"
#include "common/result.h"

namespace staffgate::central {

// What a handler may use; the references outlive every call.
struct AdminContext {
  Service& service;
  Metrics& metrics;
  const WaitHub& hub;
};

// One request to a resource. For /v1/admin/employees/E%201/terminate the
// resource is "employees" and `items` is {"E 1", "terminate"} (each segment
// URL-decoded); for /v1/admin/employees it is empty.
struct AdminRequest {
  const ApiRequest& http;
  std::string path;   // Without the query, for messages.
  std::string query;  // After '?', still encoded.
  std::vector<std::string> items;
};

using AdminHandler = ApiResponse (*)(const AdminContext& context, const AdminRequest& request);

struct AdminRoute {
  std::string_view resource;  // The first segment after the prefix.
  AdminHandler handler;
  bool has_items;    // False: a path with segments after `resource` is 404 without the handler.
  Permission read;   // What a GET needs.
  Permission write;  // What any other method needs.
};

// Answers `request` with the route whose resource equals `segments[0]`;
// 404 "no such admin endpoint" when none does (or it takes no items); 403
// when the role of the actor in scope (journal/actor.h; none: refused)
// lacks the route's permission.
// `segments` is the path after the prefix, split on '/' with empty
// segments kept (PathSegments).
ApiResponse DispatchAdmin(const AdminContext& context, const ApiRequest& http,
                          const std::string& path, const std::string& query,
                          const std::vector<std::string_view>& segments);

// Whether the request makes a new password (admins add, reset-password):
// the server runs those on the hashing pool.
bool IsHashingAdminRequest(const std::string& method,
                           const std::vector<std::string_view>& segments);

// "/a/b%2Fc/" -> {"", "a", "b%2Fc", ""}: split on '/', nothing decoded.
std::vector<std::string_view> PathSegments(std::string_view path);
// Percent-decoding ('+' is a space), as for query values.
std::string UrlDecode(std::string_view s);

// Helpers shared by the handlers (admin_helpers.cc).

// The value of `key` in a query string, decoded; empty when absent.
std::string QueryParam(const std::string& query, const std::string& key);
// The `since` parameter: RFC 3339 or Unix seconds; absent: nullopt.
// Errors: kInvalidInput.
common::Result<std::optional<common::UnixSeconds>> SinceParam(const std::string& query);
// The body as a JSON object, or kInvalidInput naming what is wrong.
common::Result<common::Json> BodyObject(const ApiRequest& http);
// obj[key] as a list of strings (absent or null: empty; a string: split on
// ','); kInvalidInput when it is anything else.
common::Result<std::vector<std::string>> StringList(const common::Json& obj, const char* key);
// An import's options from `missing=report|suspend|terminate`,
// `allow_reactivate=1` and `dry_run=1` of a query string (or of a form body:
// the console's import page), absent ones at their defaults
// (admin_import.cc). Errors: kInvalidInput, one sentence naming the value.
common::Result<ImportOptions> ImportOptionsFromQuery(const std::string& query);
// "report", "suspend", "terminate".
const char* MissingPolicyName(MissingPolicy policy);
// 405 naming the method and path.
ApiResponse MethodNotAllowed(const AdminRequest& request);
// The answer to a change: counts it and adds the serial now published.
ApiResponse Changed(const AdminContext& context, int status, common::Json body);

// The resources, one file each.
ApiResponse AdminEmployees(const AdminContext& context, const AdminRequest& request);
ApiResponse AdminSharedAccounts(const AdminContext& context, const AdminRequest& request);
ApiResponse AdminWorkstations(const AdminContext& context, const AdminRequest& request);
ApiResponse AdminImport(const AdminContext& context, const AdminRequest& request);
ApiResponse AdminPolicy(const AdminContext& context, const AdminRequest& request);
ApiResponse AdminEvents(const AdminContext& context, const AdminRequest& request);
ApiResponse AdminSessions(const AdminContext& context, const AdminRequest& request);  // sessions.cc
ApiResponse AdminStatus(const AdminContext& context, const AdminRequest& request);
ApiResponse AdminPosixGroups(const AdminContext& context, const AdminRequest& request);
ApiResponse AdminRollout(const AdminContext& context, const AdminRequest& request);
ApiResponse AdminAdmins(const AdminContext& context, const AdminRequest& request);
ApiResponse AdminActions(const AdminContext& context, const AdminRequest& request);
ApiResponse AdminReports(const AdminContext& context, const AdminRequest& request);

// A workstation's rollout fields (installed serial, online, rejecting,
// last error, "last seen ..."), shared by rollout and workstations.
common::Json RolloutFields(const WorkstationProgress& progress, common::UnixSeconds now);

}  // namespace staffgate::central

#endif  // STAFFGATE_CENTRAL_API_ADMIN_H_
