#include "central/import_plan.h"

#include <string>
#include <unordered_set>

namespace staffgate::central {

using common::EmployeeStatus;
using common::ErrorKind;
using common::Fail;
using common::Result;

namespace {

// How many reactivations the refusal names before "and N more".
constexpr std::size_t kNamedInRefusal = 10;

std::string JoinList(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : ";") + item;
  return out;
}

std::string StatusName(EmployeeStatus status) {
  return std::string(common::EmployeeStatusName(status));
}

// The fields HR sets that differ between `before` and `after`.
std::vector<FieldChange> Diff(const EmployeeRecord& before, const EmployeeRecord& after) {
  std::vector<FieldChange> out;
  if (before.name != after.name) out.push_back({"name", before.name, after.name});
  if (before.accounts != after.accounts) {
    out.push_back({"accounts", JoinList(before.accounts), JoinList(after.accounts)});
  }
  if (before.status != after.status) {
    out.push_back({"status", StatusName(before.status), StatusName(after.status)});
  }
  if (before.groups != after.groups) {
    out.push_back({"groups", JoinList(before.groups), JoinList(after.groups)});
  }
  return out;
}

tl::unexpected<common::Error> RefuseReactivation(const std::vector<EmployeeChange>& reactivated) {
  std::string named;
  for (std::size_t i = 0; i < reactivated.size() && i < kNamedInRefusal; ++i) {
    named += (i != 0U ? ", " : "") + reactivated[i].id + " (line " +
             std::to_string(reactivated[i].line) + ")";
  }
  if (reactivated.size() > kNamedInRefusal) {
    named += " and " + std::to_string(reactivated.size() - kNamedInRefusal) + " more";
  }
  return Fail(ErrorKind::kInvalidInput,
              "the file would make " + std::to_string(reactivated.size()) + " terminated employee" +
                  (reactivated.size() == 1 ? "" : "s") + " active again (" + named +
                  "), so nothing was imported: give --allow-reactivate if they are back, "
                  "or correct their status");
}

void ApplyMissing(State& state, const std::unordered_set<std::string>& in_file,
                  MissingPolicy policy, ImportReport& report) {
  for (auto& [id, e] : state.employees) {
    if (in_file.contains(id) || e.status == EmployeeStatus::kTerminated) continue;
    EmployeeChange missing{id, 0, {}};
    EmployeeStatus next = e.status;
    if (policy == MissingPolicy::kSuspend) next = EmployeeStatus::kSuspended;
    if (policy == MissingPolicy::kTerminate) next = EmployeeStatus::kTerminated;
    if (next != e.status) {
      missing.fields.push_back({"status", StatusName(e.status), StatusName(next)});
      e.status = next;
    }
    report.missing.push_back(std::move(missing));
  }
}

}  // namespace

Result<ImportReport> PlanImport(State& state, std::vector<ImportRow> rows,
                                const ImportOptions& options) {
  ImportReport report;
  std::unordered_set<std::string> in_file;
  in_file.reserve(rows.size());
  for (ImportRow& row : rows) {
    in_file.insert(row.employee.id);
    auto it = state.employees.find(row.employee.id);
    if (it == state.employees.end()) {
      report.added.push_back(row.employee.id);
      state.employees.emplace(row.employee.id, std::move(row.employee));
      continue;
    }
    EmployeeRecord& current = it->second;
    row.employee.credentials_reset_after = current.credentials_reset_after;
    row.employee.uids = current.uids;  // Kept; AssignUids drops those of accounts gone.
    // Scheduled changes are not in the file: an import never drops one
    // (that would let a scheduled leaver stay, docs/design.md §11).
    row.employee.valid_from = current.valid_from;
    row.employee.pending = current.pending;
    std::vector<FieldChange> fields = Diff(current, row.employee);
    if (fields.empty()) {
      report.unchanged.push_back(row.employee.id);
      continue;
    }
    EmployeeChange change{row.employee.id, row.line, std::move(fields)};
    if (current.status == EmployeeStatus::kTerminated &&
        row.employee.status == EmployeeStatus::kActive) {
      report.reactivated.push_back(change);
    }
    report.changed.push_back(std::move(change));
    current = std::move(row.employee);
  }
  if (!report.reactivated.empty() && !options.allow_reactivate && !options.dry_run) {
    return RefuseReactivation(report.reactivated);
  }
  ApplyMissing(state, in_file, options.missing, report);
  return report;
}

}  // namespace staffgate::central
