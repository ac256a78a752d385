// GET /v1/admin/events?since=&workstation=&account=&decision=&type=&limit=:
// the newest matching audit events, oldest first.
#include <algorithm>
#include <cstdlib>

#include "central/api/admin.h"

namespace staffgate::central {

using common::Json;

namespace {

constexpr std::size_t kMaxLimit = 100000;

// The filters of the query string, or 400 for a `since` that is neither
// RFC 3339 nor Unix seconds.
common::Result<EventQuery> ParseEventQuery(const std::string& query) {
  EventQuery q;
  auto since = SinceParam(query);
  if (!since) return tl::unexpected(since.error());
  if (*since) q.since_ms = **since * 1000;
  q.workstation = QueryParam(query, "workstation");
  q.account = QueryParam(query, "account");
  q.decision = QueryParam(query, "decision");
  q.type = QueryParam(query, "type");
  if (std::string limit = QueryParam(query, "limit"); !limit.empty()) {
    q.limit = std::min<std::size_t>(std::strtoull(limit.c_str(), nullptr, 10), kMaxLimit);
  }
  return q;
}

}  // namespace

ApiResponse AdminEvents(const AdminContext& context, const AdminRequest& request) {
  if (request.http.method != "GET") return MethodNotAllowed(request);
  auto query = ParseEventQuery(request.query);
  if (!query) return ErrorResponse(query.error());
  auto events = context.service.Events(*query);
  if (!events) return ErrorResponse(events.error());
  return JsonAnswer(200, Json{{"events", *events}});
}

}  // namespace staffgate::central
