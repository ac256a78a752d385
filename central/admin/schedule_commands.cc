// `staffgate-admin employee cancel` and the helpers of scheduled changes
// (docs/design.md §11): --at / --start parsing and the PENDING column.
#include <cstdio>

#include "central/admin/commands.h"
#include "central/admin/output.h"
#include "common/time_util.h"

namespace staffgate::central::admin {

using common::ErrorKind;
using common::Fail;
using common::Json;

common::Result<std::int64_t> ParseScheduleTime(const std::string& flag, const std::string& text) {
  auto t = common::ParseRfc3339(text);
  if (!t) {
    return Fail(ErrorKind::kInvalidInput,
                flag + ": '" + text.substr(0, 40) +
                    "' is not an RFC 3339 time with a zone, such as 2026-12-04T17:30:00Z or "
                    "2026-12-04T17:30:00+01:00");
  }
  return *t;
}

std::string PendingText(const Json& employee) {
  std::string out;
  auto pending = employee.find("pending");
  if (pending == employee.end() || !pending->is_array()) return "-";
  for (const Json& item : *pending) {
    if (!item.is_object()) continue;
    std::string change = Str(item, "change");
    if (change == "terminated") change = "terminate";
    if (change == "suspended") change = "suspend";
    out += (out.empty() ? "" : ", ") + change + " at " + Str(item, "at");
  }
  return out.empty() ? "-" : out;
}

int EmployeeCancel(AdminClient& client, const std::string& id, bool start) {
  auto answer = client.Call(
      "POST", "/v1/admin/employees/" + UrlEncode(id) + (start ? "/cancel-start" : "/cancel"), "{}");
  if (!answer) return Failed(answer.error());
  std::printf("%s (roster serial %s)\n",
              Safe(std::string(start ? "cancelled the pending start of employee "
                                     : "cancelled the pending status change of employee ") +
                   id)
                  .c_str(),
              Safe(Str(*answer, "serial")).c_str());
  return 0;
}

}  // namespace staffgate::central::admin
