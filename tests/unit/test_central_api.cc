#include <stdlib.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "central/api/api.h"
#include "central/tokens.h"
#include "common/json_util.h"
#include "tests/lib/temp_dir.h"

namespace {

using staffgate::central::Api;
using staffgate::central::ApiRequest;
using staffgate::central::Metrics;
using staffgate::central::Service;
using staffgate::central::WaitHub;
using staffgate::common::FakeClock;
using staffgate::testutil::TempDir;

struct ApiWorld {
  TempDir dir{"central-api"};  // First: removed after the service closes.
  FakeClock clock{1'800'000'000};
  std::unique_ptr<Service> service;
  Metrics metrics;
  WaitHub hub;
  std::unique_ptr<Api> api;
  std::string ws_token;
  ApiWorld() {
    staffgate::central::ServiceOptions options;
    options.db_path = dir / "central.db";
    service = std::move(*Service::Open(options, *staffgate::common::PrivateKey::Generate(), clock));
    REQUIRE(service->SetAdminTokenHash(staffgate::central::TokenHash("admintoken")));
    ws_token = *service->AddWorkstation("WS1", {"sales"});
    api = std::make_unique<Api>(*service, metrics, hub, 60);
  }
  ApiWorld(const ApiWorld&) = delete;
  ApiWorld& operator=(const ApiWorld&) = delete;
  ~ApiWorld() {
    api.reset();
    service.reset();
  }
  staffgate::central::ApiOutcome Call(std::string method, std::string target,
                                      const std::string& token, std::string body = "",
                                      std::string inm = "", std::string prefer = "") const {
    ApiRequest req;
    req.method = std::move(method);
    req.target = std::move(target);
    req.authorization = token.empty() ? "" : "Bearer " + token;
    req.body = std::move(body);
    req.if_none_match = std::move(inm);
    req.prefer = std::move(prefer);
    req.user_agent = "staffgated/test";
    return api->Handle(req);
  }
};

}  // namespace

TEST_CASE("api: etag and prefer parsing", "[central][api]") {
  CHECK(Api::ParseEtag("\"42\"") == std::optional<std::uint64_t>(42));
  CHECK(Api::ParseEtag("W/\"7\"") == std::optional<std::uint64_t>(7));
  CHECK(Api::ParseEtag("9") == std::optional<std::uint64_t>(9));
  CHECK_FALSE(Api::ParseEtag("\"abc\""));
  CHECK_FALSE(Api::ParseEtag("*"));
  CHECK(Api::ParsePreferWait("wait=30") == std::optional<int>(30));
  CHECK(Api::ParsePreferWait("respond-async, wait=5") == std::optional<int>(5));
  CHECK_FALSE(Api::ParsePreferWait("return=minimal"));
}

TEST_CASE("api: authentication and routing", "[central][api]") {
  ApiWorld w;
  CHECK(w.Call("GET", "/v1/roster", "").response.status == 401);
  CHECK(w.Call("GET", "/v1/roster", "nope").response.status == 401);
  CHECK(w.Call("GET", "/v1/admin/employees", w.ws_token).response.status == 401);
  CHECK(w.Call("GET", "/v1/admin/employees", "admintoken").response.status == 200);
  CHECK(w.Call("GET", "/v1/keys", w.ws_token).response.body == w.service->PublicKeyPem());
  CHECK(w.Call("GET", "/v1/unknown", w.ws_token).response.status == 404);
  CHECK(w.Call("POST", "/v1/roster", w.ws_token).response.status == 405);
  CHECK(w.Call("GET", "/healthz", "").response.status == 200);
  auto err = staffgate::common::ParseJson(w.Call("GET", "/v1/roster", "").response.body, {});
  REQUIRE(err);
  CHECK((*err)["error"] == "unauthorized");
  CHECK(w.metrics.unauthorized.load() == 4);
}

TEST_CASE("api: roster etag, 304 and long-poll holds", "[central][api]") {
  ApiWorld w;
  const auto serial = w.service->Current()->serial;
  auto full = w.Call("GET", "/v1/roster", w.ws_token);
  CHECK(full.response.status == 200);
  CHECK(full.response.body == w.service->Current()->envelope);
  const std::string etag = "\"" + std::to_string(serial) + "\"";
  CHECK(w.Call("GET", "/v1/roster", w.ws_token, "", etag).response.status == 304);
  CHECK(w.Call("GET", "/v1/roster", w.ws_token, "", "\"1\"").response.status == 200);
  auto held = w.Call("GET", "/v1/roster", w.ws_token, "", etag, "wait=600");
  CHECK(held.hold);
  CHECK(held.wait_s == 60);
  CHECK(held.known_serial == serial);
  CHECK(w.api->AnswerRoster(serial).status == 304);
  REQUIRE(w.service->AddShared("sales"));
  CHECK(w.api->AnswerRoster(serial).status == 200);
  auto ws = w.service->Workstations();
  CHECK(ws[0].agent_version == "staffgated/test");
}

TEST_CASE("api: admin changes answer 201/400/404 and events 202", "[central][api]") {
  ApiWorld w;
  auto created = w.Call("POST", "/v1/admin/employees", "admintoken",
                        R"({"id":"E1","accounts":["asmith"],"groups":"sales,service"})");
  CHECK(created.response.status == 201);
  CHECK(w.Call("POST", "/v1/admin/employees", "admintoken", R"({"id":"E2","accounts":["asmith"]})").response.status == 400);
  CHECK(w.Call("POST", "/v1/admin/employees", "admintoken", "[1,2]").response.status == 400);
  CHECK(w.Call("POST", "/v1/admin/employees/E9/terminate", "admintoken").response.status == 404);
  CHECK(w.Call("POST", "/v1/admin/employees/E1/explode", "admintoken").response.status == 404);
  CHECK(w.Call("POST", "/v1/admin/employees/E1/suspend", "admintoken").response.status == 200);
  CHECK(w.Call("PUT", "/v1/admin/policy", "admintoken", R"({"max_workstations_per_account":2})").response.status == 200);
  CHECK(w.Call("PUT", "/v1/admin/policy", "admintoken", R"({"max_workstations_per_account":-1})").response.status == 400);
  CHECK(w.Call("POST", "/v1/admin/import", "admintoken", "E5,N,x y,active,*\n").response.status == 400);
  auto events = w.Call("POST", "/v1/events", w.ws_token, R"([{"id":"1","decision":"deny"}])");
  CHECK(events.response.status == 202);
  CHECK(w.Call("POST", "/v1/events", "admintoken", "[]").response.status == 403);
  auto query = w.Call("GET", "/v1/admin/events?decision=deny&since=0", "admintoken");
  CHECK(query.response.body.find("\"WS1\"") != std::string::npos);
  CHECK(w.Call("GET", "/v1/admin/events?since=soon", "admintoken").response.status == 400);
}

TEST_CASE("api: admin resources are routed by path segment", "[central][api]") {
  ApiWorld w;
  auto call = [&](const char* method, const char* target, std::string body = "") {
    return w.Call(method, target, "admintoken", std::move(body)).response;
  };
  const std::string employee = R"({"id":"E1","accounts":["asmith"]})";
  REQUIRE(call("POST", "/v1/admin/employees", employee).status == 201);
  REQUIRE(call("POST", "/v1/admin/shared-accounts", R"({"name":"svc"})").status == 201);

  SECTION("each resource answers its own path and no other") {
    for (const char* resource : {"employees", "shared-accounts", "workstations", "policy", "events",
                                 "sessions", "status"}) {
      CAPTURE(resource);
      CHECK(call("GET", (std::string("/v1/admin/") + resource).c_str()).status == 200);
    }
    CHECK(call("GET", "/v1/admin/employeesx").status == 404);
    CHECK(call("GET", "/v1/admin/").status == 404);
    CHECK(call("GET", "/v1/admin//employees").status == 404);
    CHECK(call("GET", "/v1/admin/status/extra").status == 404);
    CHECK(call("GET", "/v1/admin/workstations/WS1/extra").status == 404);
    CHECK(call("GET", "/v1/admin/workstations/WS1").status == 405);  // PUT or DELETE.
    CHECK(call("POST", "/v1/admin/import/", "E5,N,x,active,*\n").status == 404);
  }
  SECTION("items are URL-decoded path segments") {
    auto suspended = call("POST", "/v1/admin/employees/%451/suspend");  // E1
    CHECK(suspended.status == 200);
    CHECK(suspended.body.find("\"suspended\"") != std::string::npos);
    CHECK(call("POST", "/v1/admin/employees/E1").status == 404);
    CHECK(call("POST", "/v1/admin/employees/E1/suspend/now").status == 404);
    CHECK(call("POST", "/v1/admin/employees/E2/suspend").status == 404);  // No such employee.
    CHECK(call("DELETE", "/v1/admin/shared-accounts/sv%63").status == 200);
    CHECK(w.service->SharedAccounts().empty());
  }
  SECTION("a wrong method is 405 naming the method and the path") {
    auto wrong = call("DELETE", "/v1/admin/employees/E%31/terminate");
    CHECK(wrong.status == 405);
    CHECK_THAT(wrong.body,
               Catch::Contains("DELETE is not allowed on /v1/admin/employees/E%31/terminate"));
    CHECK(call("PUT", "/v1/admin/status").status == 405);
    CHECK(call("GET", "/v1/admin/shared-accounts/svc").status == 405);
    CHECK(call("GET", "/v1/admin/sessions/0123").status == 405);
  }
}
