// A central with three workstations and two employees on a FakeClock, its
// Api called without HTTP (test_central_sessions.cc, test_central_lease_end.cc).
#ifndef STAFFGATE_TESTS_UNIT_LEASE_WORLD_H_
#define STAFFGATE_TESTS_UNIT_LEASE_WORLD_H_

#include <catch2/catch.hpp>
#include <memory>
#include <string>

#include "central/api/api.h"
#include "central/tokens.h"
#include "common/json_util.h"
#include "tests/lib/temp_dir.h"

namespace staffgate::central::testlease {

using common::FakeClock;
using common::Json;
using testutil::TempDir;

inline constexpr std::int64_t kStart = 1'800'000'000;

struct LeaseWorld {
  TempDir dir{"central-leases"};  // First: removed after the service closes.
  std::string key_pem;
  FakeClock clock{kStart};
  std::unique_ptr<Service> service;
  Metrics metrics;
  WaitHub hub;
  std::unique_ptr<Api> api;
  std::string a_token, b_token, c_token;

  explicit LeaseWorld(std::int64_t ttl_s = 90) {
    key_pem = common::PrivateKey::Generate()->ToPem();
    Open(ttl_s);
    REQUIRE(service->SetAdminTokenHash(TokenHash("admintoken")));
    a_token = *service->AddWorkstation("SVC-01", {"service"});
    b_token = *service->AddWorkstation("SVC-02", {"service"});
    c_token = *service->AddWorkstation("SVC-03", {"service"});
    // Leases go only to accounts of active employees permitted there.
    EmployeeRecord a, b;
    a.id = "E1";
    a.accounts = {"asmith"};
    b.id = "E2";
    b.accounts = {"bjones"};
    REQUIRE(service->AddEmployee(a));
    REQUIRE(service->AddEmployee(b));
  }
  ~LeaseWorld() {
    api.reset();
    service.reset();
  }
  void Open(std::int64_t ttl_s) {
    api.reset();
    service.reset();
    ServiceOptions options;
    options.db_path = dir / "central.db";
    options.lease_ttl_s = ttl_s;
    auto opened = Service::Open(options, *common::PrivateKey::FromPem(key_pem), clock);
    REQUIRE(opened);
    service = std::move(*opened);
    api = std::make_unique<Api>(*service, metrics, hub, 60);
  }
  ApiResponse Call(std::string method, std::string target, const std::string& token,
                   std::string body = "") {
    ApiRequest req;
    req.method = std::move(method);
    req.target = std::move(target);
    req.authorization = token.empty() ? "" : "Bearer " + token;
    req.body = std::move(body);
    return api->Handle(req).response;
  }
  Json CallJson(std::string method, std::string target, const std::string& token, std::string body,
                int expect_status) {
    auto r = Call(std::move(method), std::move(target), token, std::move(body));
    INFO(r.body);
    REQUIRE(r.status == expect_status);
    auto parsed = common::ParseJson(r.body, {});
    REQUIRE(parsed);
    return *parsed;
  }
};

}  // namespace staffgate::central::testlease

#endif  // STAFFGATE_TESTS_UNIT_LEASE_WORLD_H_
