// The /v1/admin route table under each role (docs/design.md §11): what the
// console will dispatch through once it signs people in. A refusal is 403,
// changes nothing and leaves no journal entry; an allowed change is
// journalled as the actor.
#include <catch2/catch.hpp>

#include "central/api/admin.h"
#include "central/journal/actor.h"
#include "tests/unit/admin_world.h"

namespace {

using staffgate::central::Actor;
using staffgate::central::ActorScope;
using staffgate::central::AdminContext;
using staffgate::central::ApiRequest;
using staffgate::central::ApiResponse;
using staffgate::central::JournalQuery;
using staffgate::central::Role;
using staffgate::testutil::AdminWorld;

struct RouteWorld : AdminWorld {
  staffgate::central::Metrics metrics;
  staffgate::central::WaitHub hub;

  ApiResponse Call(Role role, const std::string& method, const std::string& path,
                   const std::string& body = "") {
    ActorScope scope(Actor{"someone", "192.0.2.9", role});
    ApiRequest http;
    http.method = method;
    http.target = path;
    http.body = body;
    auto segments = staffgate::central::PathSegments(path);
    return staffgate::central::DispatchAdmin(AdminContext{*service, metrics, hub}, http, path, "",
                                             segments);
  }
  std::size_t Entries() { return service->Actions(JournalQuery{})->size(); }
};

}  // namespace

TEST_CASE("admin routes: each role reaches what its permissions allow", "[central][admins]") {
  RouteWorld w;
  const std::string employee = R"({"id":"E1","accounts":["ann"]})";
  CHECK(w.Call(Role::kIt, "POST", "employees", employee).status == 403);
  CHECK(w.Call(Role::kAuditor, "POST", "employees", employee).status == 403);
  CHECK(w.service->Employees().empty());
  CHECK(w.Entries() == 0);
  CHECK(w.Call(Role::kHr, "POST", "employees", employee).status == 201);
  CHECK(w.Call(Role::kHr, "POST", "workstations", R"({"name":"WS-1"})").status == 403);
  CHECK(w.Call(Role::kIt, "POST", "workstations", R"({"name":"WS-1"})").status == 201);
  CHECK(w.Call(Role::kHr, "POST", "employees/E1/terminate", "{}").status == 200);
  for (Role role : {Role::kOwner, Role::kHr, Role::kIt, Role::kAuditor}) {
    CHECK(w.Call(role, "GET", "employees").status == 200);
    CHECK(w.Call(role, "GET", "rollout").status == 200);
  }
  CHECK(w.Call(Role::kHr, "GET", "actions").status == 403);
  CHECK(w.Call(Role::kIt, "GET", "actions").status == 403);
  auto journal = w.Call(Role::kAuditor, "GET", "actions");
  REQUIRE(journal.status == 200);
  CHECK(journal.body.find("employee.terminate") != std::string::npos);
  CHECK(journal.body.find("\"who\":\"someone\"") != std::string::npos);
  CHECK(w.Call(Role::kHr, "GET", "admins").status == 403);
  CHECK(w.Call(Role::kAuditor, "POST", "admins", R"({"name":"x","role":"owner"})").status == 403);
  CHECK(w.service->Admins().empty());
  CHECK(w.Entries() == 3);
  auto refused = w.Call(Role::kAuditor, "PUT", "policy", R"({"max_workstations_per_account":3})");
  CHECK(refused.status == 403);
  CHECK(refused.body.find("the auditor role may not change the policy") != std::string::npos);
}

TEST_CASE("admin routes: the owner manages administrators, no actor, no access",
          "[central][admins]") {
  RouteWorld w;
  auto added = w.Call(Role::kOwner, "POST", "admins", R"({"name":"hilda","role":"hr"})");
  REQUIRE(added.status == 201);
  CHECK(added.body.find("\"password\":\"") != std::string::npos);
  CHECK(w.Call(Role::kOwner, "POST", "admins", R"({"name":"x"})").status == 400);
  CHECK(w.Call(Role::kOwner, "POST", "admins", R"({"name":"x","role":" "})").status == 400);
  CHECK(w.Call(Role::kOwner, "POST", "admins/hilda/reset-password", "{}").status == 200);
  CHECK(w.Call(Role::kOwner, "DELETE", "admins/hilda").status == 200);
  CHECK(w.Call(Role::kOwner, "DELETE", "admins/hilda").status == 404);
  ApiRequest http;
  http.method = "GET";
  auto segments = staffgate::central::PathSegments("employees");
  CHECK(staffgate::central::DispatchAdmin(AdminContext{*w.service, w.metrics, w.hub}, http,
                                          "employees", "", segments)
            .status == 403);
}
