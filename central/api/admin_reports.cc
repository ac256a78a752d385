// GET /v1/admin/reports/leaver/{id}[?format=json|text|csv|html]: the
// leaver report (docs/design.md §11), rendered here so staffgate-admin and
// the console print the same renderer's output (reports/render.h).
// Default JSON. An unknown employee is 404; one not terminated is 409
// "not_terminated", each one sentence.
#include "central/api/admin.h"
#include "central/reports/render.h"

namespace staffgate::central {

ApiResponse AdminReports(const AdminContext& context, const AdminRequest& request) {
  if (request.http.method != "GET") return MethodNotAllowed(request);
  if (request.items.size() != 2 || request.items[0] != "leaver") {
    return JsonError(404, "not_found", "no such report (use /v1/admin/reports/leaver/ID)");
  }
  const std::string format_name = QueryParam(request.query, "format");
  auto format = ParseReportFormat(format_name.empty() ? "json" : format_name);
  if (!format) return ErrorResponse(format.error());
  auto report = context.service.BuildLeaverReport(request.items[1]);
  if (!report) {
    if (report.error().kind == common::ErrorKind::kInvalidInput)
      return JsonError(409, "not_terminated", report.error().message);
    return ErrorResponse(report.error());
  }
  ApiResponse r;
  r.content_type = std::string(ReportContentType(*format));
  r.body = RenderLeaverReport(*report, *format);
  // Personal data: never cached; an HTML page may style itself, nothing else.
  r.headers.emplace_back("Cache-Control", "no-store");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  if (*format == ReportFormat::kHtml) {
    r.headers.emplace_back("Content-Security-Policy",
                           "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'");
  }
  return r;
}

}  // namespace staffgate::central
