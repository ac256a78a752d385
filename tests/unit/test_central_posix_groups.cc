// Posix groups at the central (docs/design.md §9): gids, local groups,
// validation; the roster's posix fields; central.conf ranges; the admin API.
#include <catch2/catch.hpp>
#include <utility>

#include "tests/unit/posix_world.h"

using namespace staffgate::posix_world;

TEST_CASE("posix groups: gids, local groups, validation", "[central][posix]") {
  PosixWorld w;
  Service& s = w.Open();
  REQUIRE(s.AddEmployee(Employee("E1", {"asmith"})));
  auto finance = s.AddPosixGroup("finance-data", std::nullopt, false, {"finance", "finance"});
  REQUIRE(finance);
  CHECK(finance->gid == 30000U);
  CHECK(finance->roles == std::vector<std::string>{"finance"});
  auto dialout = s.AddPosixGroup("dialout", std::nullopt, true, {"service"});
  REQUIRE(dialout);
  CHECK_FALSE(dialout->gid);
  auto adopted = s.AddPosixGroup("lp-staff", 4000U, false, {"sales", "service"});
  REQUIRE(adopted);
  CHECK(adopted->gid == 4000U);
  const auto serial = s.Current()->serial;

  auto refused = [&](const std::string& name, std::optional<std::uint32_t> gid, bool local,
                     std::vector<std::string> roles) {
    auto r = s.AddPosixGroup(name, gid, local, std::move(roles));
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == ErrorKind::kInvalidInput);
    return r.error().message;
  };
  CHECK(refused("finance-data", std::nullopt, false, {"x"}) ==
        "posix group 'finance-data' already exists");
  CHECK(refused("g", std::nullopt, false, {}) ==
        "posix group 'g' needs at least one role (--roles)");
  CHECK_THAT(refused("g", std::nullopt, false, {"*"}), Catch::Contains("\"*\" is not a role"));
  CHECK_THAT(refused("bad name", std::nullopt, false, {"x"}),
             Catch::Contains("invalid posix group name"));
  CHECK_THAT(refused("asmith", std::nullopt, false, {"x"}),
             Catch::Contains("has the name of account 'asmith'"));
  CHECK(refused("g", 30000U, false, {"x"}) ==
        "gid 30000 is already the gid of posix group 'finance-data'; posix group 'g' cannot adopt "
        "it");
  CHECK(refused("g", 20000U, false, {"x"}) ==
        "gid 20000 is already the uid of account 'asmith' (employee E1); posix group 'g' cannot "
        "adopt it");
  CHECK_THAT(refused("g", 5U, false, {"x"}), Catch::Contains("cannot be used"));
  CHECK_THAT(refused("g", 5000U, true, {"x"}), Catch::Contains("is a local group"));
  CHECK(s.Current()->serial == serial);

  // A uid never lands on a posix group's gid (it is also a private group's gid).
  w.options.uid_range = IdRange{30000, 30001};
  Service& narrow = w.Open();
  REQUIRE(narrow.AddEmployee(Employee("E2", {"bjones"})));
  CHECK(w.Uids("E2") == Uids{{"bjones", 30001}});
  REQUIRE(narrow.RemovePosixGroup("finance-data"));
  CHECK(narrow.RemovePosixGroup("finance-data").error().kind == ErrorKind::kNotFound);
  CHECK_FALSE(narrow.AddEmployee(Employee("E3", {"cy"})));  // 30000 stays finance-data's.
}

TEST_CASE("posix groups: a full gid_range is refused", "[central][posix]") {
  PosixWorld w;
  w.options.gid_range = IdRange{7000, 7000};
  Service& s = w.Open();
  REQUIRE(s.AddPosixGroup("one", std::nullopt, false, {"a"}));
  auto full = s.AddPosixGroup("two", std::nullopt, false, {"a"});
  REQUIRE_FALSE(full);
  CHECK(full.error().message ==
        "gid_range [7000, 7000] is full: no gid left for posix group 'two'; widen gid_range in "
        "central.conf");
  REQUIRE(s.AddPosixGroup("two", std::nullopt, true, {"a"}));  // Local groups need no gid.
}

TEST_CASE("roster: posix, posix_groups and display_name fields", "[central][posix]") {
  PosixWorld w;
  Service& s = w.Open();
  REQUIRE(s.AddEmployee(Employee("E1", {"asmith"})));
  REQUIRE(s.AddPosixGroup("finance-data", std::nullopt, false, {"finance"}));
  REQUIRE(s.AddPosixGroup("dialout", std::nullopt, true, {"service"}));
  Json p = w.Payload();
  CHECK(p["employees"][0]["posix"] == Json::parse(R"({"asmith": {"uid": 20000}})"));
  CHECK_FALSE(p["employees"][0].contains("display_name"));
  CHECK(p["posix_groups"] == Json::parse(R"({"finance-data": {"gid": 30000, "roles": ["finance"]},
                                             "dialout": {"roles": ["service"]}})"));
  CHECK(w.Payload().dump().find("Name of E1") == std::string::npos);

  // Turning publish_display_names on publishes at the next start.
  const auto serial = s.Current()->serial;
  w.options.publish_display_names = true;
  w.Open();
  CHECK(w.service->Current()->serial == serial + 1);
  CHECK(w.Payload()["employees"][0]["display_name"] == "Name of E1");
  w.Open();
  CHECK(w.service->Current()->serial == serial + 1);  // Unchanged config: same roster.
}

TEST_CASE("central config: uid_range, gid_range, publish_display_names", "[central][posix]") {
  using staffgate::central::CentralConfig;
  using staffgate::central::ParseCentralConfig;
  CentralConfig c;
  CHECK(c.uid_range == IdRange{20000, 59999});
  CHECK(c.gid_range == IdRange{30000, 39999});
  CHECK_FALSE(c.publish_display_names);
  c.uid_range = IdRange{1000, 1999};
  c.gid_range = IdRange{70000, 70010};
  c.publish_display_names = true;
  auto parsed =
      ParseCentralConfig(staffgate::central::RenderCentralConfig(c), "/etc/sg/central.conf");
  REQUIRE(parsed);
  CHECK(parsed->uid_range == IdRange{1000, 1999});
  CHECK(parsed->gid_range == IdRange{70000, 70010});
  CHECK(parsed->publish_display_names);

  auto bad = ParseCentralConfig("uid_range = [6000, 5000]\n", "c.conf");
  REQUIRE_FALSE(bad);
  CHECK(
      bad.error().message ==
      "c.conf:1: key 'uid_range': expected [FIRST, LAST] with 1000 <= FIRST <= LAST <= 2147483646");
  for (const char* text : {"uid_range = [999, 5000]\n", "gid_range = [5000]\n",
                           "gid_range = 5000\n", "uid_range = [1000, 2147483647]\n",
                           "gid_range = [\"a\", \"b\"]\n", "publish_display_names = \"yes\"\n"}) {
    auto refused = ParseCentralConfig(text, "c.conf");
    REQUIRE_FALSE(refused);
    CHECK(refused.error().message.find("c.conf:1: key '") == 0);
  }
}

TEST_CASE("api: posix groups and adopted uids over /v1/admin", "[central][posix]") {
  PosixWorld w;
  Service& s = w.Open();
  REQUIRE(s.SetAdminTokenHash(staffgate::central::TokenHash("admintoken")));
  staffgate::central::Metrics metrics;
  staffgate::central::WaitHub hub;
  staffgate::central::Api api(s, metrics, hub, 60);
  auto call = [&](std::string method, std::string target, std::string body = "") {
    staffgate::central::ApiRequest req;
    req.method = std::move(method);
    req.target = std::move(target);
    req.authorization = "Bearer admintoken";
    req.body = std::move(body);
    auto response = api.Handle(req).response;
    return std::make_pair(response.status, Json::parse(response.body));
  };
  auto [status, body] =
      call("POST", "/v1/admin/employees",
           R"({"id":"E1","accounts":["asmith","a2"],"posix":{"asmith":{"uid":1005}}})");
  CHECK(status == 201);
  CHECK(body["employee"]["posix"] == Json::parse(R"({"asmith":{"uid":1005},"a2":{"uid":20000}})"));
  for (const char* bad : {R"({"id":"E2","accounts":["b"],"posix":{"b":{"uid":-1}}})",
                          R"({"id":"E2","accounts":["b"],"posix":{"b":{"uid":4294967296}}})",
                          R"({"id":"E2","accounts":["b"],"posix":{"b":1005}})",
                          R"({"id":"E2","accounts":["b"],"posix":[1]})",
                          R"({"id":"E2","accounts":["b"],"posix":{"b":{"uid":1005}}})",
                          R"({"id":"E2","accounts":["b"],"posix":{"c":{"uid":1006}}})"}) {
    CHECK(call("POST", "/v1/admin/employees", bad).first == 400);
  }
  CHECK(call("GET", "/v1/admin/employees").second["employees"][0]["posix"]["a2"]["uid"] == 20000);

  std::tie(status, body) =
      call("POST", "/v1/admin/posix-groups", R"({"name":"finance-data","roles":["finance"]})");
  CHECK(status == 201);
  CHECK(body["posix_group"] ==
        Json::parse(R"({"name":"finance-data","gid":30000,"roles":["finance"]})"));
  CHECK(body["serial"] == s.Current()->serial);
  CHECK(call("POST", "/v1/admin/posix-groups",
             R"({"name":"dialout","roles":["service"],"local":true})")
            .first == 201);
  for (const char* bad :
       {R"({"name":"g"})", R"({"name":"g","roles":[]})", R"({"name":"g","roles":"a"})",
        R"({"name":"g","roles":[1]})", R"({"name":"g","roles":["a"],"gid":"5000"})",
        R"({"name":"g","roles":["a"],"gid":-5})", R"({"name":"g","roles":["a"],"local":1})",
        R"({"roles":["a"]})", "[]", "{"}) {
    CHECK(call("POST", "/v1/admin/posix-groups", bad).first == 400);
  }
  std::tie(status, body) = call("GET", "/v1/admin/posix-groups");
  CHECK(status == 200);
  CHECK(body["posix_groups"] == Json::parse(R"([{"name":"dialout","gid":null,"roles":["service"]},
                                                {"name":"finance-data","gid":30000,"roles":["finance"]}])"));
  CHECK(call("PUT", "/v1/admin/posix-groups", "{}").first == 405);
  CHECK(call("GET", "/v1/admin/posix-groups/dialout").first == 405);
  CHECK(call("DELETE", "/v1/admin/posix-groups/dialout").first == 200);
  CHECK(call("DELETE", "/v1/admin/posix-groups/dialout").first == 404);
}
