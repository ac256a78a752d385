// The central's password endpoints as the agent sees them (docs/design.md
// §10): POST /v1/auth/verify and /v1/auth/change with the workstation
// token, over the central link's TLS settings. An interface so the
// password logic is tested without a network; HttpCentralAuth is the real
// one. The bodies are common/auth_api.h's.
//
// "Unreachable" is only what says the central did not answer: a network or
// TLS failure, a timeout, or a 5xx/429. Any answer the central gives
// (bad_credentials, locked_out, 401...) is never turned into an offline
// check.
#ifndef STAFFGATE_AGENT_AUTH_CENTRAL_AUTH_H_
#define STAFFGATE_AGENT_AUTH_CENTRAL_AUTH_H_

#include <memory>
#include <string>

#include "agent/sync/central_selector.h"
#include "common/auth_api.h"
#include "common/https/https_client.h"

namespace staffgate::agent {

struct VerifyOutcome {
  enum class Kind {
    kAnswered,     // `result` holds the central's answer.
    kUnreachable,  // No answer: check offline.
    kRefused,      // The central answered something else (401, 403, 400, a bad body).
  };
  Kind kind = Kind::kUnreachable;
  common::VerifyResult result = common::VerifyResult::kBadCredentials;
  std::string error;  // Plain words for logs; never holds a password.
};

struct ChangeOutcome {
  enum class Kind {
    kChanged,      // 200.
    kRefused,      // 422: `refusal` (weak_password, bad_credentials).
    kNotManaged,   // 404: the central keeps no password for the account.
    kUnreachable,  // Network, TLS, timeout, 5xx, 429.
    kFailed,       // Any other answer (401, 403, 400, a bad body).
  };
  Kind kind = Kind::kUnreachable;
  common::ChangeRefusal refusal;
  std::string error;  // Plain words for logs.
};

class CentralAuth {
 public:
  virtual ~CentralAuth() = default;
  // Thread-safe; each call bounded by `deadline_ms` (a sign-in waits).
  virtual VerifyOutcome Verify(const common::VerifyRequest& request, int deadline_ms) = 0;
  virtual ChangeOutcome Change(const common::ChangeRequest& request, int deadline_ms) = 0;
};

class HttpCentralAuth : public CentralAuth {
 public:
  // Each call goes to the central `selector` has in use, and to the next
  // one within the deadline when that one is down (CallCentral).
  HttpCentralAuth(const common::HttpsOptions& options, std::shared_ptr<CentralSelector> selector,
                  const common::Clock& clock);
  VerifyOutcome Verify(const common::VerifyRequest& request, int deadline_ms) override;
  ChangeOutcome Change(const common::ChangeRequest& request, int deadline_ms) override;

 private:
  // POSTs `body` (wiped afterwards: it holds a password) to `path`.
  common::Result<common::HttpsResponse> Post(const char* path, std::string body, int deadline_ms);

  common::HttpsClient client_;
  std::shared_ptr<CentralSelector> selector_;
  const common::Clock& clock_;
};

// Pure mappings of (status, body), exposed for tests and fuzzing.
VerifyOutcome ParseVerifyOutcome(long status, const std::string& body);
ChangeOutcome ParseChangeOutcome(long status, const std::string& body);

}  // namespace staffgate::agent

#endif  // STAFFGATE_AGENT_AUTH_CENTRAL_AUTH_H_
