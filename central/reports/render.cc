// The format names and the dispatch over the renderers (render.h).
#include "central/reports/render.h"

namespace staffgate::central {

common::Result<ReportFormat> ParseReportFormat(std::string_view name) {
  if (name == "text") return ReportFormat::kText;
  if (name == "csv") return ReportFormat::kCsv;
  if (name == "json") return ReportFormat::kJson;
  if (name == "html") return ReportFormat::kHtml;
  return common::Fail(common::ErrorKind::kInvalidInput, "unknown report format '" +
                                                            std::string(name.substr(0, 32)) +
                                                            "' (use text, csv, json or html)");
}

std::string_view ReportContentType(ReportFormat format) {
  switch (format) {
    case ReportFormat::kText:
      return "text/plain; charset=utf-8";
    case ReportFormat::kCsv:
      return "text/csv; charset=utf-8";
    case ReportFormat::kJson:
      return "application/json";
    case ReportFormat::kHtml:
      return "text/html; charset=utf-8";
  }
  return "application/octet-stream";
}

std::string RenderLeaverReport(const LeaverReport& report, ReportFormat format) {
  switch (format) {
    case ReportFormat::kText:
      return RenderLeaverText(report);
    case ReportFormat::kCsv:
      return RenderLeaverCsv(report);
    case ReportFormat::kJson:
      return LeaverReportJson(report).dump(2) + "\n";
    case ReportFormat::kHtml:
      return RenderLeaverHtml(report);
  }
  return {};
}

}  // namespace staffgate::central
