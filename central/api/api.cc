// Api: routing, authentication and the workstation endpoints.
// The /v1/admin resources are in admin_*.cc, routed by admin_routes.cc.
#include "central/api/api.h"

#include <atomic>
#include <cstdint>
#include <cstdlib>

#include "central/api/admin.h"
#include "central/auth/authenticator.h"
#include "central/journal/actor.h"
#include "central/ui/console.h"
#include "central/work_pool.h"
#include "common/auth_api.h"
#include "common/central_api.h"
#include "common/json_util.h"

namespace staffgate::central {

using common::ErrorKind;
using common::Json;

namespace {

std::string BearerToken(const std::string& header) {
  constexpr std::string_view kPrefix = "Bearer ";
  if (header.size() <= kPrefix.size()) return {};
  for (std::size_t i = 0; i < kPrefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(header[i])) !=
        std::tolower(static_cast<unsigned char>(kPrefix[i]))) {
      return {};
    }
  }
  std::string token = header.substr(kPrefix.size());
  while (!token.empty() && token.front() == ' ') token.erase(0, 1);
  while (!token.empty() && token.back() == ' ') token.pop_back();
  return token;
}

ApiResponse Text(int status, std::string content_type, std::string body) {
  ApiResponse r;
  r.status = status;
  r.content_type = std::move(content_type);
  r.body = std::move(body);
  return r;
}

}  // namespace

ApiResponse JsonAnswer(int status, const Json& body) {
  return Text(status, "application/json", common::DumpJson(body) + "\n");
}

ApiResponse JsonError(int status, const std::string& error, const std::string& message) {
  return JsonAnswer(status, Json{{"error", error}, {"message", message}});
}

Api::Api(Service& service, Metrics& metrics, const WaitHub& hub, int max_wait_s)
    : service_(service), metrics_(metrics), hub_(hub), max_wait_s_(max_wait_s) {}

std::optional<std::uint64_t> Api::ParseEtag(const std::string& value) {
  std::string_view v = value;
  while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
  while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
  if (v.substr(0, 2) == "W/") v.remove_prefix(2);
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
  if (v.empty() || v.size() > 20) return std::nullopt;
  std::uint64_t out = 0;
  for (char ch : v) {
    if (ch < '0' || ch > '9') return std::nullopt;
    out = out * 10 + static_cast<std::uint64_t>(ch - '0');
  }
  return out;
}

std::optional<int> Api::ParsePreferWait(const std::string& value) {
  auto pos = value.find("wait=");
  if (pos == std::string::npos) return std::nullopt;
  int n = 0;
  int digits = 0;
  for (std::size_t i = pos + 5;
       i < value.size() && value[i] >= '0' && value[i] <= '9' && digits < 6; ++i, ++digits) {
    n = n * 10 + (value[i] - '0');
  }
  if (digits == 0) return std::nullopt;
  return n;
}

ApiResponse ErrorResponse(const common::Error& error) {
  switch (error.kind) {
    case ErrorKind::kInvalidInput:
      return JsonError(400, "invalid_input", error.message);
    case ErrorKind::kTooLarge:
      return JsonError(413, "too_large", error.message);
    case ErrorKind::kNotFound:
      return JsonError(404, "not_found", error.message);
    case ErrorKind::kForbidden:
      return JsonError(403, "forbidden", error.message);
    case ErrorKind::kIo:
    case ErrorKind::kUnavailable: {
      // The database is away or refused the write (nothing changed): a
      // caller may try again, and an agent moves to another central
      // (docs/design.md §12).
      ApiResponse r = JsonError(503, std::string(common::ErrorKindName(error.kind)), error.message);
      r.headers.emplace_back("Retry-After", std::to_string(kStoreRetryAfterS));
      return r;
    }
    default:
      return JsonError(500, std::string(common::ErrorKindName(error.kind)), error.message);
  }
}

ApiResponse Api::AnswerRoster(std::uint64_t known_serial, const std::string& workstation) {
  auto current = service_.Current();
  ApiResponse r;
  if (!workstation.empty()) {
    // Who this token belongs to, on every answer including a held one: the
    // agent enforces that workstation's groups (docs/design.md §6).
    r.headers.emplace_back(common::kWorkstationHeader, workstation);
    if (service_.lease_desk().TakeNotice(workstation))
      r.headers.emplace_back(common::kLeaseEndedHeader, "1");
  }
  r.headers.emplace_back("ETag", "\"" + std::to_string(current->serial) + "\"");
  r.headers.emplace_back("Cache-Control", "no-cache");
  if (current->serial == known_serial) {
    ++metrics_.roster_304;
    r.status = 304;
    r.content_type.clear();
    return r;
  }
  ++metrics_.roster_200;
  r.content_type = "application/json";
  r.body = current->envelope;
  return r;
}

void Api::CountStatus(const ApiResponse& r) {
  if (r.status == 401)
    ++metrics_.unauthorized;
  else if (r.status >= 500)
    ++metrics_.server_errors;
  else if (r.status >= 400)
    ++metrics_.bad_requests;
}

ApiOutcome Api::Finish(ApiResponse r) {
  CountStatus(r);
  ApiOutcome out;
  out.response = std::move(r);
  return out;
}

namespace {

ApiResponse MethodNotAllowed(const ApiRequest& req, const std::string& path) {
  return JsonError(405, "method_not_allowed", req.method + " is not allowed on " + path);
}

}  // namespace

ApiResponse Api::Healthz() {
  auto healthy = service_.Healthy();
  if (!healthy) return JsonError(503, "unhealthy", healthy.error().message);
  // Storage trouble of the event store is reported, not fatal: rosters,
  // employee changes and leases work on (docs/design.md §13).
  EventStorageHealth events = service_.events().Health();
  Json storage = {{"accepting", events.accepting},
                  {"used_bytes", events.used_bytes},
                  {"max_bytes", events.max_bytes},
                  {"free_bytes", events.free_bytes},
                  {"min_free_bytes", events.min_free_bytes}};
  if (!events.accepting) storage["problem"] = events.problem;
  return JsonAnswer(200, Json{{"status", events.accepting ? "ok" : "degraded"},
                              {"event_store", std::move(storage)}});
}

namespace {

// One pool's counters into its three metrics.
void CopyPoolStats(const WorkPoolStats& stats, std::atomic<std::uint64_t>& queued,
                   std::atomic<std::uint64_t>& rejected, std::atomic<std::int64_t>& waiting) {
  queued = stats.queued.load();
  rejected = stats.rejected.load();
  waiting = stats.waiting.load();
}

}  // namespace

void Api::CopyHashPoolStats() {
  // Not after StopHashing: auth_ is unset first.
  CopyPoolStats(auth_->pool_stats(), metrics_.auth_hash_queued, metrics_.auth_hash_rejected,
                metrics_.auth_hash_waiting);
}

// The request pools' counters, read where they live. Runs on a network
// thread; the server clears the pointers after those have ended, before it
// joins the pools.
void Api::CopyWorkPoolStats() {
  if (login_pool_ != nullptr) {
    CopyPoolStats(login_pool_->stats(), metrics_.login_pool_queued, metrics_.login_pool_rejected,
                  metrics_.login_pool_waiting);
  }
  if (request_pool_ != nullptr) {
    CopyPoolStats(request_pool_->stats(), metrics_.request_pool_queued,
                  metrics_.request_pool_rejected, metrics_.request_pool_waiting);
  }
}

void Api::RefreshLiveLeases() {
  // A database that cannot count leaves the last count.
  if (auto live = service_.LiveLeaseCount()) {
    metrics_.leases_live = static_cast<std::int64_t>(*live);
  }
}

ApiResponse Api::MetricsPage() {
  auto current = service_.Current();
  metrics_.leases_lapsed = service_.lease_desk().Lapsed();
  // This page never waits for the database (it answers on a network
  // thread): on PostgreSQL the live lease count is the housekeeping's.
  if (!service_.SharesDatabase()) RefreshLiveLeases();
  metrics_.events_lost = service_.events().Lost();
  if (auth_ != nullptr) CopyHashPoolStats();
  CopyWorkPoolStats();
  return Text(200, "text/plain; version=0.0.4",
              metrics_.Render(current->serial, current->expires_at, hub_.Size(),
                              service_.WorkstationCount()));
}

ApiOutcome Api::Roster(const ApiRequest& req, const std::optional<std::string>& workstation) {
  std::optional<std::uint64_t> known;
  if (!req.if_none_match.empty()) known = ParseEtag(req.if_none_match);
  auto current = service_.Current();
  if (workstation) {
    service_.RecordContact(*workstation, current->serial, req.user_agent);
    // The roster it uses (rollout confirmation, docs/design.md §11).
    if (known) service_.RecordInstalled(*workstation, *known, current->serial);
  }
  std::optional<int> wait = ParsePreferWait(req.prefer);
  if (known && *known == current->serial && wait && *wait > 0 && max_wait_s_ > 0 &&
      !HasLeaseNotice(workstation.value_or(""))) {
    ++metrics_.long_polls;
    ApiOutcome out;
    out.hold = true;
    out.known_serial = *known;
    out.wait_s = std::min(*wait, max_wait_s_);
    out.workstation = workstation.value_or("");
    return out;
  }
  return Finish(AnswerRoster(known.value_or(~std::uint64_t{0}), workstation.value_or("")));
}

ApiResponse Api::Events(const ApiRequest& req, const std::string& workstation) {
  service_.RecordContact(workstation, std::nullopt, req.user_agent);
  auto batch = common::ParseJson(req.body, common::JsonLimits{req.body.size() + 1, 16});
  if (!batch) return JsonError(400, "invalid_input", "events: " + batch.error().message);
  auto stored = service_.StoreEvents(workstation, *batch);
  if (!stored) return ErrorResponse(stored.error());
  if (stored->refusal != EventBatchResult::Refusal::kNone) {
    const bool quota = stored->refusal == EventBatchResult::Refusal::kQuota;
    ++(quota ? metrics_.event_batches_over_quota : metrics_.event_batches_store_full);
    ApiResponse r = quota ? JsonError(429, "over_quota", stored->message)
                          : JsonError(507, "event_store_full", stored->message);
    r.headers.emplace_back("Retry-After", std::to_string(stored->retry_after_s));
    return r;
  }
  metrics_.events_clamped += stored->clamped;
  metrics_.events_accepted += stored->accepted;
  metrics_.events_duplicate += stored->duplicates;
  metrics_.events_rejected += stored->rejected;
  return Text(202, "application/json",
              common::DumpJson(Json{{"accepted", stored->accepted},
                                    {"duplicates", stored->duplicates},
                                    {"rejected", stored->rejected}}) +
                  "\n");
}

ApiOutcome Api::HandleWorkstation(const ApiRequest& req, const std::string& path,
                                  const std::string& token) {
  const bool sessions = path == "/v1/sessions" || path.rfind("/v1/sessions/", 0) == 0;
  if (path != "/v1/roster" && path != "/v1/keys" && path != "/v1/events" && !sessions) {
    return Finish(JsonError(404, "not_found", "no such endpoint"));
  }
  std::optional<std::string> workstation = service_.WorkstationForToken(token);
  const bool admin = !workstation && !token.empty() && service_.IsAdminToken(token);
  if (!workstation && !admin) {
    return Finish(JsonError(401, "unauthorized", "a valid workstation token is required"));
  }
  ApiOutcome outcome = RouteWorkstation(req, path, workstation, sessions);
  outcome.authenticated = true;
  return outcome;
}

ApiOutcome Api::RouteWorkstation(const ApiRequest& req, const std::string& path,
                                 const std::optional<std::string>& workstation, bool sessions) {
  const std::string expected = path == "/v1/events" ? "POST" : sessions ? req.method : "GET";
  if (req.method != expected) return Finish(MethodNotAllowed(req, path));
  if (path == "/v1/keys") {
    ApiResponse r = Text(200, "application/x-pem-file", service_.PublicKeyPem());
    if (workstation) {
      service_.RecordContact(*workstation, std::nullopt, req.user_agent);
      // Who this token belongs to: enrollment takes the name from here and
      // refuses a token that is not a workstation's (docs/design.md §6).
      r.headers.emplace_back(common::kWorkstationHeader, *workstation);
    }
    return Finish(std::move(r));
  }
  if (path == "/v1/roster") return Roster(req, workstation);
  if (!workstation) {
    return Finish(JsonError(
        403, "forbidden",
        sessions ? "session leases are held by workstations" : "events come from workstations"));
  }
  if (!sessions) return Finish(Events(req, *workstation));
  service_.RecordContact(*workstation, std::nullopt, req.user_agent);
  return Finish(Sessions(req, path, *workstation));
}

bool Api::AnswersFromMemory(const ApiRequest& req) {
  const std::string_view target(req.target);
  const std::string_view path = target.substr(0, target.find('?'));
  return req.method == "GET" && (path == "/v1/roster" || path == "/v1/keys" || path == "/metrics");
}

bool Api::IsWorkstationCall(const ApiRequest& req) {
  const std::string_view target(req.target);
  const std::string_view path = target.substr(0, target.find('?'));
  return path == "/v1/sessions" || path.starts_with("/v1/sessions/") || path == "/v1/events" ||
         path == common::kAuthVerifyPath || path == common::kAuthChangePath;
}

ApiOutcome Api::Handle(const ApiRequest& req) {
  ++metrics_.requests;
  std::string path = req.target;
  std::string query;
  if (auto q = path.find('?'); q != std::string::npos) {
    query = path.substr(q + 1);
    path.resize(q);
  }
  if (path == "/healthz" || path == "/metrics") {
    if (req.method != "GET") return Finish(MethodNotAllowed(req, path));
    return Finish(path == "/healthz" ? Healthz() : MetricsPage());
  }
  if (Console::Serves(path)) {
    // The console takes its cookie, never a bearer token (docs/design.md §11).
    if (console_ == nullptr) return Finish(JsonError(404, "not_found", "no such endpoint"));
    ApiOutcome outcome = console_->Handle(req);
    CountStatus(outcome.response);
    return outcome;
  }
  const std::string token = BearerToken(req.authorization);
  if (path == common::kAuthVerifyPath || path == common::kAuthChangePath) {
    return HandleAuth(req, path, token);
  }
  if (path.rfind("/v1/admin/", 0) == 0) {
    if (token.empty() || !service_.IsAdminToken(token)) {
      return Finish(JsonError(401, "unauthorized", "a valid admin token is required"));
    }
    // Every change made here is journalled as the token's (docs/design.md
    // §11); /v1/admin never looks at a cookie.
    ActorScope actor(TokenActor(req.remote));
    std::vector<std::string_view> segments = PathSegments(path);
    segments.erase(segments.begin(), segments.begin() + 3);  // "", "v1", "admin"
    if (segments.size() == 3 && segments[0] == "employees" &&
        (segments[2] == "set-password" || segments[2] == "unlock")) {
      if (!Allowed(CurrentActor()->role, Permission::kChangeEmployees)) {
        ApiOutcome refused =
            Finish(JsonError(403, "forbidden", "this role may not change employees"));
        refused.authenticated = true;
        return refused;
      }
      return AdminAuth(req, path, UrlDecode(segments[1]), std::string(segments[2]));
    }
    ApiOutcome outcome;
    if (auth_ != nullptr && IsHashingAdminRequest(req.method, segments)) {
      // A new administrator password is hashed on the pool, as the
      // token's, not on a network thread.
      outcome.deferred = [this, req, path, query, who = *CurrentActor()] {
        ActorScope scope(who);
        const std::string rest = path.substr(std::string_view("/v1/admin/").size());
        return DispatchAdmin(AdminContext{service_, metrics_, hub_}, req, path, query,
                             PathSegments(rest));
      };
    } else {
      outcome =
          Finish(DispatchAdmin(AdminContext{service_, metrics_, hub_}, req, path, query, segments));
    }
    outcome.authenticated = true;
    return outcome;
  }
  return HandleWorkstation(req, path, token);
}

}  // namespace staffgate::central
