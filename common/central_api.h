// Names shared by the central's HTTP API and its clients (docs/design.md
// §6), so the central and the agent cannot drift apart on them.
#ifndef STAFFGATE_COMMON_CENTRAL_API_H_
#define STAFFGATE_COMMON_CENTRAL_API_H_

namespace staffgate::common {

// Response header on GET /v1/keys and GET /v1/roster for a workstation
// token: the name the central registered that token under. Absent for the
// admin token, so enrollment can refuse it.
inline constexpr char kWorkstationHeader[] = "Staffgate-Workstation";

// Response header on a GET /v1/roster answer (200 or 304), value "1": an
// administrator ended one of this workstation's session leases, so the
// agent renews its leases now (and learns which from the 410s) instead of
// at its next ttl/3. A held long-poll is answered at once for it.
inline constexpr char kLeaseEndedHeader[] = "Staffgate-Lease-Ended";

}  // namespace staffgate::common

#endif  // STAFFGATE_COMMON_CENTRAL_API_H_
