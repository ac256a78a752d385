// The agent's acceptance rules for a roster envelope (docs/design.md §2,
// TUF-style): signature from a trusted key, right type and schema, not
// expired, no rollback. Pure: the caller supplies the time and the highest
// serial it has accepted so far, and decides what to do with the result.
#ifndef STAFFGATE_COMMON_ROSTER_ACCEPTANCE_H_
#define STAFFGATE_COMMON_ROSTER_ACCEPTANCE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/ed25519.h"
#include "common/result.h"
#include "common/roster.h"
#include "common/time_util.h"

namespace staffgate::common {

struct AcceptedRoster {
  std::shared_ptr<const Roster> roster;
  // True when the serial equals `highest_serial`: nothing to install.
  bool no_change = false;
};

struct AcceptanceOptions {
  // Skip the expiry rule: only to learn the serial floor of an expired
  // cached roster at start-up, never to serve decisions from it.
  bool ignore_expiry = false;
};

// Errors: kTooLarge, kInvalidInput, kBadSignature (see VerifyEnvelope and
// ParseRoster), kExpired (expires_at <= now), kRollback (serial lower than
// highest_serial).
Result<AcceptedRoster> AcceptRoster(std::string_view envelope,
                                    const std::vector<PublicKey>& trusted, UnixSeconds now,
                                    std::optional<std::uint64_t> highest_serial,
                                    AcceptanceOptions options = {});

}  // namespace staffgate::common

#endif  // STAFFGATE_COMMON_ROSTER_ACCEPTANCE_H_
