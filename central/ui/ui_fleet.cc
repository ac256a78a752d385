// Workstations and open sessions in the console (docs/design.md §11):
// each workstation's last contact, installed roster serial and agent
// version, registering one (IT), and ending an open session (IT).
#include "central/admins/role.h"
#include "central/ui/handlers.h"
#include "central/ui/page.h"
#include "central/validation.h"
#include "common/url_encode.h"

namespace staffgate::central {

namespace {

ApiResponse WorkstationsPage(UiContext& context, const UiRequest& request, int status,
                             const std::string& error) {
  const RolloutSummary summary = context.service.Rollout();
  PageData data = BasePage(request.session, "Workstations");
  data.set("line", "Current roster serial " + std::to_string(summary.serial) + ": " +
                       ConfirmationLine(summary) + ".");
  PageList rows;
  for (const WorkstationProgress& p : summary.workstations) {
    PageData row;
    row.set("name", p.member.name);
    row.set("last_seen", LastSeen(p.member.last_contact, summary.now));
    const auto& installed = p.member.rollout.installed_serial;
    row.set("installed", installed ? std::to_string(*installed) : std::string("none yet"));
    row.set("version",
            p.member.agent_version.empty() ? std::string("unknown") : p.member.agent_version);
    rows.push_back(row);
  }
  data.set("workstations", rows);
  data.set("can_add", Allowed(request.session->role, Permission::kManageWorkstations));
  if (!error.empty()) data.set("error", error);
  return Page(status, "workstations", std::move(data));
}

}  // namespace

ApiOutcome UiWorkstations(UiContext& context, const UiRequest& request) {
  return Answer(WorkstationsPage(context, request, 200, ""));
}

ApiOutcome UiAddWorkstation(UiContext& context, const UiRequest& request) {
  const std::string name = FormValue(request.form, "name");
  auto token =
      context.service.AddWorkstation(name, SplitList(FormValue(request.form, "groups"), ','));
  if (!token) {
    return Answer(WorkstationsPage(context, request, 400, Sentence(token.error().message)));
  }
  PageData data = BasePage(request.session, "Workstation registered");
  data.set("name", name);
  data.set("token", *token);
  return Answer(Page(200, "workstation_added", std::move(data)));
}

ApiOutcome UiSessions(UiContext& context, const UiRequest& request) {
  PageData data = BasePage(request.session, "Open sessions");
  auto leases = context.service.Leases();
  if (!leases) data.set("error", "The open sessions cannot be read now; try again.");
  PageList rows;
  const bool can_end = Allowed(request.session->role, Permission::kManageSessions);
  for (const Lease& lease : leases ? *leases : std::vector<Lease>{}) {
    PageData row;
    row.set("account", lease.account);
    row.set("workstation", lease.workstation);
    row.set("since", common::FormatRfc3339(lease.acquired_at));
    row.set("end_href", "/ui/sessions/" + common::UrlEncode(lease.id) + "/end");
    row.set("can_end", can_end);
    rows.push_back(row);
  }
  data.set("any", !rows.empty());
  data.set("sessions", rows);
  return Answer(Page(leases ? 200 : 500, "sessions", std::move(data)));
}

ApiOutcome UiEndSession(UiContext& context, const UiRequest& request) {
  LeaseSelector selector;
  selector.id = request.items[1];
  auto ended = context.service.EndLeases(selector);
  if (!ended) {
    const int code = ended.error().kind == common::ErrorKind::kNotFound ? 404 : 400;
    return Answer(MessagePage(code, request.session, "Open sessions",
                              "That session is no longer open.", "/ui/sessions"));
  }
  std::string sentence = "Ended";
  for (const Lease& lease : *ended) {
    sentence += " the session of " + lease.account + " on " + lease.workstation;
  }
  return Answer(MessagePage(200, request.session, "Session ended", sentence + ".", "/ui/sessions"));
}

}  // namespace staffgate::central
