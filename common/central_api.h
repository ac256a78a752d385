// Names shared by the central's HTTP API and its clients (docs/design.md
// §6), so the central and the agent cannot drift apart on them.
#ifndef STAFFGATE_COMMON_CENTRAL_API_H_
#define STAFFGATE_COMMON_CENTRAL_API_H_

namespace staffgate::common {

// Response header on GET /v1/keys and GET /v1/roster for a workstation
// token: the name the central registered that token under. Absent for the
// admin token, so enrollment can refuse it.
inline constexpr char kWorkstationHeader[] = "Staffgate-Workstation";

}  // namespace staffgate::common

#endif  // STAFFGATE_COMMON_CENTRAL_API_H_
