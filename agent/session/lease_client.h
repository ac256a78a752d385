// The central's session lease API (docs/design.md §6) as the agent
// sees it: acquire, renew and release one lease for (account, this
// workstation). An interface so the lease logic is tested without a
// network; HttpLeaseApi is the real one.
#ifndef STAFFGATE_AGENT_LEASE_CLIENT_H_
#define STAFFGATE_AGENT_LEASE_CLIENT_H_

#include <memory>
#include <string>
#include <vector>

#include "agent/sync/central_selector.h"
#include "common/https/https_client.h"

namespace staffgate::agent {

struct LeaseReply {
  enum class Kind {
    kGranted,      // 200/201 (acquire, renew) or 204 (release).
    kConflict,     // 409: `holder` has it.
    kNotFound,     // 404: unknown or lapsed (the central may have lost it: acquire again).
    kEnded,        // 410: an administrator ended it; its sessions here must end.
    kUnavailable,  // Network, TLS, timeout, 5xx, or an answer we cannot read.
    kRefused,      // 400/401/403: our request or token is wrong; retrying will not help.
  };
  Kind kind = Kind::kUnavailable;
  std::string id;      // Lease id (granted).
  int ttl_s = 0;       // Granted lease lifetime.
  std::string holder;  // Conflict: the other workstation.
  std::string error;   // Plain words for logs.
};

// The central's view of an account's leases (GET /v1/sessions?account=).
struct LeaseView {
  LeaseReply::Kind kind = LeaseReply::Kind::kUnavailable;  // kGranted: answered.
  bool here = false;                                       // This workstation holds one.
  std::vector<std::string> elsewhere;                      // Other holders.
  std::string error;
};

class LeaseApi {
 public:
  virtual ~LeaseApi() = default;
  // Changes nothing at the central. The default answers unavailable.
  virtual LeaseView View(const std::string& account) {
    (void)account;
    return {};
  }
  // Thread-safe; each call bounded by the implementation's deadline.
  virtual LeaseReply Acquire(const std::string& account) = 0;
  virtual LeaseReply Renew(const std::string& id) = 0;
  virtual LeaseReply Release(const std::string& id) = 0;
};

class HttpLeaseApi : public LeaseApi {
 public:
  // `deadline_ms` bounds each call (a login waits for Acquire), the try on
  // the next central included when the one in use is down (CallCentral).
  // `selector` and `clock` are shared with the central link.
  HttpLeaseApi(const common::HttpsOptions& options, std::shared_ptr<CentralSelector> selector,
               const common::Clock& clock, int deadline_ms);
  LeaseReply Acquire(const std::string& account) override;
  LeaseReply Renew(const std::string& id) override;
  LeaseReply Release(const std::string& id) override;
  LeaseView View(const std::string& account) override;

 private:
  // One request under /v1/sessions, bounded by the deadline.
  common::Result<common::HttpsResponse> Send(common::HttpsClient& client, const std::string& method,
                                             const std::string& path,
                                             const std::string& body) const;
  LeaseReply Call(common::HttpsClient& client, const std::string& method, const std::string& path,
                  const std::string& body) const;

  // Logins (Acquire) have a connection of their own, so a release or
  // renewal in flight on the gate's thread never makes them wait or pay
  // for a new TLS handshake.
  common::HttpsClient login_client_;
  common::HttpsClient upkeep_client_;
  std::shared_ptr<CentralSelector> selector_;
  const common::Clock& clock_;
  int deadline_ms_;
};

// Parses a lease answer (status and body) into a reply. Pure; exposed
// for tests and fuzzing.
LeaseReply ParseLeaseReply(long status, const std::string& body);
LeaseView ParseLeaseView(long status, const std::string& body);

}  // namespace staffgate::agent

#endif  // STAFFGATE_AGENT_LEASE_CLIENT_H_
