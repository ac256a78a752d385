// Service: admin changes and reads. Each change goes through Change(), so
// it is validated as a whole state, written in one transaction with the
// next roster, and wakes the long-polls.
#include <algorithm>

#include "central/import_plan.h"
#include "central/schedule.h"
#include "central/service.h"
#include "central/tokens.h"
#include "central/validation.h"

namespace staffgate::central {

using common::ErrorKind;
using common::Fail;
using common::Result;

namespace {

tl::unexpected<common::Error> NoEmployee(const std::string& id) {
  return Fail(ErrorKind::kNotFound, "no employee with id '" + id.substr(0, 64) + "'");
}

// The journal's name of a status change.
std::string StatusAction(common::EmployeeStatus status) {
  switch (status) {
    case common::EmployeeStatus::kTerminated:
      return "employee.terminate";
    case common::EmployeeStatus::kSuspended:
      return "employee.suspend";
    case common::EmployeeStatus::kActive:
      return "employee.reinstate";
  }
  return "employee.status";
}

// `accounts` without repeats, in their order.
std::vector<std::string> Unique(const std::vector<std::string>& accounts) {
  std::vector<std::string> unique;
  for (const std::string& a : accounts) {
    if (std::find(unique.begin(), unique.end(), a) == unique.end()) unique.push_back(a);
  }
  return unique;
}

}  // namespace

Result<EmployeeRecord> Service::AddEmployee(EmployeeRecord employee) {
  if (auto ok = CheckEmployeeId(employee.id); !ok) return tl::unexpected(ok.error());
  if (employee.accounts.empty())
    return Fail(ErrorKind::kInvalidInput, "an employee needs at least one account");
  employee.accounts = Unique(employee.accounts);
  for (const auto& [account, uid] : employee.uids) {
    if (std::find(employee.accounts.begin(), employee.accounts.end(), account) ==
        employee.accounts.end()) {
      return Fail(ErrorKind::kInvalidInput, "uid " + std::to_string(uid) + " is for account '" +
                                                account.substr(0, 64) +
                                                "', which is not one of the employee's accounts");
    }
  }
  if (employee.groups.empty()) employee.groups = {"*"};
  employee.pending.reset();  // Scheduled only on an existing employee.
  if (employee.valid_from) {
    if (auto ok = CheckStart(*employee.valid_from, clock_.Now()); !ok) {
      return tl::unexpected(ok.error());
    }
  }
  auto changed = Change(
      [&](State& s) -> Result<void> {
        if (s.employees.contains(employee.id)) {
          return Fail(ErrorKind::kInvalidInput, "employee " + employee.id + " already exists");
        }
        s.employees[employee.id] = employee;
        return common::Ok();
      },
      ChangeMode::kIfChanged, {"employee.add", employee.id});
  if (!changed) return tl::unexpected(changed.error());
  std::lock_guard<std::mutex> lock(mu_);  // The record as stored: with its uids.
  auto it = state_.employees.find(employee.id);
  return it != state_.employees.end() ? it->second : employee;
}

Result<EmployeeRecord> Service::UpdateEmployee(const std::string& id, std::string name,
                                               std::vector<std::string> accounts,
                                               std::vector<std::string> groups) {
  if (accounts.empty()) {
    return Fail(ErrorKind::kInvalidInput,
                "accounts is blank: list the employee's accounts separated by ','");
  }
  if (groups.empty()) {
    return Fail(ErrorKind::kInvalidInput,
                "groups is blank: list the employee's groups separated by ',', or write * for "
                "every workstation");
  }
  auto changed = Change(
      [&](State& s) -> Result<void> {
        auto it = s.employees.find(id);
        if (it == s.employees.end()) return NoEmployee(id);
        std::vector<ImportRow> rows(1, ImportRow{0, it->second});
        rows[0].employee.name = name;
        rows[0].employee.accounts = Unique(accounts);
        rows[0].employee.groups = groups;
        auto planned = PlanImport(s, std::move(rows), ImportOptions{});  // Nobody else changes.
        if (!planned) return tl::unexpected(planned.error());
        return common::Ok();
      },
      ChangeMode::kIfChanged, {"employee.update", id});
  if (!changed) return tl::unexpected(changed.error());
  std::lock_guard<std::mutex> lock(mu_);  // The record as stored: with its uids.
  auto it = state_.employees.find(id);
  if (it == state_.employees.end()) return NoEmployee(id);
  return it->second;
}

Result<EmployeeRecord> Service::SetStatus(const std::string& id, common::EmployeeStatus status,
                                          std::optional<common::UnixSeconds> at) {
  EmployeeRecord out;
  const common::UnixSeconds now = clock_.Now();
  auto changed = Change(
      [&](State& s) -> Result<void> {
        auto it = s.employees.find(id);
        if (it == s.employees.end()) return NoEmployee(id);
        if (at) {
          if (auto ok = ScheduleStatus(it->second, status, *at, now); !ok) return ok;
        } else {
          SetStatusNow(it->second, status);
        }
        out = it->second;
        return common::Ok();
      },
      ChangeMode::kIfChanged, {StatusAction(status), id});
  if (!changed) return tl::unexpected(changed.error());
  return out;
}

Result<EmployeeRecord> Service::ResetCredentials(const std::string& id) {
  EmployeeRecord out;
  bool had_password = false;
  const common::UnixSeconds now = clock_.Now();
  auto changed = Change(
      [&](State& s) -> Result<void> {
        auto it = s.employees.find(id);
        if (it == s.employees.end()) return NoEmployee(id);
        it->second.credentials_reset_after = now;
        // A staffgate password set in this very second must count as before
        // the reset (times are whole seconds, and row 10 compares with >).
        if (auto pw = s.passwords.find(id); pw != s.passwords.end()) {
          it->second.credentials_reset_after = std::max(now, pw->second.changed_at + 1);
          had_password = true;
        }
        out = it->second;
        return common::Ok();
      },
      ChangeMode::kIfChanged, {"employee.reset-credentials", id});
  if (!changed) return tl::unexpected(changed.error());
  QueueCentralEvent("credentials_reset", out.accounts.empty() ? "" : out.accounts.front(), "",
                    common::Json{{"employee", id}, {"staffgate_password", had_password}});
  (void)FlushLeases();  // Best effort: a failure keeps the event queued for the next flush.
  return out;
}

Result<EmployeeRecord> Service::ClearCredentialsReset(const std::string& id) {
  EmployeeRecord out;
  auto changed = Change(
      [&](State& s) -> Result<void> {
        auto it = s.employees.find(id);
        if (it == s.employees.end()) return NoEmployee(id);
        it->second.credentials_reset_after.reset();
        out = it->second;
        return common::Ok();
      },
      ChangeMode::kIfChanged, {"employee.clear-credentials-reset", id});
  if (!changed) return tl::unexpected(changed.error());
  QueueCentralEvent("credentials_reset_cleared", out.accounts.empty() ? "" : out.accounts.front(),
                    "", common::Json{{"employee", id}});
  (void)FlushLeases();  // Best effort: a failure keeps the event queued for the next flush.
  return out;
}

Result<void> Service::AddShared(const std::string& name) {
  if (auto ok = CheckAccountName(name); !ok) return ok;
  auto changed = Change(
      [&](State& s) -> Result<void> {
        s.shared_accounts.insert(name);
        return common::Ok();
      },
      ChangeMode::kIfChanged, {"shared-account.add", name});
  if (!changed) return tl::unexpected(changed.error());
  return common::Ok();
}

Result<void> Service::RemoveShared(const std::string& name) {
  auto changed = Change(
      [&](State& s) -> Result<void> {
        if (s.shared_accounts.erase(name) == 0U) {
          return Fail(ErrorKind::kNotFound, "'" + name.substr(0, 64) + "' is not a shared account");
        }
        return common::Ok();
      },
      ChangeMode::kIfChanged, {"shared-account.remove", name});
  if (!changed) return tl::unexpected(changed.error());
  return common::Ok();
}

Result<void> Service::SetMaxWorkstationsPerAccount(std::uint32_t max) {
  auto changed = Change(
      [&](State& s) -> Result<void> {
        s.max_workstations_per_account = max;
        return common::Ok();
      },
      ChangeMode::kIfChanged, {"policy.set", "max-workstations-per-account"});
  if (!changed) return tl::unexpected(changed.error());
  return common::Ok();
}

std::vector<EmployeeRecord> Service::Employees() const {
  auto snap = CurrentSnapshot();
  std::vector<EmployeeRecord> out;
  out.reserve(snap->state.employees.size());
  for (const auto& [id, e] : snap->state.employees) out.push_back(e);
  return out;
}

std::set<std::string> Service::SharedAccounts() const {
  return CurrentSnapshot()->state.shared_accounts;
}

std::vector<WorkstationRecord> Service::Workstations() const {
  std::vector<WorkstationRecord> out;
  for (const auto& [name, w] : CurrentSnapshot()->state.workstations) out.push_back(w);
  contacts_.OverlayContacts(out);
  return out;
}

std::size_t Service::WorkstationCount() const {
  return CurrentSnapshot()->state.workstations.size();
}

std::uint32_t Service::MaxWorkstationsPerAccount() const { return max_workstations_.load(); }

}  // namespace staffgate::central
