// The console's request handlers (docs/design.md §11), one file per page
// group, dispatched by ui_routes.cc. A handler runs only once the
// dispatcher has checked what its route needs: a live session, the role's
// permission, and for a form POST the same origin and the form token; the
// signed-in administrator is the journal's actor (journal/actor.h) for
// every change it makes.
#ifndef STAFFGATE_CENTRAL_UI_HANDLERS_H_
#define STAFFGATE_CENTRAL_UI_HANDLERS_H_

#include <optional>
#include <string>
#include <vector>

#include "central/admins/console_sessions.h"
#include "central/admins/sign_in.h"
#include "central/api/api.h"
#include "central/service.h"
#include "central/ui/form.h"

namespace staffgate::central {

// What the handlers share; owned by the Console, which outlives every call
// (deferred work included).
struct UiContext {
  Service& service;
  ConsoleSessions& sessions;
  SignIn& sign_in;
  std::size_t min_password_length;
};

struct UiRequest {
  const ApiRequest& http;
  std::string query;               // After '?', still encoded.
  std::vector<std::string> items;  // Path segments after /ui/, decoded.
  FormFields form;                 // A POST's fields.
  std::optional<ConsoleSession> session;
  std::string session_id;  // The cookie's value ("" when none came).
};

using UiHandler = ApiOutcome (*)(UiContext& context, const UiRequest& request);

// ui_sign_in.cc
ApiOutcome UiHome(UiContext& context, const UiRequest& request);
ApiOutcome UiSignIn(UiContext& context, const UiRequest& request);
ApiOutcome UiChangePassword(UiContext& context, const UiRequest& request);
ApiOutcome UiSignOut(UiContext& context, const UiRequest& request);
ApiOutcome UiStyle(UiContext& context, const UiRequest& request);
// ui_employees.cc
ApiOutcome UiEmployees(UiContext& context, const UiRequest& request);
ApiOutcome UiEmployee(UiContext& context, const UiRequest& request);
ApiOutcome UiConfirmStatus(UiContext& context, const UiRequest& request);
ApiOutcome UiSetStatus(UiContext& context, const UiRequest& request);
// POST employees/{id}/edit (`name`, `accounts`, `groups`): Service::UpdateEmployee.
ApiOutcome UiEditEmployee(UiContext& context, const UiRequest& request);
// POST employees/{id}/cancel (a pending status change) | reset-credentials.
ApiOutcome UiEmployeeAction(UiContext& context, const UiRequest& request);
// ui_employee_add.cc
ApiOutcome UiAddEmployee(UiContext& context, const UiRequest& request);
// ui_report.cc: the leaver report page, and its report.csv|json|txt files.
ApiOutcome UiLeaverReport(UiContext& context, const UiRequest& request);
ApiOutcome UiLeaverReportFile(UiContext& context, const UiRequest& request);
// "/ui/employees/{id}/report".
std::string LeaverReportHref(const std::string& employee_id);
// ui_import.cc: GET import (the form), POST import (`step` preview or apply).
ApiOutcome UiImportForm(UiContext& context, const UiRequest& request);
ApiOutcome UiImport(UiContext& context, const UiRequest& request);
// ui_rollout.cc
ApiOutcome UiRollout(UiContext& context, const UiRequest& request);
// ui_fleet.cc
ApiOutcome UiWorkstations(UiContext& context, const UiRequest& request);
ApiOutcome UiAddWorkstation(UiContext& context, const UiRequest& request);
ApiOutcome UiSessions(UiContext& context, const UiRequest& request);
ApiOutcome UiEndSession(UiContext& context, const UiRequest& request);
// ui_admins.cc
ApiOutcome UiAdmins(UiContext& context, const UiRequest& request);
ApiOutcome UiAddAdmin(UiContext& context, const UiRequest& request);
ApiOutcome UiResetAdmin(UiContext& context, const UiRequest& request);
ApiOutcome UiRemoveAdmin(UiContext& context, const UiRequest& request);
// ui_events.cc
ApiOutcome UiEvents(UiContext& context, const UiRequest& request);
ApiOutcome UiEventsCsv(UiContext& context, const UiRequest& request);

// The rollout page of `serial` (ui_rollout.cc), also the answer to a
// status change; `employee_id` names the employee page to go back to, and
// `notice` (may be empty) says what was just done.
ApiResponse RolloutPage(UiContext& context, const UiRequest& request, std::uint64_t serial,
                        const std::string& employee_id, const std::string& notice = "");

}  // namespace staffgate::central

#endif  // STAFFGATE_CENTRAL_UI_HANDLERS_H_
