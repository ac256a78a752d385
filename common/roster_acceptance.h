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

// A roster stamped further ahead of the agent's clock than this, or valid
// for longer than kMaxRosterLifetime, is refused: a signing key that was
// misused (or a badly set clock at the central) must not mint a roster
// that outlives every later one (docs/design.md §2, acceptance rules).
inline constexpr UnixSeconds kMaxRosterIssuedAhead = 5L * 60;
inline constexpr UnixSeconds kMaxRosterLifetime = 90L * 24 * 3600;

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
// highest_serial), kInvalidInput (issued_at more than
// kMaxRosterIssuedAhead after now, or expires_at more than
// kMaxRosterLifetime after issued_at). ignore_expiry skips these time rules
// (the serial floor of a cached roster is learnt whatever its times).
Result<AcceptedRoster> AcceptRoster(std::string_view envelope,
                                    const std::vector<PublicKey>& trusted, UnixSeconds now,
                                    std::optional<std::uint64_t> highest_serial,
                                    AcceptanceOptions options = {});

}  // namespace staffgate::common

#endif  // STAFFGATE_COMMON_ROSTER_ACCEPTANCE_H_
