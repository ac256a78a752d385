// libFuzzer target: request bodies of the admin, event and password
// endpoints, sent through the real Api, Service and Authenticator (a SQLite
// database in a temp dir; argon2id at its smallest cost, hashing inline).
// The first byte picks the endpoint; the rest is the body. Every answer
// must be a status the API documents, with a JSON body.
#include <stdlib.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "central/api/api.h"
#include "central/auth/authenticator.h"
#include "central/service.h"
#include "central/tokens.h"
#include "common/json_util.h"

namespace {

using namespace staffgate;

struct World {
  common::SystemClock clock;
  std::unique_ptr<central::Service> service;
  central::Metrics metrics;
  central::WaitHub hub;
  std::unique_ptr<central::Authenticator> auth;
  std::unique_ptr<central::Api> api;
  std::string ws_token;
  World() {
    char tmpl[] = "/tmp/sg-fuzz-central-XXXXXX";
    std::string dir = mkdtemp(tmpl);
    central::ServiceOptions options;
    options.db_path = dir + "/central.db";
    service = std::move(*central::Service::Open(options, *common::PrivateKey::Generate(), clock));
    (void)service->SetAdminTokenHash(central::TokenHash("admin"));
    ws_token = *service->AddWorkstation("FUZZ", {});
    central::EmployeeRecord e;
    e.id = "E1";
    e.accounts = {"asmith"};
    (void)service->AddEmployee(e);
    central::AuthOptions auth_options;
    auth_options.argon2 = {8, 1, 1};
    auth = std::move(*central::Authenticator::Create(*service, metrics, clock, auth_options,
                                                     [](int, const std::string&) {}));
    (void)auth->SetPassword("E1", std::string("Tangerine-Lantern-47-Orbit"));
    api = std::make_unique<central::Api>(*service, metrics, hub, 0);
    api->SetAuthenticator(auth.get());
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static World* world = new World();
  if (size == 0) return 0;
  static const char* const kRoutes[][2] = {
      {"POST", "/v1/admin/employees"},
      {"POST", "/v1/admin/shared-accounts"},
      {"POST", "/v1/admin/workstations"},
      {"PUT", "/v1/admin/policy"},
      {"POST", "/v1/admin/import"},
      {"POST", "/v1/events"},
      {"GET", "/v1/admin/events?since="},
      {"POST", "/v1/admin/employees/"},
      {"POST", "/v1/admin/posix-groups"},
      {"DELETE", "/v1/admin/posix-groups/"},
      {"POST", "/v1/auth/verify"},
      {"POST", "/v1/auth/change"},
      {"POST", "/v1/admin/employees/E1/set-password"},
      // Scheduled changes (docs/design.md §11): {"at": TIME}.
      {"POST", "/v1/admin/employees/E1/suspend"},
  };
  constexpr std::size_t kRouteCount = sizeof(kRoutes) / sizeof(kRoutes[0]);
  const auto& route = kRoutes[data[0] % kRouteCount];
  central::ApiRequest req;
  req.method = route[0];
  req.target = route[1];
  std::string body(reinterpret_cast<const char*>(data + 1), size - 1);
  if (req.target.back() == '=' || req.target.back() == '/') {
    req.target += body.substr(0, 64);
    if (req.target == std::string("/v1/admin/employees/") + body.substr(0, 64))
      req.target += "/terminate";
  } else {
    req.body = body;
  }
  const bool workstation = req.target == "/v1/events" || req.target.rfind("/v1/auth/", 0) == 0;
  req.authorization = "Bearer " + std::string(workstation ? world->ws_token : "admin");
  central::ApiOutcome out = world->api->Handle(req);
  central::ApiResponse answer = out.deferred ? out.deferred() : out.response;
  int s = answer.status;
  if (s != 200 && s != 201 && s != 202 && s != 400 && s != 404 && s != 405 && s != 413 &&
      s != 422) {
    abort();
  }
  if (!common::ParseJson(answer.body, common::JsonLimits{1 << 26, 64})) abort();
  return 0;
}
