// POST /v1/admin/import: an HR CSV body (csv_import.h), applied whole or
// not at all. Query: missing=report|suspend|terminate (default report),
// allow_reactivate=1, dry_run=1 (docs/design.md §6).
#include "central/api/admin.h"

namespace staffgate::central {

using common::ErrorKind;
using common::Json;

const char* MissingPolicyName(MissingPolicy policy) {
  switch (policy) {
    case MissingPolicy::kSuspend:
      return "suspend";
    case MissingPolicy::kTerminate:
      return "terminate";
    default:
      return "report";
  }
}

namespace {

// A query flag: absent, "0" or "false" is off; "1" or "true" is on.
common::Result<bool> Flag(const std::string& query, const std::string& key) {
  const std::string value = QueryParam(query, key);
  if (value.empty() || value == "0" || value == "false") return false;
  if (value == "1" || value == "true") return true;
  return common::Fail(ErrorKind::kInvalidInput,
                      key + " must be 1 or 0, not '" + value.substr(0, 20) + "'");
}

}  // namespace

common::Result<ImportOptions> ImportOptionsFromQuery(const std::string& query) {
  ImportOptions options;
  const std::string missing = QueryParam(query, "missing");
  if (missing == "suspend") {
    options.missing = MissingPolicy::kSuspend;
  } else if (missing == "terminate") {
    options.missing = MissingPolicy::kTerminate;
  } else if (!missing.empty() && missing != "report") {
    return common::Fail(
        ErrorKind::kInvalidInput,
        "missing must be report, suspend or terminate, not '" + missing.substr(0, 20) + "'");
  }
  auto reactivate = Flag(query, "allow_reactivate");
  if (!reactivate) return tl::unexpected(reactivate.error());
  auto dry_run = Flag(query, "dry_run");
  if (!dry_run) return tl::unexpected(dry_run.error());
  options.allow_reactivate = *reactivate;
  options.dry_run = *dry_run;
  return options;
}

namespace {

Json ChangesJson(const std::vector<EmployeeChange>& changes) {
  Json out = Json::array();
  for (const EmployeeChange& c : changes) {
    Json fields = Json::array();
    for (const FieldChange& f : c.fields) {
      fields.push_back({{"field", f.field}, {"before", f.before}, {"after", f.after}});
    }
    Json item = {{"id", c.id}, {"fields", std::move(fields)}};
    if (c.line != 0U) item["line"] = c.line;
    out.push_back(std::move(item));
  }
  return out;
}

Json Ids(const std::vector<EmployeeChange>& changes) {
  Json out = Json::array();
  for (const EmployeeChange& c : changes) out.push_back(c.id);
  return out;
}

}  // namespace

ApiResponse AdminImport(const AdminContext& context, const AdminRequest& request) {
  if (request.http.method != "POST") return MethodNotAllowed(request);
  auto options = ImportOptionsFromQuery(request.query);
  if (!options) return ErrorResponse(options.error());
  auto report = context.service.Import(request.http.body, *options);
  if (!report) return ErrorResponse(report.error());
  Json body = {{"dry_run", options->dry_run},
               {"published", report->published},
               {"added", report->added},
               {"changed", Ids(report->changed)},
               {"unchanged", report->unchanged},
               {"changes", ChangesJson(report->changed)},
               {"reactivated", Ids(report->reactivated)},
               {"missing", Ids(report->missing)},
               {"missing_changes", ChangesJson(report->missing)},
               {"missing_action", MissingPolicyName(options->missing)}};
  if (report->published) return Changed(context, 200, std::move(body));
  body["serial"] = context.service.Current()->serial;
  return JsonAnswer(200, body);
}

}  // namespace staffgate::central
