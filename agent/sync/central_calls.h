// Short calls to "the central" (events, session leases, password checks)
// made through the CentralSelector: to the central in use, and once more
// to the next one when that one turns out to be down and time is left.
// What counts as down is decided here, once, for every caller.
#ifndef STAFFGATE_AGENT_SYNC_CENTRAL_CALLS_H_
#define STAFFGATE_AGENT_SYNC_CENTRAL_CALLS_H_

#include <functional>
#include <string>

#include "agent/sync/central_selector.h"
#include "common/https/https_client.h"
#include "common/result.h"

namespace staffgate::agent {

// Whether an outcome says the central itself is unusable, so another one
// should be asked: no connection, a TLS failure or a deadline passed
// (kUnavailable, kTimeout), or a 5xx other than 507 (its event store is
// full: a quota, not an outage). A 4xx is an answer: the central is up.
bool CentralDown(const common::Error& error);
bool CentralDown(long http_status);

// Sends one request to `url` within `deadline_ms`. Injected so the
// failover is tested without a network.
using CentralSend =
    std::function<common::Result<common::HttpsResponse>(const std::string& url, int deadline_ms)>;

// Calls `send` on the central in use and reports the outcome to
// `selector`. When it finds that central down and the selector moves to
// another one not known down, calls once more there, with what is left of
// `deadline_ms` (nothing when less than kMinRetryMs is left). With more
// than one central, the first try gets two thirds of the deadline, so a
// hung first central leaves time for the second. Returns the last outcome.
inline constexpr int kMinRetryMs = 250;
common::Result<common::HttpsResponse> CallCentral(CentralSelector& selector,
                                                  const CentralSend& send, int deadline_ms,
                                                  const common::Clock& clock);

// A CentralSend over `client` (its kept-alive connections): `req`, with
// the URL and deadline set in place (no copy: a body may hold a password).
// `client` and `req` must outlive the returned function.
CentralSend SendWith(common::HttpsClient& client, common::HttpsRequest& req);

}  // namespace staffgate::agent

#endif  // STAFFGATE_AGENT_SYNC_CENTRAL_CALLS_H_
