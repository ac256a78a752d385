#include "central/reports/leaver_report.h"

#include <algorithm>
#include <map>
#include <tuple>
#include <type_traits>

#include "central/event_store.h"

namespace staffgate::central {

using common::Json;
using common::UnixSeconds;

namespace {

std::string Text(const Json& obj, const char* key) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

template <typename T>
std::optional<T> Number(const Json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_number_integer()) return std::nullopt;
  if (it->is_number_unsigned()) return static_cast<T>(it->get<std::uint64_t>());
  const std::int64_t v = it->get<std::int64_t>();
  if (v < 0 && std::is_unsigned_v<T>) return std::nullopt;
  return static_cast<T>(v);
}

// The employee's fields on one side of a journal entry (an object), or
// null: a change of one employee holds its fields alone (FlattenSingle),
// a change of several holds {"employees": {id: fields}}.
Json EmployeeSide(const JournalEntry& entry, const Json& side, const std::string& id) {
  if (!side.is_object()) return Json(nullptr);
  auto employees = side.find("employees");
  if (employees != side.end()) {
    if (!employees->is_object()) return Json(nullptr);
    auto it = employees->find(id);
    return it != employees->end() && it->is_object() ? *it : Json(nullptr);
  }
  if (entry.target == id && entry.action.rfind("employee.", 0) == 0) return side;
  return Json(nullptr);
}

struct Scheduling {
  const JournalEntry* entry = nullptr;
  std::optional<UnixSeconds> due;
};

void ApplyScheduling(LeaverTermination& t, const Scheduling& s) {
  if (s.entry == nullptr) return;
  t.scheduled = true;
  t.scheduled_at = s.entry->time;
  t.scheduled_by = s.entry->who;
  t.scheduled_from = s.entry->from;
  t.scheduled_serial = s.entry->serial;
  t.scheduled_for = s.due;
}

}  // namespace

ReportEvent ReportEventFromJson(const Json& event) {
  ReportEvent e;
  if (!event.is_object()) return e;
  e.time_ms = EventTimeMs(event).value_or(0);
  e.received_ms = EventTimeMs(Json{{"time", Text(event, "received")}}).value_or(e.time_ms);
  e.workstation = Text(event, "workstation");
  e.type = Text(event, "type");
  e.account = Text(event, "account");
  e.decision = Text(event, "decision");
  e.reason = Text(event, "reason");
  e.detail = Text(event, "detail");
  e.phase = Text(event, "phase");
  e.service = Text(event, "service");
  e.rhost = Text(event, "rhost");
  e.source = Text(event, "source");
  if (e.source.empty()) e.source = "agent";
  e.employee = Text(event, "employee");
  e.change = Text(event, "change");
  if (auto it = event.find("status_changed"); it != event.end() && it->is_boolean())
    e.status_changed = it->get<bool>();
  e.serial = Number<std::uint64_t>(event, "serial");
  e.count = Number<std::int64_t>(event, "count");
  return e;
}

bool IsSessionEnd(const std::string& type) {
  return type == "sessions_terminated" || type == "session_close" || type == "lease_ended_by_admin";
}

bool IsLoginAttempt(const std::string& type) {
  return type == "decision" || type == "authenticate";
}

std::size_t LeaverReport::Confirmed() const {
  return static_cast<std::size_t>(std::count_if(workstations.begin(), workstations.end(),
                                                [](const auto& w) { return w.confirmed; }));
}

LeaverTermination FindTermination(const std::string& employee_id,
                                  const std::vector<JournalEntry>& journal,
                                  const std::vector<ReportEvent>& scheduled) {
  const JournalEntry* now_entry = nullptr;  // The latest "status: terminated".
  Scheduling scheduling;                    // The latest "pending: terminated".
  for (const JournalEntry& entry : journal) {
    const Json after = EmployeeSide(entry, entry.after, employee_id);
    if (!after.is_object()) continue;
    if (Text(after, "status") == "terminated") now_entry = &entry;
    auto pending = after.find("pending");
    if (pending != after.end() && pending->is_object() &&
        Text(*pending, "status") == "terminated") {
      scheduling.entry = &entry;
      auto due = common::ParseRfc3339(Text(*pending, "at"));
      scheduling.due = due ? std::optional<UnixSeconds>(*due) : std::nullopt;
    }
  }
  const ReportEvent* applied = nullptr;  // The central carried out a scheduled one.
  for (const ReportEvent& e : scheduled) {
    if (e.type == "scheduled_change" && e.employee == employee_id && e.change == "terminated" &&
        e.status_changed) {
      applied = &e;
    }
  }
  LeaverTermination t;
  if (applied != nullptr && (now_entry == nullptr || applied->time_ms / 1000 >= now_entry->time)) {
    t.recorded = true;
    t.at = applied->time_ms / 1000;
    t.by = "";
    t.action = "scheduled";
    t.serial = applied->serial;
    if (scheduling.entry != nullptr && scheduling.entry->time <= *t.at)
      ApplyScheduling(t, scheduling);
    else
      t.scheduled = true;
    return t;
  }
  if (now_entry != nullptr) {
    t.recorded = true;
    t.at = now_entry->time;
    t.by = now_entry->who;
    t.from = now_entry->from;
    t.action = now_entry->action;
    t.serial = now_entry->serial;
    return t;
  }
  if (scheduling.entry != nullptr) {
    // The central's own record of carrying it out is missing (the event
    // store refused it): the journal still says who scheduled it for when.
    t.recorded = true;
    t.at = scheduling.due;
    t.action = "scheduled";
    ApplyScheduling(t, scheduling);
  }
  return t;
}

namespace {

common::Result<void> CheckTerminated(const EmployeeRecord& e) {
  if (e.status == common::EmployeeStatus::kTerminated) return common::Ok();
  std::string message = "employee " + e.id.substr(0, 64) + " is not terminated";
  if (e.pending && e.pending->status == common::EmployeeStatus::kTerminated) {
    message += " yet: the termination is scheduled for " + common::FormatRfc3339(e.pending->at);
  } else {
    message += " (status " + std::string(common::EmployeeStatusName(e.status)) + ")";
  }
  return common::Fail(common::ErrorKind::kInvalidInput,
                      message + "; a leaver report needs a terminated employee");
}

// The earliest time (central clock) each workstation was seen holding a
// roster that confirms `serial`, from its roster_installed events.
std::map<std::string, UnixSeconds> FirstInstalls(const LeaverInputs& in, std::uint64_t serial) {
  std::map<std::string, UnixSeconds> first;
  for (const ReportEvent& e : in.events) {
    if (e.type != "roster_installed" || !e.serial || *e.serial < serial ||
        !in.published.Contains(*e.serial)) {
      continue;
    }
    const UnixSeconds at = e.received_ms / 1000;
    auto [it, inserted] = first.emplace(e.workstation, at);
    if (!inserted) it->second = std::min(it->second, at);
  }
  return first;
}

std::vector<LeaverWorkstation> Workstations(const LeaverInputs& in, std::uint64_t serial) {
  const RolloutSummary summary =
      SummarizeRollout(in.fleet, serial, in.published, in.now, in.online_window_s);
  const auto first = FirstInstalls(in, serial);
  std::vector<LeaverWorkstation> out;
  for (const WorkstationProgress& p : summary.workstations) {
    LeaverWorkstation w;
    w.name = p.member.name;
    w.confirmed = p.confirmed;
    w.confirmed_at = p.confirmed_at;
    if (auto it = first.find(w.name); w.confirmed && it != first.end()) {
      w.confirmed_at = w.confirmed_at ? std::min(*w.confirmed_at, it->second) : it->second;
    }
    w.installed_serial = p.member.rollout.installed_serial;
    w.last_contact = p.member.last_contact;
    w.online = p.online;
    out.push_back(std::move(w));
  }
  return out;
}

}  // namespace

common::Result<LeaverReport> AssembleLeaverReport(const LeaverInputs& in) {
  const EmployeeRecord& e = in.employee;
  if (auto ok = CheckTerminated(e); !ok) return tl::unexpected(ok.error());
  LeaverReport r;
  r.employee_id = e.id;
  r.name = e.name;
  r.accounts = e.accounts;
  r.generated_at = in.now;
  r.current_serial = in.published.highest;
  r.online_window_s = in.online_window_s;
  r.truncated = in.truncated;
  r.termination = FindTermination(e.id, in.journal, in.scheduled);
  // Without a record, the current roster certainly carries the termination.
  r.workstations = Workstations(in, r.termination.EnforcingSerial().value_or(in.published.highest));
  const auto ended = r.termination.EndedAt();
  const std::int64_t since_ms = ended ? *ended * 1000 : 0;
  for (const ReportEvent& ev : in.events) {
    if (std::find(e.accounts.begin(), e.accounts.end(), ev.account) == e.accounts.end()) continue;
    if (IsSessionEnd(ev.type) && (ev.time_ms >= since_ms || ev.received_ms >= since_ms)) {
      r.sessions_ended.push_back(ev);
    } else if (IsLoginAttempt(ev.type) && ev.time_ms >= since_ms) {
      r.login_attempts.push_back(ev);
    }
  }
  auto by_time = [](const ReportEvent& a, const ReportEvent& b) {
    return std::tie(a.time_ms, a.workstation) < std::tie(b.time_ms, b.workstation);
  };
  std::stable_sort(r.sessions_ended.begin(), r.sessions_ended.end(), by_time);
  std::stable_sort(r.login_attempts.begin(), r.login_attempts.end(), by_time);
  return r;
}

}  // namespace staffgate::central
