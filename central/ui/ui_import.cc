// The HR import in the console (hr, owner; docs/design.md §11): the CSV in
// a textarea (an application/x-www-form-urlencoded form, no file upload)
// with the options of `staffgate-admin import` (`missing`,
// `allow_reactivate`). The first POST is the import's own dry run
// (Service::Import with dry_run: the same parser and ImportPlan, nothing
// changed) shown as a preview with an "Apply these changes" form carrying
// the same CSV and options; applying runs the same import for real. An
// error is the import's one sentence, and nothing is changed.
#include <algorithm>

#include "central/api/admin.h"
#include "central/ui/handlers.h"
#include "central/ui/page.h"
#include "common/url_encode.h"

namespace staffgate::central {

namespace {

std::string Describe(const EmployeeChange& change) {
  std::string out;
  for (const FieldChange& f : change.fields) {
    out += (out.empty() ? "" : "; ") + f.field + ": " + (f.before.empty() ? "(none)" : f.before) +
           " \u2192 " + (f.after.empty() ? "(none)" : f.after);
  }
  return out;
}

PageData Section(const std::string& heading, const std::vector<EmployeeChange>& changes) {
  PageData section;
  section.set("heading", heading + " (" + std::to_string(changes.size()) + ")");
  PageList rows;
  for (const EmployeeChange& c : changes) {
    PageData row;
    row.set("id", c.id);
    row.set("detail", Describe(c));
    rows.push_back(row);
  }
  section.set("rows", rows);
  return section;
}

PageList Sections(const ImportReport& report, MissingPolicy missing) {
  std::vector<EmployeeChange> added;
  for (const std::string& id : report.added) added.push_back(EmployeeChange{id, 0, {}});
  PageList out;
  if (!added.empty()) out.push_back(Section("Added", added));
  if (!report.changed.empty()) out.push_back(Section("Changed", report.changed));
  if (!report.reactivated.empty()) out.push_back(Section("Reactivated", report.reactivated));
  if (!report.missing.empty()) {
    const char* what = missing == MissingPolicy::kSuspend     ? "suspended"
                       : missing == MissingPolicy::kTerminate ? "terminated"
                                                              : "left as they are";
    out.push_back(Section("Not in the file (" + std::string(what) + ")", report.missing));
  }
  return out;
}

std::string Summary(const ImportReport& r) {
  return std::to_string(r.added.size()) + " added, " + std::to_string(r.changed.size()) +
         " changed, " + std::to_string(r.reactivated.size()) + " reactivated, " +
         std::to_string(r.unchanged.size()) + " unchanged, " + std::to_string(r.missing.size()) +
         " not in the file.";
}

// The page with the entry form filled in as `request` sent it.
PageData ImportPage(const UiRequest& request, const std::string& csv,
                    const ImportOptions& options) {
  PageData data = BasePage(request.session, "Import employees");
  data.set("csv", csv);
  PageList choices;
  for (MissingPolicy p :
       {MissingPolicy::kReport, MissingPolicy::kSuspend, MissingPolicy::kTerminate}) {
    PageData choice;
    choice.set("value", MissingPolicyName(p));
    choice.set("selected", p == options.missing);
    choices.push_back(choice);
  }
  data.set("missing_choices", choices);
  data.set("missing", MissingPolicyName(options.missing));
  data.set("allow_reactivate", options.allow_reactivate);
  data.set("entry", true);
  return data;
}

}  // namespace

ApiOutcome UiImportForm(UiContext& /*context*/, const UiRequest& request) {
  return Answer(Page(200, "import", ImportPage(request, "", ImportOptions{})));
}

ApiOutcome UiImport(UiContext& context, const UiRequest& request) {
  const std::string csv = FormValue(request.form, "csv");
  const bool apply = FormValue(request.form, "step") == "apply";
  auto options = ImportOptionsFromQuery(
      "missing=" + common::UrlEncode(FormValue(request.form, "missing")) +
      "&allow_reactivate=" + common::UrlEncode(FormValue(request.form, "allow_reactivate")));
  if (!options) {
    PageData data = ImportPage(request, csv, ImportOptions{});
    data.set("error", Sentence(options.error().message) + " Nothing was changed.");
    return Answer(Page(400, "import", std::move(data)));
  }
  options->dry_run = !apply;
  PageData data = ImportPage(request, csv, *options);
  auto report = context.service.Import(csv, *options);
  if (!report) {
    data.set("error", Sentence(report.error().message) + " Nothing was changed.");
    return Answer(Page(400, "import", std::move(data)));
  }
  data.set("sections", Sections(*report, options->missing));
  data.set("summary", Summary(*report));
  if (apply) {
    data.set("entry", false);
    data.set("applied", true);
    data.set("notice", report->published ? "The import is applied: " + Summary(*report)
                                         : "The import changed nothing.");
    data.set("rollout_href",
             "/ui/rollout?serial=" + std::to_string(context.service.Current()->serial));
  } else {
    data.set("preview", true);
    const bool changes = !report->added.empty() || !report->changed.empty() ||
                         std::any_of(report->missing.begin(), report->missing.end(),
                                     [](const EmployeeChange& c) { return !c.fields.empty(); });
    data.set("can_apply", changes);
  }
  return Answer(Page(200, "import", std::move(data)));
}

}  // namespace staffgate::central
