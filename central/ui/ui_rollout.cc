// The rollout confirmation page (docs/design.md §11): "confirmed on N of M
// workstations" for a roster serial, the workstations not yet confirmed
// with their last contact, and a meta refresh (no JavaScript) until every
// workstation in contact has it. The same summary as `staffgate-admin
// rollout` and `employee terminate --wait` (rollout_summary.h).
#include <cstdlib>

#include "central/admins/role.h"
#include "central/api/admin.h"
#include "central/ui/handlers.h"
#include "central/ui/page.h"
#include "common/url_encode.h"

namespace staffgate::central {

namespace {

constexpr int kRefreshSeconds = 3;

std::optional<std::uint64_t> ParseSerial(const std::string& text) {
  if (text.empty() || text.size() > 19) return std::nullopt;
  for (char ch : text) {
    if (ch < '0' || ch > '9') return std::nullopt;
  }
  return std::strtoull(text.c_str(), nullptr, 10);
}

}  // namespace

ApiResponse RolloutPage(UiContext& context, const UiRequest& request, std::uint64_t serial,
                        const std::string& employee_id, const std::string& notice) {
  const RolloutSummary summary = context.service.Rollout(serial);
  PageData data = BasePage(request.session, "Rollout of the change");
  if (!notice.empty()) data.set("notice", notice);
  data.set("line",
           "Roster serial " + std::to_string(serial) + ": " + ConfirmationLine(summary) + ".");
  data.set("complete", summary.Complete());
  data.set("waiting", !summary.Complete());
  std::string self = "/ui/rollout?serial=" + std::to_string(serial);
  if (!employee_id.empty()) {
    self += "&employee=" + common::UrlEncode(employee_id);
    data.set("back", "/ui/employees/" + common::UrlEncode(employee_id));
    auto employee = context.service.LookupEmployee(employee_id);
    if (employee && employee->status == common::EmployeeStatus::kTerminated &&
        Allowed(request.session->role, Permission::kReadReports)) {
      data.set("report_href", LeaverReportHref(employee_id));
    }
  }
  if (!summary.Complete()) data.set("refresh", std::to_string(kRefreshSeconds) + "; url=" + self);
  PageList pending;
  for (const WorkstationProgress& p : summary.workstations) {
    if (p.confirmed) continue;
    PageData row;
    row.set("name", p.member.name);
    row.set("last_seen", LastSeen(p.member.last_contact, summary.now));
    row.set("online", std::string(p.online ? "yes" : "no"));
    pending.push_back(row);
  }
  data.set("pending_any", !pending.empty());
  data.set("pending", pending);
  return Page(200, "rollout", std::move(data));
}

ApiOutcome UiRollout(UiContext& context, const UiRequest& request) {
  const std::uint64_t current = context.service.Current()->serial;
  const std::string text = QueryParam(request.query, "serial");
  std::optional<std::uint64_t> serial = text.empty() ? current : ParseSerial(text);
  if (!serial || *serial == 0 || *serial > current) {
    return Answer(MessagePage(400, request.session, "Rollout",
                              "Serial " + text.substr(0, 20) + " is not a published roster serial.",
                              "/ui/employees"));
  }
  return Answer(RolloutPage(context, request, *serial, QueryParam(request.query, "employee")));
}

}  // namespace staffgate::central
