// Audit events in the console (docs/design.md §11): filters, and the same
// selection as CSV with every cell a spreadsheet could run as a formula
// neutralised (CsvCell, shared with the leaver report: reports/render.h).
#include "central/api/admin.h"
#include "central/reports/render.h"
#include "central/ui/handlers.h"
#include "central/ui/page.h"

namespace staffgate::central {

namespace {

constexpr std::size_t kPageLimit = 500;
constexpr std::size_t kCsvLimit = 100000;
constexpr const char* kFilters[] = {"workstation", "account", "decision", "type", "since"};
constexpr const char* kColumns[] = {"time",    "workstation", "type",  "account",
                                    "service", "decision",    "reason"};

// One CSV line of `cells` (CRLF, RFC 4180).
std::string CsvRow(const std::vector<std::string>& cells) {
  std::string row;
  for (std::size_t i = 0; i < cells.size(); ++i) row += (i > 0 ? "," : "") + CsvCell(cells[i]);
  return row + "\r\n";
}

std::string Field(const common::Json& event, const char* key) {
  auto it = event.find(key);
  if (it == event.end() || it->is_null()) return {};
  return it->is_string() ? it->get<std::string>() : common::DumpJson(*it);
}

// The filters of the query; kInvalidInput for a bad `since`.
common::Result<EventQuery> Filters(const std::string& query, std::size_t limit) {
  EventQuery q;
  q.workstation = QueryParam(query, "workstation");
  q.account = QueryParam(query, "account");
  q.decision = QueryParam(query, "decision");
  q.type = QueryParam(query, "type");
  q.limit = limit;
  auto since = SinceParam(query);
  if (!since) {
    return common::Fail(common::ErrorKind::kInvalidInput,
                        "'since' must be a time like 2026-12-04T17:30:00Z");
  }
  if (*since) q.since_ms = **since * 1000;
  return q;
}

}  // namespace

ApiOutcome UiEvents(UiContext& context, const UiRequest& request) {
  PageData data = BasePage(request.session, "Events");
  for (const char* filter : kFilters) data.set(filter, QueryParam(request.query, filter));
  data.set("csv_href", "/ui/events.csv" + (request.query.empty() ? "" : "?" + request.query));
  auto query = Filters(request.query, kPageLimit);
  auto events = query ? context.service.Events(*query)
                      : common::Result<std::vector<common::Json>>(tl::unexpected(query.error()));
  if (!events) data.set("error", Sentence(events.error().message));
  PageList rows;
  for (const common::Json& event : events ? *events : std::vector<common::Json>{}) {
    PageData row;
    for (const char* column : kColumns) row.set(column, Field(event, column));
    rows.push_back(row);
  }
  data.set("any", !rows.empty());
  data.set("events", rows);
  return Answer(Page(events ? 200 : 400, "events", std::move(data)));
}

ApiOutcome UiEventsCsv(UiContext& context, const UiRequest& request) {
  auto query = Filters(request.query, kCsvLimit);
  if (!query) {
    return Answer(
        MessagePage(400, request.session, "Events", Sentence(query.error().message), "/ui/events"));
  }
  auto events = context.service.Events(*query);
  if (!events) {
    return Answer(MessagePage(500, request.session, "Events",
                              "The events cannot be read now; try again.", "/ui/events"));
  }
  ApiResponse r;
  r.content_type = "text/csv; charset=utf-8";
  r.headers.emplace_back("Content-Disposition", "attachment; filename=\"staffgate-events.csv\"");
  r.body = CsvRow({std::begin(kColumns), std::end(kColumns)});
  for (const common::Json& event : *events) {
    std::vector<std::string> cells;
    for (const char* column : kColumns) cells.push_back(Field(event, column));
    r.body += CsvRow(cells);
  }
  return Answer(std::move(r));
}

}  // namespace staffgate::central
