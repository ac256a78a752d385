#include "central/rollout_summary.h"

#include <algorithm>

namespace staffgate::central {

bool PublishedSerials::Contains(std::uint64_t serial) const {
  if (serial == 0 || serial > highest) return false;
  return std::none_of(skipped.begin(), skipped.end(), [serial](const SerialRange& r) {
    return serial >= r.first && serial <= r.last;
  });
}

RolloutSummary SummarizeRollout(std::vector<FleetMember> members, std::uint64_t serial,
                                const PublishedSerials& published, common::UnixSeconds now,
                                std::int64_t online_window_s) {
  RolloutSummary out;
  out.serial = serial;
  out.now = now;
  out.online_window_s = online_window_s;
  std::sort(members.begin(), members.end(),
            [](const FleetMember& a, const FleetMember& b) { return a.name < b.name; });
  out.workstations.reserve(members.size());
  for (FleetMember& member : members) {
    WorkstationProgress p;
    p.online = member.last_contact && now - *member.last_contact <= online_window_s;
    const auto& installed = member.rollout.installed_serial;
    p.confirmed = installed && *installed >= serial && published.Contains(*installed);
    if (p.confirmed) p.confirmed_at = member.rollout.installed_at;
    out.online += p.online ? 1 : 0;
    out.confirmed += p.online && p.confirmed ? 1 : 0;
    p.member = std::move(member);
    out.workstations.push_back(std::move(p));
  }
  return out;
}

std::string ConfirmationLine(const RolloutSummary& summary) {
  return "confirmed on " + std::to_string(summary.confirmed) + " of " +
         std::to_string(summary.online) + " workstations";
}

std::string LastSeen(std::optional<common::UnixSeconds> last_contact, common::UnixSeconds now) {
  if (!last_contact) return "never seen";
  const std::int64_t ago = std::max<std::int64_t>(0, now - *last_contact);
  if (ago == 0) return "last seen just now";
  struct Unit {
    std::int64_t seconds, below;  // Used while `ago` < below.
    const char* name;
  };
  static constexpr Unit kUnits[] = {{1, 120, "second"},
                                    {60, 120L * 60, "minute"},
                                    {3600, 48L * 3600, "hour"},
                                    {86400, INT64_MAX, "day"}};
  for (const Unit& unit : kUnits) {
    if (ago >= unit.below) continue;
    const std::int64_t n = ago / unit.seconds;
    return "last seen " + std::to_string(n) + " " + unit.name + (n == 1 ? "" : "s") + " ago";
  }
  return "last seen long ago";
}

}  // namespace staffgate::central
