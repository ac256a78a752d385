// Service: local password changes reported by workstations. Shadow keeps
// whole days, so the module's password phase has the agent send the
// exact time as a password_changed event; a change at or after the
// employee's credentials reset clears the reset (docs/design.md §3 row
// 10), and the next roster tells every workstation.
#include <algorithm>

#include "central/event_store.h"
#include "central/service.h"

namespace staffgate::central {

using common::Json;
using common::Result;

namespace {

struct PasswordChange {
  std::string account;
  common::UnixSeconds at = 0;
};

// The password_changed events of a batch with an account, their times
// clamped to `now` (the time of first receipt): a workstation clock
// running ahead must not date a change after resets still to come.
std::vector<PasswordChange> PasswordChangesIn(const Json& batch, common::UnixSeconds now) {
  std::vector<PasswordChange> out;
  for (const Json& event : batch) {
    if (!event.is_object()) continue;
    auto account = event.find("account");
    if (!IsPasswordChange(event) || account == event.end() || !account->is_string()) continue;
    auto time_ms = EventTimeMs(event);
    if (!time_ms) continue;  // No exact time: nothing to compare with the reset.
    out.push_back({account->get<std::string>(), std::min(*time_ms / 1000, now)});
  }
  return out;
}

}  // namespace

bool IsPasswordChange(const Json& event) {
  auto type = event.is_object() ? event.find("type") : event.end();
  return type != event.end() && type->is_string() && *type == "password_changed";
}

bool ChangeEndsReset(const std::optional<common::UnixSeconds>& reset_after,
                     common::UnixSeconds changed_at) {
  // Row 10 requires a change while reset_after > changed_at.
  return reset_after.has_value() && changed_at >= *reset_after;
}

Result<void> Service::NotePasswordChanges(const std::string& workstation, const Json& batch) {
  if (!batch.is_array()) return common::Ok();
  for (const PasswordChange& change : PasswordChangesIn(batch, clock_.Now())) {
    // Only where the person may sign in: a workstation cannot end the
    // reset of someone it does not serve.
    if (!CheckLeaseAllowed(change.account, workstation)) continue;
    auto cleared = ClearResetAfterChange(change.account, change.at, workstation);
    if (!cleared) return cleared;
  }
  return common::Ok();
}

Result<void> Service::ClearResetAfterChange(const std::string& account,
                                            common::UnixSeconds changed_at,
                                            const std::string& workstation) {
  std::string id;
  if (std::shared_ptr<const StateSnapshot> snap = CurrentSnapshot()) {
    auto it = snap->by_account.find(account);
    if (it == snap->by_account.end() ||
        !ChangeEndsReset(it->second->credentials_reset_after, changed_at)) {
      return common::Ok();  // Most batches: nothing to clear, no write.
    }
    id = it->second->id;
  } else {
    return common::Ok();
  }
  bool cleared = false;
  auto changed = Change(
      [&](State& s) -> Result<void> {
        auto it = s.employees.find(id);
        // Checked again under the lock: a reset made since stays.
        if (it == s.employees.end() ||
            !ChangeEndsReset(it->second.credentials_reset_after, changed_at)) {
          return common::Ok();
        }
        it->second.credentials_reset_after.reset();
        cleared = true;
        return common::Ok();
      },
      ChangeMode::kIfChanged);
  if (!changed) return tl::unexpected(changed.error());
  if (!cleared) return common::Ok();
  QueueCentralEvent("credentials_reset_cleared", account, workstation,
                    Json{{"employee", id},
                         {"by", "password_change"},
                         {"changed_at", common::FormatRfc3339(changed_at)}});
  (void)FlushLeases();  // Best effort: a failure keeps the event queued for the next flush.
  return common::Ok();
}

}  // namespace staffgate::central
