// Service: the leaver report (docs/design.md §11). Gathers what the
// central holds about one terminated employee — its journal entries, the
// central's scheduled_change events, the accounts' events and the fleet's
// roster_installed events since the termination, the workstations with
// their rollout records — and hands them to AssembleLeaverReport (pure,
// reports/leaver_report.h).
#include "central/service.h"

namespace staffgate::central {

using common::Result;

namespace {

// Caps on what one report reads; an account's events reaching theirs mark the
// report truncated.
constexpr std::size_t kMaxJournal = 10000;
constexpr std::size_t kMaxScheduled = 10000;
constexpr std::size_t kMaxAccountEvents = 20000;
constexpr std::size_t kMaxRosterEvents = 200000;
// Events are looked up by receipt; one received this long before the
// termination may still have happened after it by its workstation's clock.
constexpr std::int64_t kReceiptSlackMs = 5L * 60 * 1000;

// The accounts' events from the end of access; installations from the
// publication of the serial that carried it (a scheduled one's earlier).
std::vector<EventQuery> LeaverEventQueries(const LeaverTermination& termination,
                                           const std::vector<std::string>& accounts) {
  auto from = [](std::optional<common::UnixSeconds> t) -> std::optional<std::int64_t> {
    if (!t) return std::nullopt;
    return *t * 1000 - kReceiptSlackMs;
  };
  std::vector<EventQuery> out;
  for (const std::string& account : accounts) {
    EventQuery q;
    q.since_ms = from(termination.EndedAt());
    q.account = account;
    q.limit = kMaxAccountEvents;
    q.oldest_first = true;
    out.push_back(std::move(q));
  }
  EventQuery installs;
  installs.since_ms = from(termination.Since());
  installs.type = "roster_installed";
  installs.limit = kMaxRosterEvents;
  installs.oldest_first = true;
  out.push_back(std::move(installs));
  return out;
}

}  // namespace

Result<LeaverReport> Service::BuildLeaverReport(const std::string& id) {
  LeaverInputs in;
  {
    auto snap = CurrentSnapshot();
    auto it = snap->state.employees.find(id);
    if (it == snap->state.employees.end())
      return common::Fail(common::ErrorKind::kNotFound,
                          "no employee with id '" + id.substr(0, 64) + "'");
    in.employee = it->second;
    in.published = PublishedSerials{Current()->serial, snap->state.unpublished_serials};
  }
  in.now = clock_.Now();
  in.online_window_s = options_.online_window_s;
  if (in.employee.status != common::EmployeeStatus::kTerminated) return AssembleLeaverReport(in);
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto journal = store_->LoadJournalFor(id, kMaxJournal);
    if (!journal) return tl::unexpected(journal.error());
    in.journal = std::move(*journal);
  }
  // Only the oldest installations matter (the first of a confirming
  // serial), so a full list of them leaves nothing out that is reported.
  auto append = [&in](std::vector<ReportEvent>& to, const EventQuery& query,
                      Result<std::vector<common::Json>> got) -> Result<void> {
    if (!got) return tl::unexpected(got.error());
    if (query.type != "roster_installed" && got->size() >= query.limit) in.truncated = true;
    for (const common::Json& e : *got) to.push_back(ReportEventFromJson(e));
    return common::Ok();
  };
  EventQuery scheduled;
  scheduled.type = "scheduled_change";
  scheduled.limit = kMaxScheduled;
  if (auto ok = append(in.scheduled, scheduled, Events(scheduled)); !ok)
    return tl::unexpected(ok.error());
  const LeaverTermination termination = FindTermination(id, in.journal, in.scheduled);
  for (const EventQuery& q : LeaverEventQueries(termination, in.employee.accounts)) {
    if (auto ok = append(in.events, q, Events(q)); !ok) return tl::unexpected(ok.error());
  }
  in.fleet = Fleet();
  return AssembleLeaverReport(in);
}

}  // namespace staffgate::central
