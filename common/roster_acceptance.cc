#include "common/roster_acceptance.h"

#include "common/envelope.h"

namespace staffgate::common {

Result<AcceptedRoster> AcceptRoster(std::string_view envelope,
                                    const std::vector<PublicKey>& trusted, UnixSeconds now,
                                    std::optional<std::uint64_t> highest_serial,
                                    AcceptanceOptions options) {
  if (trusted.empty()) return Fail(ErrorKind::kBadSignature, "no trusted roster keys configured");
  auto verified = VerifyEnvelope(envelope, kRosterPayloadType, trusted);
  if (!verified) return tl::unexpected(verified.error());
  auto roster = ParseRoster(verified->payload);
  if (!roster) return tl::unexpected(roster.error());
  if (!options.ignore_expiry && roster->expires_at <= now) {
    return Fail(ErrorKind::kExpired, "roster serial " + std::to_string(roster->serial) +
                                         " expired at " + FormatRfc3339(roster->expires_at));
  }
  if (!options.ignore_expiry && roster->issued_at > now + kMaxRosterIssuedAhead) {
    return Fail(ErrorKind::kInvalidInput, "roster serial " + std::to_string(roster->serial) +
                                              " is issued at " + FormatRfc3339(roster->issued_at) +
                                              ", more than 5 minutes after this machine's clock (" +
                                              FormatRfc3339(now) + "); check the clocks");
  }
  if (!options.ignore_expiry && roster->expires_at - roster->issued_at > kMaxRosterLifetime) {
    return Fail(ErrorKind::kInvalidInput,
                "roster serial " + std::to_string(roster->serial) + " claims a lifetime of " +
                    std::to_string((roster->expires_at - roster->issued_at) / 86400) +
                    " days (issued_at " + FormatRfc3339(roster->issued_at) + ", expires_at " +
                    FormatRfc3339(roster->expires_at) + "); at most 90 days are accepted");
  }
  if (highest_serial && roster->serial < *highest_serial) {
    return Fail(ErrorKind::kRollback, "roster serial " + std::to_string(roster->serial) +
                                          " is older than the accepted serial " +
                                          std::to_string(*highest_serial));
  }
  AcceptedRoster out;
  out.no_change = highest_serial && roster->serial == *highest_serial;
  out.roster = std::make_shared<const Roster>(std::move(*roster));
  return out;
}

}  // namespace staffgate::common
