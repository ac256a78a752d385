// Builds the staffgate.roster.v1 payload (docs/design.md §2) from the
// central's State. Only ids, account names, statuses, groups, reset times,
// uids and posix groups go in: employee names stay in the central unless
// central.conf says publish_display_names = true.
#ifndef STAFFGATE_CENTRAL_ROSTER_BUILDER_H_
#define STAFFGATE_CENTRAL_ROSTER_BUILDER_H_

#include <cstdint>
#include <string>

#include "central/model.h"
#include "common/time_util.h"

namespace staffgate::central {

struct RosterBuildOptions {
  std::string organization;
  bool publish_display_names = false;  // Each employee's non-empty name as display_name.
};

// Deterministic JSON text (sorted keys and ids) ending in a newline.
// Per employee `posix` ({"account": {"uid": N}}) when the accounts have
// uids; top-level `posix_groups` ({"name": {"gid": N, "roles": [...]}},
// no gid for a local group) always. `valid_from` for a starter and
// `valid_until` (the time of a pending terminate/suspend) when set.
std::string BuildRosterPayload(const State& state, std::uint64_t serial,
                               common::UnixSeconds issued_at, common::UnixSeconds expires_at,
                               const RosterBuildOptions& options);

}  // namespace staffgate::central

#endif  // STAFFGATE_CENTRAL_ROSTER_BUILDER_H_
