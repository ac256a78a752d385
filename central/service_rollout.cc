// Service: rollout confirmation (docs/design.md §11) — which roster each
// workstation uses, who has confirmed a serial, and following a
// workstation's offline roster serial so it takes the central's again.
// The records live in the ContactBook (a poll costs a map lookup, no
// write) and reach the database with the batched contacts.
#include <algorithm>
#include <tuple>

#include "central/service.h"

namespace staffgate::central {

using common::Json;
using common::Result;

void Service::RecordInstalled(const std::string& workstation, std::uint64_t known,
                              std::uint64_t current) {
  const common::UnixSeconds now = clock_.Now();
  contacts_.OnPoll(workstation, known, current, now);
}

void Service::NoteRosterEvents(const std::string& workstation, const Json& batch) {
  std::vector<const Json*> roster_events;
  for (const Json& event : batch) {
    auto type = event.is_object() ? event.find("type") : event.end();
    if (type != event.end() && type->is_string() &&
        type->get_ref<const std::string&>().rfind("roster_", 0) == 0) {
      roster_events.push_back(&event);
    }
  }
  if (roster_events.empty()) return;
  const std::uint64_t current = Current()->serial;
  const common::UnixSeconds now = clock_.Now();
  contacts_.OnEvents(workstation, roster_events, current, now);
}

std::vector<FleetMember> Service::Fleet() const {
  std::vector<FleetMember> members;
  for (WorkstationRecord& w : Workstations()) {
    members.push_back(
        FleetMember{std::move(w.name), w.last_contact, std::move(w.agent_version), {}});
  }
  contacts_.FillRollout(members);
  return members;
}

RolloutSummary Service::Rollout(std::optional<std::uint64_t> serial) const {
  const std::uint64_t current = Current()->serial;
  PublishedSerials published{current, CurrentSnapshot()->state.unpublished_serials};
  return SummarizeRollout(Fleet(), serial.value_or(current), published, clock_.Now(),
                          options_.online_window_s);
}

std::uint64_t Service::TopSerialLocked(const State& state) const {
  std::uint64_t top = high_water_;
  for (const SerialRange& r : state.unpublished_serials) top = std::max(top, r.last);
  return top;
}

Result<FollowOutcome> Service::FollowInstalledSerials() {
  FollowOutcome out;
  std::tie(out.installed, out.workstation) = contacts_.HighestInstalled();
  if (out.installed <= Current()->serial) return out;  // The usual case: nothing to follow.
  const common::UnixSeconds now = clock_.Now();
  {
    auto lock = LockForFlush(Flush::kSkipIfBusy);
    if (!lock.owns_lock()) return out;  // Next tick.
    const std::uint64_t top = TopSerialLocked(state_);
    if (out.installed <= top) return out;
    if (out.installed - top > kMaxOfflineSerialLead) {
      if (refused_follow_ != out.installed) {
        refused_follow_ = out.installed;
        out.warning = "workstation " + out.workstation + " reports roster serial " +
                      std::to_string(out.installed) + ", more than " +
                      std::to_string(kMaxOfflineSerialLead) + " above the central's " +
                      std::to_string(top) +
                      ": not followed (sign offline rosters closer to the central's serial)";
      }
      return out;
    }
    if (last_follow_ && now - *last_follow_ < kFollowIntervalS) return out;
    last_follow_ = now;
  }
  const std::uint64_t target = out.installed;
  auto changed = Change([&](State& s) -> Result<void> {
    const std::uint64_t first = TopSerialLocked(s) + 1;  // Change holds mu_.
    if (target < first) return common::Ok();             // Passed meanwhile: no change.
    s.unpublished_serials.push_back(SerialRange{first, target});
    if (s.unpublished_serials.size() > kMaxUnpublishedRanges)
      s.unpublished_serials.erase(s.unpublished_serials.begin());
    return common::Ok();
  });
  if (!changed) return tl::unexpected(changed.error());
  if (!*changed) return out;
  out.published = true;
  out.serial = Current()->serial;
  QueueCentralEvent("serial_followed", "", out.workstation,
                    Json{{"serial", out.serial},
                         {"installed_serial", out.installed},
                         {"detail", "published above the offline roster serial " +
                                        std::to_string(out.installed) + " of " + out.workstation}});
  return out;
}

}  // namespace staffgate::central
