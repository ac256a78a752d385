// "Confirmed on N of M workstations" (docs/design.md §11): which
// workstations have installed a roster serial, counted over those in
// contact within online_window_s. Pure: the time comes in as an argument.
// Shared by `GET /v1/admin/rollout`, `workstation list` and
// `employee terminate --wait`, so they all say the same.
#ifndef STAFFGATE_CENTRAL_ROLLOUT_SUMMARY_H_
#define STAFFGATE_CENTRAL_ROLLOUT_SUMMARY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "central/model.h"
#include "central/rollout_book.h"
#include "common/time_util.h"

namespace staffgate::central {

// The serials this central published: up to `highest`, except those it
// stepped over (State::unpublished_serials).
struct PublishedSerials {
  std::uint64_t highest = 0;
  std::vector<SerialRange> skipped;

  bool Contains(std::uint64_t serial) const;
};

// One registered workstation as the central knows it.
struct FleetMember {
  std::string name;
  std::optional<common::UnixSeconds> last_contact;
  std::string agent_version;
  RolloutRecord rollout;
};

struct WorkstationProgress {
  FleetMember member;
  bool online = false;     // In contact within online_window_s.
  bool confirmed = false;  // Has installed the serial, or a later one of the central's.
  // When the central learned of the roster it uses now (confirmed only).
  std::optional<common::UnixSeconds> confirmed_at;
};

struct RolloutSummary {
  std::uint64_t serial = 0;
  common::UnixSeconds now = 0;
  std::int64_t online_window_s = 0;
  std::size_t online = 0;                         // M
  std::size_t confirmed = 0;                      // N: online and confirmed.
  std::vector<WorkstationProgress> workstations;  // By name.

  // Every workstation in contact has confirmed (true for an empty fleet).
  bool Complete() const { return confirmed == online; }
};

// A workstation confirms `serial` once it uses a roster the central
// published at or after it. A serial above every published one, or one
// the central stepped over, is an offline roster: it confirms nothing.
RolloutSummary SummarizeRollout(std::vector<FleetMember> members, std::uint64_t serial,
                                const PublishedSerials& published, common::UnixSeconds now,
                                std::int64_t online_window_s);

// "confirmed on N of M workstations".
std::string ConfirmationLine(const RolloutSummary& summary);
// "last seen 2 days ago", "last seen just now", "never seen".
std::string LastSeen(std::optional<common::UnixSeconds> last_contact, common::UnixSeconds now);

}  // namespace staffgate::central

#endif  // STAFFGATE_CENTRAL_ROLLOUT_SUMMARY_H_
