// Employees in the console (docs/design.md §11): the list with search and
// a status filter, one employee's page, the confirmation in plain words,
// and the status change itself (now or at a time), answered with the
// rollout page of the serial it published.
#include <algorithm>
#include <cctype>

#include "central/admins/role.h"
#include "central/api/admin.h"
#include "central/schedule.h"
#include "central/ui/handlers.h"
#include "central/ui/page.h"
#include "central/validation.h"
#include "common/url_encode.h"

namespace staffgate::central {

namespace {

constexpr std::size_t kMaxListed = 500;  // Rows on one page; the search narrows it.

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& ch : out) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return out;
}

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

std::string PendingText(const EmployeeRecord& e) {
  std::string out;
  if (e.pending) {
    out = std::string(common::EmployeeStatusName(e.pending->status)) + " at " +
          common::FormatRfc3339(e.pending->at);
  }
  if (e.valid_from)
    out += (out.empty() ? "" : "; ") + ("starts at " + common::FormatRfc3339(*e.valid_from));
  return out;
}

bool Matches(const EmployeeRecord& e, const std::string& q, const std::string& status) {
  if (!status.empty() && common::EmployeeStatusName(e.status) != status) return false;
  if (q.empty()) return true;
  if (Lower(e.name).find(q) != std::string::npos || Lower(e.id).find(q) != std::string::npos) {
    return true;
  }
  return std::any_of(e.accounts.begin(), e.accounts.end(),
                     [&](const std::string& a) { return Lower(a).find(q) != std::string::npos; });
}

std::optional<EmployeeRecord> FindEmployee(const Service& service, const std::string& id) {
  for (EmployeeRecord& e : service.Employees()) {
    if (e.id == id) return std::move(e);
  }
  return std::nullopt;
}

PageList StatusOptions(const std::string& selected) {
  PageList list;
  for (const char* value : {"", "active", "suspended", "terminated"}) {
    PageData option;
    option.set("value", value);
    option.set("label", *value ? value : "any");
    option.set("selected", selected == value);
    list.push_back(option);
  }
  return list;
}

ApiResponse EmployeePage(UiContext& context, const UiRequest& request, const EmployeeRecord& e,
                         int status, const std::string& error) {
  PageData data = BasePage(request.session, DisplayName(e.name, e.id));
  data.set("name", e.name);
  data.set("id", e.id);
  data.set("status", std::string(common::EmployeeStatusName(e.status)));
  data.set("accounts", Join(e.accounts));
  data.set("groups", Join(e.groups));
  data.set("edit_href", "/ui/employees/" + common::UrlEncode(e.id) + "/edit");
  if (const std::string pending = PendingText(e); !pending.empty()) data.set("pending", pending);
  std::vector<std::string> where;
  if (auto leases = context.service.Leases(); leases) {
    for (const Lease& lease : *leases) {
      if (std::find(e.accounts.begin(), e.accounts.end(), lease.account) != e.accounts.end()) {
        where.push_back(lease.workstation + " (" + lease.account + ")");
      }
    }
  }
  data.set("sessions", where.empty() ? std::string("no workstation") : Join(where));
  data.set("can_change", Allowed(request.session->role, Permission::kChangeEmployees));
  data.set("can_cancel", e.pending.has_value());
  if (e.status == common::EmployeeStatus::kTerminated &&
      Allowed(request.session->role, Permission::kReadReports)) {
    data.set("report_href", LeaverReportHref(e.id));
  }
  data.set("action_href", "/ui/employees/" + common::UrlEncode(e.id) + "/");
  data.set("confirm_href", "/ui/employees/" + common::UrlEncode(e.id) + "/confirm");
  if (!error.empty()) data.set("error", error);
  return Page(status, "employee", std::move(data));
}

struct Question {
  std::string question, consequence, button;
};

Question Ask(const std::string& who, common::EmployeeStatus status,
             const std::optional<common::UnixSeconds>& at) {
  const std::string when = at ? " at " + common::FormatRfc3339(*at) + " (UTC)" : " now";
  switch (status) {
    case common::EmployeeStatus::kTerminated:
      return {"Terminate " + who + when + "?",
              who + " will be signed out of every workstation and cannot sign in again.",
              "Terminate"};
    case common::EmployeeStatus::kSuspended:
      return {"Suspend " + who + when + "?",
              who + " will be signed out of every workstation and cannot sign in until reinstated.",
              "Suspend"};
    default:
      return {"Reinstate " + who + when + "?", who + " will be able to sign in again.",
              "Reinstate"};
  }
}

ApiResponse NoEmployee(const UiRequest& request) {
  return MessagePage(404, request.session, "No such employee",
                     "There is no employee with id " + request.items[1] + ".", "/ui/employees");
}

}  // namespace

ApiOutcome UiEmployees(UiContext& context, const UiRequest& request) {
  const std::string q = Lower(QueryParam(request.query, "q"));
  std::string status = QueryParam(request.query, "status");
  if (status != "active" && status != "suspended" && status != "terminated") status.clear();
  PageData data = BasePage(request.session, "Employees");
  PageList rows;
  std::size_t matches = 0;
  for (const EmployeeRecord& e : context.service.Employees()) {
    if (!Matches(e, q, status) || ++matches > kMaxListed) continue;
    PageData row;
    row.set("name", DisplayName(e.name, e.id));
    row.set("id", e.id);
    row.set("href", "/ui/employees/" + common::UrlEncode(e.id));
    row.set("accounts", Join(e.accounts));
    row.set("status", std::string(common::EmployeeStatusName(e.status)));
    row.set("pending", PendingText(e));
    rows.push_back(row);
  }
  data.set("employees", rows);
  data.set("q", QueryParam(request.query, "q"));
  data.set("statuses", StatusOptions(status));
  data.set("can_add", Allowed(request.session->role, Permission::kChangeEmployees));
  data.set("count_line", matches > kMaxListed ? "Showing the first " + std::to_string(kMaxListed) +
                                                    " of " + std::to_string(matches) +
                                                    " employees; search to narrow the list."
                                              : std::to_string(matches) + " employees.");
  return Answer(Page(200, "employees", std::move(data)));
}

ApiOutcome UiEmployee(UiContext& context, const UiRequest& request) {
  auto e = FindEmployee(context.service, request.items[1]);
  if (!e) return Answer(NoEmployee(request));
  return Answer(EmployeePage(context, request, *e, 200, ""));
}

ApiOutcome UiConfirmStatus(UiContext& context, const UiRequest& request) {
  auto e = FindEmployee(context.service, request.items[1]);
  if (!e) return Answer(NoEmployee(request));
  const std::string status_text = QueryParam(request.query, "status");
  auto status = common::ParseEmployeeStatus(status_text);
  if (!status) {
    return Answer(
        EmployeePage(context, request, *e, 400, "Choose active, suspended or terminated."));
  }
  auto at = ParseFormTime(QueryParam(request.query, "at"));
  if (!at) return Answer(EmployeePage(context, request, *e, 400, Sentence(at.error().message)));
  const Question q = Ask(DisplayName(e->name, e->id), *status, *at);
  PageData data = BasePage(request.session, "Confirm");
  data.set("question", q.question);
  data.set("consequence", q.consequence);
  data.set("button", q.button);
  data.set("button_class", *status == common::EmployeeStatus::kActive ? "" : "danger");
  data.set("status", status_text);
  data.set("at", *at ? common::FormatRfc3339(**at) : std::string());
  data.set("action", "/ui/employees/" + common::UrlEncode(e->id) + "/status");
  data.set("back", "/ui/employees/" + common::UrlEncode(e->id));
  return Answer(Page(200, "confirm", std::move(data)));
}

ApiOutcome UiSetStatus(UiContext& context, const UiRequest& request) {
  auto e = FindEmployee(context.service, request.items[1]);
  if (!e) return Answer(NoEmployee(request));
  auto status = common::ParseEmployeeStatus(FormValue(request.form, "status"));
  if (!status) {
    return Answer(
        EmployeePage(context, request, *e, 400, "Choose active, suspended or terminated."));
  }
  auto at = ParseFormTime(FormValue(request.form, "at"));
  if (!at) return Answer(EmployeePage(context, request, *e, 400, Sentence(at.error().message)));
  auto changed = context.service.SetStatus(e->id, *status, *at);
  if (!changed) {
    const int code = changed.error().kind == common::ErrorKind::kNotFound ? 404 : 400;
    return Answer(EmployeePage(context, request, *e, code, Sentence(changed.error().message)));
  }
  const std::string who = DisplayName(changed->name, changed->id);
  const std::string now = std::string(common::EmployeeStatusName(changed->status));
  std::string notice = who + " is " + now + ".";
  if (*at && changed->pending) {
    notice = who + " will be " + std::string(common::EmployeeStatusName(changed->pending->status)) +
             " at " + common::FormatRfc3339(changed->pending->at) + " (UTC); until then " + now +
             ".";
  }
  return Answer(RolloutPage(context, request, context.service.Current()->serial, e->id, notice));
}

ApiOutcome UiEditEmployee(UiContext& context, const UiRequest& request) {
  auto e = FindEmployee(context.service, request.items[1]);
  if (!e) return Answer(NoEmployee(request));
  auto updated = context.service.UpdateEmployee(e->id, FormValue(request.form, "name"),
                                                SplitList(FormValue(request.form, "accounts"), ','),
                                                SplitList(FormValue(request.form, "groups"), ','));
  if (!updated) {
    const int code = updated.error().kind == common::ErrorKind::kNotFound ? 404 : 400;
    return Answer(EmployeePage(context, request, *e, code,
                               Sentence(updated.error().message) + " Nothing was changed."));
  }
  const std::string notice = DisplayName(updated->name, updated->id) + " is updated.";
  return Answer(RolloutPage(context, request, context.service.Current()->serial, e->id, notice));
}

ApiOutcome UiEmployeeAction(UiContext& context, const UiRequest& request) {
  auto e = FindEmployee(context.service, request.items[1]);
  if (!e) return Answer(NoEmployee(request));
  const std::string& action = request.items[2];
  const std::string who = DisplayName(e->name, e->id);
  common::Result<EmployeeRecord> done = common::Fail(common::ErrorKind::kNotFound, "");
  std::string notice;
  if (action == "cancel") {
    done = context.service.CancelScheduled(e->id, PendingKind::kStatus);
    notice = "The pending change of " + who + " is cancelled.";
  } else if (action == "reset-credentials") {
    done = context.service.ResetCredentials(e->id);
    notice = who + " must choose a new password at the next sign-in.";
  } else {
    return Answer(MessagePage(404, request.session, "Not found", "There is no such page."));
  }
  if (!done) {
    const int code = done.error().kind == common::ErrorKind::kNotFound ? 404 : 400;
    return Answer(EmployeePage(context, request, *e, code, Sentence(done.error().message)));
  }
  return Answer(RolloutPage(context, request, context.service.Current()->serial, e->id, notice));
}

}  // namespace staffgate::central
