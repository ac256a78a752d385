// The central's HTTP API (docs/design.md §6) without HTTP: requests and
// responses as plain structs, so routing, authentication and every status
// code are testable without sockets. The Beast layer (http/connection.cc)
// only moves bytes and holds long-polls.
#ifndef STAFFGATE_CENTRAL_API_API_H_
#define STAFFGATE_CENTRAL_API_API_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "central/metrics.h"
#include "central/service.h"
#include "central/wait_hub.h"
#include "common/json_util.h"
#include "common/result.h"

namespace staffgate::central {

struct ApiRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // Path and query, as received.
  std::string body;
  std::string authorization, if_none_match, prefer, user_agent;
  std::string remote;  // The peer's address (the action journal's "from").
  // For the console (ui/console.h) only; /v1 never reads them.
  std::string cookie, origin, sec_fetch_site, host;
};

struct ApiResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

// What to do with a request: answer now, or hold it (a long-poll) until
// the serial moves past `known_serial` or `wait_s` seconds pass, then call
// Api::AnswerRoster.
struct ApiOutcome {
  ApiResponse response;
  bool hold = false;
  std::uint64_t known_serial = 0;
  int wait_s = 0;
  std::string workstation;  // A hold: whose (woken early by a lease end).
  // The request carried a valid workstation or admin token: the server
  // counts its connection against the full max_connections from now on.
  bool authenticated = false;
  // Set for password work (argon2id): the server hands it to Api::Defer
  // instead of answering `response`, so no network thread hashes.
  std::function<ApiResponse()> deferred;
};

class Authenticator;
class WorkPool;
class Console;

class Api {
 public:
  // `service`, `metrics` and `hub` must outlive the Api. Thread-safe.
  Api(Service& service, Metrics& metrics, const WaitHub& hub, int max_wait_s);

  ApiOutcome Handle(const ApiRequest& request);
  // Whether Handle answers `request` from memory, never waiting for the
  // database: a roster fetch or long-poll, the signing keys and /metrics
  // (so the central can be watched while its database hangs). The server
  // handles the rest on its request pool (docs/design.md §12), so a
  // database that hangs holds a worker, never the threads serving rosters.
  static bool AnswersFromMemory(const ApiRequest& request);
  // Whether `request` is a workstation's call on the login path (session
  // leases, events, password checks): the server gives those workers of
  // their own, so a flood of console or admin requests cannot hold up a
  // login.
  static bool IsWorkstationCall(const ApiRequest& request);
  // Reads the live lease count into /metrics' gauge: in memory on SQLite
  // (at each /metrics), from the database on PostgreSQL (so never on a
  // network thread: the housekeeping calls it).
  void RefreshLiveLeases();
  // Staffgate passwords (auth.cc): without an Authenticator the password
  // endpoints answer 503. `auth` must outlive the Api.
  void SetAuthenticator(Authenticator* auth) { auth_ = auth; }
  // The HR console under /ui/ (and "/", which redirects there); without one
  // those paths answer 404. `console` must outlive the Api.
  void SetConsole(Console* console) { console_ = console; }
  // The request pools whose counts /metrics shows; null: none shown. Set
  // before serving; cleared (nullptr) once no request can run any more.
  void SetWorkPools(const WorkPool* logins, const WorkPool* requests) {
    login_pool_ = logins;
    request_pool_ = requests;
  }
  // Runs an outcome's `deferred` on the hashing pool and calls `done` with
  // its answer (on a pool thread), or with 503 + Retry-After when no
  // hashing slot frees up in time (then maybe on the calling thread).
  // Without an Authenticator (stopping) it answers 503 at once. Counts the
  // answer's status.
  void Defer(std::function<ApiResponse()> work, std::function<void(ApiResponse)> done);
  // The answer to a held roster request: 200 with the envelope when the
  // serial moved past `known_serial`, else 304. For a `workstation` it
  // carries kWorkstationHeader (the token's name), and kLeaseEndedHeader
  // when it has a lease notice (LeaseDesk::TakeNotice).
  ApiResponse AnswerRoster(std::uint64_t known_serial, const std::string& workstation = "");
  // Whether a held request of `workstation` should be answered now.
  bool HasLeaseNotice(const std::string& workstation) const {
    return !workstation.empty() && service_.lease_desk().HasNotice(workstation);
  }
  std::uint64_t CurrentSerial() const { return service_.Current()->serial; }

  // Parses an If-None-Match value: "42", W/"42" or 42.
  static std::optional<std::uint64_t> ParseEtag(const std::string& value);
  // Parses "wait=N" out of a Prefer header; nullopt when absent.
  static std::optional<int> ParsePreferWait(const std::string& value);

 private:
  // POST /v1/sessions, PUT/DELETE /v1/sessions/{id} for `workstation`
  // (sessions.cc).
  ApiResponse Sessions(const ApiRequest& request, const std::string& path,
                       const std::string& workstation);
  // GET /healthz and GET /metrics: no token (docs/design.md §13).
  ApiResponse Healthz();
  ApiResponse MetricsPage();
  // GET /v1/roster: the envelope, a 304, or (in `out`) a held long-poll.
  ApiOutcome Roster(const ApiRequest& request, const std::optional<std::string>& workstation);
  // POST /v1/events from `workstation` (quota: 429/507 with Retry-After).
  ApiResponse Events(const ApiRequest& request, const std::string& workstation);
  // The endpoints a workstation (or the admin token, for reading) calls.
  ApiOutcome HandleWorkstation(const ApiRequest& request, const std::string& path,
                               const std::string& token);
  // The same, once the token is known to be valid.
  ApiOutcome RouteWorkstation(const ApiRequest& request, const std::string& path,
                              const std::optional<std::string>& workstation, bool sessions);
  // Counts the response's status class in the metrics.
  ApiOutcome Finish(ApiResponse response);
  void CountStatus(const ApiResponse& response);
  // The hashing pool's counters into metrics_ (auth.cc).
  void CopyHashPoolStats();
  void CopyWorkPoolStats();
  // POST /v1/auth/verify and /v1/auth/change (auth.cc), workstation token.
  ApiOutcome HandleAuth(const ApiRequest& request, const std::string& path,
                        const std::string& token);
  // POST /v1/admin/employees/{id}/set-password | unlock (auth.cc).
  ApiOutcome AdminAuth(const ApiRequest& request, const std::string& path, const std::string& id,
                       const std::string& action);

  Service& service_;
  Metrics& metrics_;
  const WaitHub& hub_;
  int max_wait_s_;
  Authenticator* auth_ = nullptr;
  const WorkPool* login_pool_ = nullptr;
  const WorkPool* request_pool_ = nullptr;
  Console* console_ = nullptr;
};

// {"error":"<kind>","message":"..."} with the matching status.
ApiResponse JsonError(int status, const std::string& error, const std::string& message);
// `body` as one JSON line with the given status.
ApiResponse JsonAnswer(int status, const common::Json& body);
// The status and JSON error for an error value: 400 kInvalidInput, 413
// kTooLarge, 404 kNotFound, 403 kForbidden, 503 with Retry-After
// (kStoreRetryAfterS) for kIo and kUnavailable, else 500.
ApiResponse ErrorResponse(const common::Error& error);
inline constexpr int kStoreRetryAfterS = 5;

}  // namespace staffgate::central

#endif  // STAFFGATE_CENTRAL_API_API_H_
