// GET /v1/admin/actions?since=&limit=: the action journal (docs/design.md
// §11), the newest entries at or after `since`, oldest first.
#include <algorithm>
#include <cstdlib>

#include "central/api/admin.h"

namespace staffgate::central {

using common::Json;

namespace {
constexpr std::size_t kMaxLimit = 100000;
}  // namespace

ApiResponse AdminActions(const AdminContext& context, const AdminRequest& request) {
  if (request.http.method != "GET") return MethodNotAllowed(request);
  JournalQuery query;
  auto since = SinceParam(request.query);
  if (!since) return ErrorResponse(since.error());
  query.since = *since;
  if (std::string limit = QueryParam(request.query, "limit"); !limit.empty()) {
    query.limit = std::min<std::size_t>(std::strtoull(limit.c_str(), nullptr, 10), kMaxLimit);
  }
  auto entries = context.service.Actions(query);
  if (!entries) return ErrorResponse(entries.error());
  Json list = Json::array();
  for (const JournalEntry& entry : *entries) list.push_back(JournalEntryJson(entry));
  return JsonAnswer(200, Json{{"actions", list}});
}

}  // namespace staffgate::central
