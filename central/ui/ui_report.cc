// The leaver report in the console (docs/design.md §11): `GET
// /ui/employees/{id}/report` shows RenderLeaverHtmlBody inside the console
// frame (printable: the print style of style.css hides the navigation),
// and `report.csv`, `report.json`, `report.txt` download the same report
// from the same renderers as `staffgate-admin report leaver`. An unknown
// employee or one not terminated is one sentence on the page.
#include "central/admins/role.h"
#include "central/reports/render.h"
#include "central/ui/handlers.h"
#include "central/ui/page.h"
#include "common/url_encode.h"

namespace staffgate::central {

namespace {

struct Download {
  std::string_view suffix;  // The last path segment.
  ReportFormat format;
  std::string_view extension;
};

constexpr Download kDownloads[] = {
    {"report.csv", ReportFormat::kCsv, "csv"},
    {"report.json", ReportFormat::kJson, "json"},
    {"report.txt", ReportFormat::kText, "txt"},
};

// The report, or the page saying why there is none (404 unknown, 409 not
// terminated).
common::Result<LeaverReport> Build(UiContext& context, const UiRequest& request,
                                   ApiResponse& refusal) {
  auto report = context.service.BuildLeaverReport(request.items[1]);
  if (report) return report;
  const common::ErrorKind kind = report.error().kind;
  const int code = kind == common::ErrorKind::kNotFound       ? 404
                   : kind == common::ErrorKind::kInvalidInput ? 409
                                                              : 500;
  const std::string sentence =
      kind == common::ErrorKind::kNotFound
          ? "There is no employee with id " + request.items[1] + "."
      : code == 409 ? "There is no leaver report: " + Sentence(report.error().message)
                    : "The leaver report could not be read; try again.";
  refusal = MessagePage(code, request.session, "Leaver report", sentence,
                        "/ui/employees/" + common::UrlEncode(request.items[1]));
  return report;
}

// A file name made of the id's letters, digits, '.', '_' and '-' only.
std::string FileName(const std::string& id, std::string_view extension) {
  std::string out = "leaver-";
  for (char ch : id.substr(0, 64)) {
    const bool plain = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                       (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-';
    out += plain ? ch : '_';
  }
  return out + "." + std::string(extension);
}

}  // namespace

std::string LeaverReportHref(const std::string& employee_id) {
  return "/ui/employees/" + common::UrlEncode(employee_id) + "/report";
}

ApiOutcome UiLeaverReport(UiContext& context, const UiRequest& request) {
  ApiResponse refusal;
  auto report = Build(context, request, refusal);
  if (!report) return Answer(std::move(refusal));
  PageData data = BasePage(request.session, "Leaver report");
  const std::string base = LeaverReportHref(report->employee_id);
  data.set("csv_href", base + ".csv");
  data.set("json_href", base + ".json");
  data.set("text_href", base + ".txt");
  data.set("back", "/ui/employees/" + common::UrlEncode(report->employee_id));
  // The report brings its own <main> and <h1>: the frame leaves out its own.
  data.set("own_main", true);
  ApiResponse page = Page(200, "report", std::move(data));
  PageData foot_data;
  foot_data.set("own_main", true);
  auto foot = RenderTemplate("foot", std::move(foot_data));
  if (page.status != 200 || !foot) return Answer(std::move(page));
  page.body += RenderLeaverHtmlBody(*report) + *foot;
  return Answer(std::move(page));
}

ApiOutcome UiLeaverReportFile(UiContext& context, const UiRequest& request) {
  const Download* download = nullptr;
  for (const Download& d : kDownloads) {
    if (request.items[2] == d.suffix) download = &d;
  }
  if (download == nullptr) {
    return Answer(MessagePage(404, request.session, "Not found", "There is no such page."));
  }
  ApiResponse refusal;
  auto report = Build(context, request, refusal);
  if (!report) return Answer(std::move(refusal));
  ApiResponse r;
  r.status = 200;
  r.content_type = std::string(ReportContentType(download->format));
  r.body = RenderLeaverReport(*report, download->format);
  r.headers.emplace_back(
      "Content-Disposition",
      "attachment; filename=\"" + FileName(report->employee_id, download->extension) + "\"");
  return Answer(std::move(r));
}

}  // namespace staffgate::central
