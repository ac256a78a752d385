// libFuzzer target: request bodies of the admin and event endpoints, sent
// through the real Api and Service (a SQLite database in a temp dir).
// The first byte picks the endpoint; the rest is the body. Every answer
// must be a status the API documents, with a JSON body.
#include <stdlib.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "central/api/api.h"
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
    api = std::make_unique<central::Api>(*service, metrics, hub, 0);
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static World* world = new World();
  if (size == 0) return 0;
  static const char* const kRoutes[][2] = {
      {"POST", "/v1/admin/employees"},    {"POST", "/v1/admin/shared-accounts"},
      {"POST", "/v1/admin/workstations"}, {"PUT", "/v1/admin/policy"},
      {"POST", "/v1/admin/import"},       {"POST", "/v1/events"},
      {"GET", "/v1/admin/events?since="}, {"POST", "/v1/admin/employees/"},
      {"POST", "/v1/admin/posix-groups"}, {"DELETE", "/v1/admin/posix-groups/"},
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
  req.authorization = "Bearer " + std::string(req.target == "/v1/events" ? world->ws_token : "admin");
  central::ApiOutcome out = world->api->Handle(req);
  int s = out.response.status;
  if (s != 200 && s != 201 && s != 202 && s != 400 && s != 404 && s != 405 && s != 413) abort();
  if (!common::ParseJson(out.response.body, common::JsonLimits{1 << 26, 64})) abort();
  return 0;
}
