// The leaver report's renderers (docs/design.md §11), one per format, each
// a pure function of a LeaverReport (leaver_report.h). Shared by
// `GET /v1/admin/reports/leaver/{id}?format=` (which staffgate-admin
// prints) and the console.
//
//  text  plain words and tables for a terminal; every value escaped for
//        the terminal (common/terminal_text.h)
//  csv   RFC 4180 (CRLF, quoted where needed), one row per fact; a cell
//        starting with = + - @ tab or CR gets a leading ' so a
//        spreadsheet never runs it as a formula
//  json  the stable field names of docs/design.md §11
//  html  a complete printable page (print CSS), every value HTML-escaped
//
// Times are RFC 3339 UTC throughout.
#ifndef STAFFGATE_CENTRAL_REPORTS_RENDER_H_
#define STAFFGATE_CENTRAL_REPORTS_RENDER_H_

#include <string>
#include <string_view>

#include "central/reports/leaver_report.h"
#include "common/json_util.h"
#include "common/result.h"

namespace staffgate::central {

enum class ReportFormat { kText, kCsv, kJson, kHtml };

// "text", "csv", "json", "html". Errors: kInvalidInput naming the value.
common::Result<ReportFormat> ParseReportFormat(std::string_view name);
// The HTTP Content-Type of a format (with charset=utf-8).
std::string_view ReportContentType(ReportFormat format);

common::Json LeaverReportJson(const LeaverReport& report);  // render_json.cc
std::string RenderLeaverText(const LeaverReport& report);   // render_text.cc
std::string RenderLeaverCsv(const LeaverReport& report);    // render_csv.cc
// A whole page. `stylesheet` empty: the print CSS inline in <style>; else
// a <link> to it (a page served under a CSP without 'unsafe-inline').
std::string RenderLeaverHtml(const LeaverReport& report, std::string_view stylesheet = {});
// The report's <main> element alone, for a page with its own frame.
std::string RenderLeaverHtmlBody(const LeaverReport& report);
// Any format (the JSON pretty-printed), ending with a newline.
std::string RenderLeaverReport(const LeaverReport& report, ReportFormat format);

// `text` with & < > " ' as entities.
std::string HtmlEscape(std::string_view text);
// One CSV field: formula starts neutralised, then quoted when it holds a
// comma, quote, CR or LF (quotes doubled).
std::string CsvCell(std::string_view text);

}  // namespace staffgate::central

#endif  // STAFFGATE_CENTRAL_REPORTS_RENDER_H_
