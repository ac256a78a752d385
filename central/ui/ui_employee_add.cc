// Adding an employee from the console (hr, owner; docs/design.md §11): id,
// name, accounts, groups and an optional first day (a starter), checked by
// the same Service::AddEmployee as `staffgate-admin employee add`.
#include "central/ui/handlers.h"
#include "central/ui/page.h"
#include "central/validation.h"

namespace staffgate::central {

ApiOutcome UiAddEmployee(UiContext& context, const UiRequest& request) {
  EmployeeRecord e;
  e.id = FormValue(request.form, "id");
  e.name = FormValue(request.form, "name");
  e.accounts = SplitList(FormValue(request.form, "accounts"), ',');
  if (auto groups = SplitList(FormValue(request.form, "groups"), ','); !groups.empty()) {
    e.groups = std::move(groups);  // Else the record's default: every workstation.
  }
  auto start = ParseFormTime(FormValue(request.form, "start"));
  if (!start) {
    return Answer(MessagePage(400, request.session, "Add an employee",
                              Sentence(start.error().message), "/ui/employees"));
  }
  e.valid_from = *start;
  auto added = context.service.AddEmployee(e);
  if (!added) {
    return Answer(MessagePage(400, request.session, "Add an employee",
                              Sentence(added.error().message), "/ui/employees"));
  }
  std::string notice = DisplayName(added->name, added->id) + " is added";
  if (added->valid_from)
    notice += " and may sign in from " + common::FormatRfc3339(*added->valid_from);
  return Answer(
      RolloutPage(context, request, context.service.Current()->serial, added->id, notice + "."));
}

}  // namespace staffgate::central
