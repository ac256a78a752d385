// Service: audit events from workstations (stored by the EventDesk, read
// for rollout records and password changes) and the lease rules that check
// an account before it gets a lease.
#include "central/service.h"

namespace staffgate::central {

using common::ErrorKind;
using common::Fail;
using common::Json;
using common::Result;

Result<EventBatchResult> Service::StoreEvents(const std::string& workstation, const Json& batch) {
  if (auto ok = EventDesk::CheckBatch(batch); !ok) return tl::unexpected(ok.error());
  // Rollout records learn from the roster events even when the batch is
  // refused below: the agent keeps it and sends it again (idempotent).
  NoteRosterEvents(workstation, batch);
  // Password changes stored for the first time (a batch sent again must not
  // end a reset made since, service_password_changes.cc).
  Json first_changes = Json::array();
  auto result = events_.StoreBatch(workstation, batch, first_changes);
  if (!result || result->refusal != EventBatchResult::Refusal::kNone) return result;
  // Clearing a reset publishes, and records its own event.
  if (auto noted = NotePasswordChanges(workstation, first_changes); !noted) {
    return tl::unexpected(noted.error());
  }
  return result;
}

Result<std::vector<Json>> Service::Events(const EventQuery& query) {
  (void)FlushLeases();  // So the lease events decided so far are listed too.
  return events_.Query(query);
}

std::shared_ptr<const StateSnapshot> BuildStateSnapshot(const State& state) {
  auto snap = std::make_shared<StateSnapshot>();
  snap->state = state;
  snap->by_account.reserve(state.employees.size());
  for (const auto& [id, e] : snap->state.employees) {
    for (const std::string& account : e.accounts) snap->by_account[account] = &e;
  }
  snap->next_due = NextDue(snap->state);
  return snap;
}

std::shared_ptr<const StateSnapshot> Service::CurrentSnapshot() const {
  std::lock_guard<std::mutex> lock(current_mu_);
  return snapshot_;
}

Result<void> Service::CheckLeaseAllowed(const std::string& account,
                                        const std::string& workstation) const {
  std::shared_ptr<const StateSnapshot> snap = CurrentSnapshot();
  if (!snap) return Fail(ErrorKind::kInternal, "no state loaded");
  if (snap->state.shared_accounts.contains(account)) {
    return Fail(ErrorKind::kForbidden, "'" + account + "' is a shared account: no session lease");
  }
  auto it = snap->by_account.find(account);
  if (it == snap->by_account.end()) {
    return Fail(ErrorKind::kForbidden,
                "no employee has the account '" + account + "': no session lease");
  }
  const EmployeeRecord& e = *it->second;
  if (e.status != common::EmployeeStatus::kActive) {
    return Fail(ErrorKind::kForbidden, "the employee of account '" + account + "' is " +
                                           std::string(common::EmployeeStatusName(e.status)) +
                                           ": no session lease");
  }
  static const std::vector<std::string> kNoGroups;
  auto ws = snap->state.workstations.find(workstation);
  if (!common::GroupsPermit(e.groups,
                            ws == snap->state.workstations.end() ? kNoGroups : ws->second.groups)) {
    return Fail(ErrorKind::kForbidden, "account '" + account +
                                           "' is not permitted on workstation " + workstation +
                                           ": no session lease");
  }
  return common::Ok();
}

}  // namespace staffgate::central
