// Ending session leases at the central (docs/design.md §5 `sessions end`,
// §6): selectors that fail closed, tombstones that answer the holder 410
// (kept across a restart) and one lease_ended_by_admin event per lease.
#include <catch2/catch.hpp>

#include "central/leases/lease_book.h"
#include "common/central_api.h"
#include "lease_world.h"

namespace staffgate::central {
namespace {

using common::Json;
using testlease::kStart;
using testlease::LeaseWorld;

std::string EndBody(const Json& selector) { return common::DumpJson(selector); }

TEST_CASE("lease end: selectors fail closed and change nothing", "[central][leases]") {
  LeaseWorld w;
  w.CallJson("POST", "/v1/sessions", w.a_token, R"({"account":"asmith"})", 201);
  w.CallJson("POST", "/v1/sessions", w.a_token, R"({"account":"bjones"})", 201);
  const std::string end = "/v1/admin/sessions/end";
  struct Case {
    Json body;
    int status;
    std::string message;
  };
  for (const Case& c : std::vector<Case>{
           {Json::object(), 400, "say which session leases to end"},
           {Json{{"account", ""}}, 400, "the account to end leases of is blank"},
           {Json{{"account", "asmith"}, {"workstation", " "}}, 400,
            "the workstation to end leases of is blank"},
           {Json{{"id", ""}}, 400, "the id to end leases of is blank"},
           {Json{{"account", "asmith"}, {"everything", true}}, 400, "unknown key 'everything'"},
           {Json{{"account", 7}}, 400, "'account' must be a string"},
           {Json{{"account", "nobody"}}, 404, "no live session lease of account 'nobody'"},
           {Json{{"account", "asmith"}, {"workstation", "SVC-02"}}, 404,
            "no live session lease of account 'asmith' on workstation 'SVC-02'"},
       }) {
    INFO(c.body.dump());
    Json answer = w.CallJson("POST", end, "admintoken", EndBody(c.body), c.status);
    CHECK(answer["message"].get<std::string>().find(c.message) != std::string::npos);
  }
  CHECK(w.Call("POST", end, w.a_token, EndBody({{"account", "asmith"}})).status == 401);
  CHECK(w.Call("GET", end, "admintoken").status == 405);
  CHECK(w.service->Leases()->size() == 2);  // Nothing was ended.
  CHECK(w.metrics.leases_ended_by_admin == 0);
}

TEST_CASE("lease end: by account, by workstation, both, the holder is told 410",
          "[central][leases]") {
  LeaseWorld w;
  Json a1 = w.CallJson("POST", "/v1/sessions", w.a_token, R"({"account":"asmith"})", 201);
  w.CallJson("POST", "/v1/sessions", w.a_token, R"({"account":"bjones"})", 201);
  w.CallJson("PUT", "/v1/admin/policy", "admintoken", R"({"max_workstations_per_account":0})", 200);
  w.CallJson("POST", "/v1/sessions", w.b_token, R"({"account":"asmith"})", 201);
  w.CallJson("POST", "/v1/sessions", w.c_token, R"({"account":"bjones"})", 201);

  // The intersection: asmith on SVC-01 only.
  Json one = w.CallJson("POST", "/v1/admin/sessions/end", "admintoken",
                        EndBody({{"account", "asmith"}, {"workstation", "SVC-01"}}), 200);
  REQUIRE(one["ended"].size() == 1);
  CHECK(one["ended"][0]["id"] == a1["id"]);
  CHECK(one["ended"][0]["ended_at"] == common::FormatRfc3339(kStart));
  const std::string a1_path = "/v1/sessions/" + a1["id"].get<std::string>();
  Json gone = w.CallJson("PUT", a1_path, w.a_token, "", 410);
  CHECK(gone["error"] == "lease_ended");
  CHECK(gone["message"].get<std::string>().find("ended by an administrator") != std::string::npos);
  CHECK(w.Call("DELETE", a1_path, w.a_token).status == 410);
  CHECK(w.Call("PUT", a1_path, w.b_token).status == 403);
  // The tombstone holds nothing: SVC-01 may sign asmith in again (a new lease).
  Json again = w.CallJson("POST", "/v1/sessions", w.a_token, R"({"account":"asmith"})", 201);
  CHECK(again["id"] != a1["id"]);

  // A workstation's: both of SVC-01's live leases.
  Json ws = w.CallJson("POST", "/v1/admin/sessions/end", "admintoken",
                       EndBody({{"workstation", "SVC-01"}}), 200);
  CHECK(ws["ended"].size() == 2);
  // An account's: bjones on SVC-03 is all that is left of bjones.
  Json acct = w.CallJson("POST", "/v1/admin/sessions/end", "admintoken",
                         EndBody({{"account", "bjones"}}), 200);
  REQUIRE(acct["ended"].size() == 1);
  CHECK(acct["ended"][0]["workstation"] == "SVC-03");
  CHECK(w.service->Leases()->size() == 1);  // asmith on SVC-02.
  CHECK(w.metrics.leases_ended_by_admin == 4);

  // A restart keeps the tombstones: the holder still hears 410, not 404.
  w.Open(90);
  CHECK(w.Call("PUT", a1_path, w.a_token).status == 410);
  CHECK(w.service->Leases()->size() == 1);
  // Gone after kEndedLeaseKeepS: 404 from then on.
  w.clock.Advance(kEndedLeaseKeepS + 1);
  REQUIRE(w.service->Leases());  // Prunes.
  CHECK(w.Call("PUT", a1_path, w.a_token).status == 404);
  CHECK(w.service->lease_desk().Lapsed() ==
        1);  // asmith on SVC-02 lapsed; tombstones are not lapses.

  auto events = w.service->Events(EventQuery{});
  REQUIRE(events);
  int ended = 0;
  for (const Json& e : *events) {
    if (e["type"] != "lease_ended_by_admin") continue;
    ++ended;
    CHECK(e["source"] == "central");
  }
  CHECK(ended == 4);
}

TEST_CASE("lease end: the view a workstation asks for check --phase session", "[central][leases]") {
  LeaseWorld w;
  Json lease = w.CallJson("POST", "/v1/sessions", w.a_token, R"({"account":"asmith"})", 201);
  Json here = w.CallJson("GET", "/v1/sessions?account=asmith", w.a_token, "", 200);
  CHECK(here["here"]["id"] == lease["id"]);
  CHECK(here["elsewhere"].empty());
  Json there = w.CallJson("GET", "/v1/sessions?account=asmith", w.b_token, "", 200);
  CHECK(there["here"].is_null());
  CHECK(there["elsewhere"] == Json::array({"SVC-01"}));
  CHECK(w.CallJson("GET", "/v1/sessions?account=bjones", w.b_token, "", 200)["elsewhere"].empty());
  CHECK(w.Call("GET", "/v1/sessions?account=nobody", w.b_token).status == 403);
  CHECK(w.Call("GET", "/v1/sessions?account=asmith", "admintoken").status == 403);
  CHECK(w.service->Leases()->size() == 1);  // Asking took nothing.
}

TEST_CASE("lease end: events posted by a workstation are stamped source agent",
          "[central][leases]") {
  LeaseWorld w;
  auto r = w.Call("POST", "/v1/events", w.a_token,
                  R"([{"id":"e1","type":"lease_lost","account":"asmith","source":"central"}])");
  REQUIRE(r.status == 202);
  auto events = w.service->Events(EventQuery{});
  REQUIRE(events);
  REQUIRE(events->size() == 1);
  CHECK((*events)[0]["source"] == "agent");
}

TEST_CASE("lease end: the holder's long-poll is answered at once, with the notice",
          "[central][leases]") {
  LeaseWorld w;
  int woken_a = 0;
  int woken_b = 0;
  w.service->SetLeaseEndListener([&](const std::string& ws) { w.hub.Wake(ws); });
  w.hub.Add([&] { ++woken_a; }, "SVC-01");
  w.hub.Add([&] { ++woken_b; }, "SVC-02");
  w.CallJson("POST", "/v1/sessions", w.a_token, R"({"account":"asmith"})", 201);
  w.CallJson("POST", "/v1/admin/sessions/end", "admintoken", R"({"account":"asmith"})", 200);
  CHECK(woken_a == 1);
  CHECK(woken_b == 0);
  CHECK(w.hub.Size() == 1);

  const std::string serial = std::to_string(w.service->Current()->serial);
  auto poll = [&](const std::string& token) {
    ApiRequest req;
    req.method = "GET";
    req.target = "/v1/roster";
    req.authorization = "Bearer " + token;
    req.if_none_match = "\"" + serial + "\"";
    req.prefer = "wait=30";
    return w.api->Handle(req);
  };
  auto has_notice = [](const ApiResponse& r) {
    for (const auto& [name, value] : r.headers) {
      if (name == common::kLeaseEndedHeader && value == "1") return true;
    }
    return false;
  };
  ApiOutcome first = poll(w.a_token);  // Not held: the notice goes out now.
  CHECK_FALSE(first.hold);
  CHECK(first.response.status == 304);
  CHECK(has_notice(first.response));
  ApiOutcome second = poll(w.a_token);  // Taken: held as usual.
  CHECK(second.hold);
  CHECK(second.workstation == "SVC-01");
  CHECK_FALSE(has_notice(w.api->AnswerRoster(w.service->Current()->serial, "SVC-01")));
  CHECK(poll(w.b_token).hold);  // Other workstations are not disturbed.
  w.service->SetLeaseEndListener(nullptr);
}

}  // namespace
}  // namespace staffgate::central
