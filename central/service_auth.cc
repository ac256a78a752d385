// Service: staffgate passwords (docs/design.md §10). Lookups read the
// snapshot (no lock a commit holds); a stored password is an admin-grade
// change: one transaction with the next roster, whose
// credentials_changed_at moves.
#include <algorithm>

#include "central/service.h"

namespace staffgate::central {

using common::ErrorKind;
using common::Fail;
using common::Result;

namespace {

CredentialLookup Describe(const State& state, const EmployeeRecord& e) {
  CredentialLookup out;
  out.employee_id = e.id;
  out.status = e.status;
  out.reset_after = e.credentials_reset_after;
  out.account = e.accounts.empty() ? std::string() : e.accounts.front();
  auto pw = state.passwords.find(e.id);
  if (pw == state.passwords.end()) return out;
  out.kind = CredentialLookup::Kind::kManaged;
  out.password = pw->second;
  return out;
}

}  // namespace

CredentialLookup Service::LookupAccount(const std::string& account,
                                        const std::string& workstation) const {
  std::shared_ptr<const StateSnapshot> snap = CurrentSnapshot();
  if (!snap || snap->state.shared_accounts.contains(account)) return {};
  auto it = snap->by_account.find(account);
  if (it == snap->by_account.end()) return {};
  CredentialLookup out = Describe(snap->state, *it->second);
  out.account = account;
  if (out.kind != CredentialLookup::Kind::kManaged || workstation.empty()) return out;
  static const std::vector<std::string> kNoGroups;
  auto ws = snap->state.workstations.find(workstation);
  if (!common::GroupsPermit(it->second->groups,
                            ws == snap->state.workstations.end() ? kNoGroups : ws->second.groups)) {
    out.kind = CredentialLookup::Kind::kNotPermitted;
  }
  return out;
}

Result<CredentialLookup> Service::LookupEmployee(const std::string& id) const {
  std::shared_ptr<const StateSnapshot> snap = CurrentSnapshot();
  auto it = snap->state.employees.find(id);
  if (it == snap->state.employees.end()) {
    return Fail(ErrorKind::kNotFound, "no employee with id '" + id.substr(0, 64) + "'");
  }
  return Describe(snap->state, it->second);
}

Result<std::uint64_t> Service::StorePassword(const std::string& employee_id, std::string hash,
                                             bool one_time,
                                             const std::optional<std::string>& expected_hash) {
  const common::UnixSeconds now = clock_.Now();
  auto changed = Change(
      [&](State& s) -> Result<void> {
        auto it = s.employees.find(employee_id);
        if (it == s.employees.end()) {
          return Fail(ErrorKind::kNotFound,
                      "no employee with id '" + employee_id.substr(0, 64) + "'");
        }
        auto old = s.passwords.find(employee_id);
        if (expected_hash && (old == s.passwords.end() || old->second.hash != *expected_hash)) {
          return Fail(ErrorKind::kUnavailable,
                      "the password was changed meanwhile by someone else; try again");
        }
        EmployeeRecord& e = it->second;
        // Times are whole seconds: a change in the second of a reset must
        // still count as after it (docs/design.md §3 row 10 compares with >).
        PasswordRecord record{std::move(hash), std::max(now, e.credentials_reset_after.value_or(0)),
                              one_time};
        if (one_time) e.credentials_reset_after = record.changed_at + 1;
        s.passwords[employee_id] = std::move(record);
        return common::Ok();
      },
      ChangeMode::kIfChanged, {"employee.set-password", employee_id});
  if (!changed) return tl::unexpected(changed.error());
  return Current()->serial;
}

Result<std::vector<LockoutRow>> Service::LoadLockouts() {
  std::lock_guard<std::mutex> lock(mu_);
  return store_->LoadLockouts();
}

Result<bool> Service::SaveLockouts(const std::vector<LockoutRow>& rows, Flush mode) {
  if (rows.empty()) return true;
  auto lock = LockForFlush(mode);
  if (!lock.owns_lock()) return false;
  // Relaxed like leases: a power cut may forget the last failures, never
  // an employee change.
  auto txn = Transaction::Begin(store_->db(), Durability::kRelaxed);
  if (!txn) return tl::unexpected(txn.error());
  for (const LockoutRow& row : rows) {
    if (auto ok = store_->PutLockout(row); !ok) return tl::unexpected(ok.error());
  }
  if (auto ok = txn->Commit(); !ok) return tl::unexpected(ok.error());
  return true;
}

void Service::QueueCentralEvent(const std::string& type, const std::string& account,
                                const std::string& workstation, common::Json extra) {
  Lease subject;
  subject.account = account;
  subject.workstation = workstation;
  leases_.QueueEvent(type, subject, std::move(extra));
}

}  // namespace staffgate::central
