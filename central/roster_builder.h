// Builds the staffgate.roster.v1 payload (docs/design.md §2) from the central's
// State. Only ids, account names, statuses, groups and reset times go in:
// employee names stay in the central.
#ifndef STAFFGATE_CENTRAL_ROSTER_BUILDER_H_
#define STAFFGATE_CENTRAL_ROSTER_BUILDER_H_

#include <cstdint>
#include <string>

#include "central/model.h"
#include "common/time_util.h"

namespace staffgate::central {

// Deterministic JSON text (sorted keys and ids) ending in a newline.
std::string BuildRosterPayload(const State& state, std::uint64_t serial,
                               common::UnixSeconds issued_at, common::UnixSeconds expires_at,
                               const std::string& organization);

}  // namespace staffgate::central

#endif  // STAFFGATE_CENTRAL_ROSTER_BUILDER_H_
