// Unix ids and posix groups at the central (docs/design.md §9): uid
// allocation, adoption, exhaustion, persistence across restart, import and
// the schema upgrade; posix groups; the roster fields.
#include <catch2/catch.hpp>

#include "central/api/api.h"
#include "central/central_config.h"
#include "central/posix_ids.h"
#include "central/service.h"
#include "central/store.h"
#include "central/tokens.h"
#include "common/envelope.h"
#include "common/json_util.h"
#include "tests/lib/temp_dir.h"

namespace {

using staffgate::central::EmployeeRecord;
using staffgate::central::IdRange;
using staffgate::central::Service;
using staffgate::central::ServiceOptions;
using staffgate::central::Store;
using staffgate::common::EmployeeStatus;
using staffgate::common::ErrorKind;
using staffgate::common::FakeClock;
using staffgate::common::Json;
using staffgate::common::PrivateKey;

struct PosixWorld {
  staffgate::testutil::TempDir dir{"posix"};
  std::string key_pem = PrivateKey::Generate()->ToPem();
  FakeClock clock{1'800'000'000};
  ServiceOptions options;
  std::unique_ptr<Service> service;

  PosixWorld() {
    options.db_path = dir / "central.db";
    options.organization = "Test Motors";
  }
  ~PosixWorld() { service.reset(); }
  Service& Open() {
    service.reset();
    auto opened = Service::Open(options, *PrivateKey::FromPem(key_pem), clock);
    REQUIRE(opened);
    service = std::move(*opened);
    return *service;
  }
  Json Payload() const {
    auto pub = staffgate::common::PublicKey::FromPem(service->PublicKeyPem());
    auto verified = staffgate::common::VerifyEnvelope(
        service->Current()->envelope, staffgate::common::kRosterPayloadType, {*pub});
    REQUIRE(verified);
    return *staffgate::common::ParseJson(verified->payload,
                                         staffgate::common::JsonLimits{1 << 24, 16});
  }
  std::map<std::string, std::uint32_t> Uids(const std::string& id) const {
    for (const EmployeeRecord& e : service->Employees()) {
      if (e.id == id) return e.uids;
    }
    return {};
  }
};

EmployeeRecord Employee(std::string id, std::vector<std::string> accounts,
                        std::map<std::string, std::uint32_t> uids = {}) {
  EmployeeRecord e;
  e.id = std::move(id);
  e.name = "Name of " + e.id;
  e.accounts = std::move(accounts);
  e.uids = std::move(uids);
  return e;
}

using Uids = std::map<std::string, std::uint32_t>;

}  // namespace

TEST_CASE("posix ids: serial uids per account, stable across every change", "[central][posix]") {
  PosixWorld w;
  Service& s = w.Open();
  REQUIRE(s.AddEmployee(Employee("E1", {"asmith", "asmith2"})));
  REQUIRE(s.AddEmployee(Employee("E2", {"bjones"})));
  CHECK(w.Uids("E1") == Uids{{"asmith", 20000}, {"asmith2", 20001}});
  CHECK(w.Uids("E2") == Uids{{"bjones", 20002}});
  REQUIRE(s.SetStatus("E1", EmployeeStatus::kTerminated));
  REQUIRE(s.SetStatus("E2", EmployeeStatus::kSuspended));
  REQUIRE(s.ResetCredentials("E2"));
  REQUIRE(s.AddShared("sales"));
  CHECK(w.Uids("E1") == Uids{{"asmith", 20000}, {"asmith2", 20001}});  // Terminated keeps them.
  CHECK(w.Uids("E2") == Uids{{"bjones", 20002}});
  REQUIRE(s.AddEmployee(Employee("E3", {"cy"})));
  CHECK(w.Uids("E3") == Uids{{"cy", 20003}});
}

TEST_CASE("posix ids: a removed account's uid is never handed out again", "[central][posix]") {
  PosixWorld w;
  Service& s = w.Open();
  REQUIRE(s.Import("E1,A,anna;old,active,*\nE2,B,bob,active,*\n"));
  CHECK(w.Uids("E1") == Uids{{"anna", 20000}, {"old", 20001}});
  // "old" leaves E1, "new" arrives: a fresh uid, never 20001.
  REQUIRE(s.Import("E1,A,anna;new,active,*\n"));
  CHECK(w.Uids("E1") == Uids{{"anna", 20000}, {"new", 20003}});
  // Back on the same employee, the account gets its own uid back.
  REQUIRE(s.Import("E1,A,anna;new;old,active,*\n"));
  CHECK(w.Uids("E1") == Uids{{"anna", 20000}, {"new", 20003}, {"old", 20001}});
  // An account that moves to another employee is another person's: a new uid.
  REQUIRE(s.Import("E1,A,anna;new,active,*\nE2,B,bob;old,active,*\n"));
  CHECK(w.Uids("E2") == Uids{{"bob", 20002}, {"old", 20004}});
}

TEST_CASE("posix ids: import keeps the uids of existing accounts", "[central][posix]") {
  PosixWorld w;
  Service& s = w.Open();
  REQUIRE(s.AddEmployee(Employee("E2", {"bjones"})));
  REQUIRE(s.AddEmployee(Employee("E1", {"asmith"})));
  auto report = s.Import(
      "employee_id,name,accounts,status,groups\n"
      "E1,Name of E1,asmith,active,*\n"
      "E2,Bob,bjones,terminated,sales\n"
      "E0,New,newbie,active,*\n");
  REQUIRE(report);
  CHECK(report->unchanged == std::vector<std::string>{"E1"});
  CHECK(report->changed == std::vector<std::string>{"E2"});
  CHECK(w.Uids("E2") == Uids{{"bjones", 20000}});
  CHECK(w.Uids("E1") == Uids{{"asmith", 20001}});
  CHECK(w.Uids("E0") == Uids{{"newbie", 20002}});
}

TEST_CASE("posix ids: adopt a uid; a taken or unusable one is refused whole", "[central][posix]") {
  PosixWorld w;
  Service& s = w.Open();
  REQUIRE(s.AddEmployee(Employee("E1", {"asmith"})));  // 20000
  auto adopted = s.AddEmployee(Employee("E2", {"bjones", "bj2"}, {{"bjones", 1005}}));
  REQUIRE(adopted);
  CHECK(adopted->uids == Uids{{"bjones", 1005}, {"bj2", 20001}});
  // Adopting inside the range is allowed; the serial sequence steps over it.
  REQUIRE(s.AddEmployee(Employee("E3", {"cy"}, {{"cy", 20002}})));
  REQUIRE(s.AddEmployee(Employee("E4", {"dd"})));
  CHECK(w.Uids("E4") == Uids{{"dd", 20003}});

  const auto serial = s.Current()->serial;
  auto taken = s.AddEmployee(Employee("E5", {"ee"}, {{"ee", 1005}}));
  REQUIRE_FALSE(taken);
  CHECK(taken.error().kind == ErrorKind::kInvalidInput);
  CHECK(taken.error().message ==
        "uid 1005 is already the uid of account 'bjones' (employee E2); "
        "account 'ee' cannot adopt it");
  for (std::uint32_t bad : {0u, 999u, 65534u, 65535u, 2147483647u}) {
    auto refused = s.AddEmployee(Employee("E5", {"ee"}, {{"ee", bad}}));
    REQUIRE_FALSE(refused);
    CHECK_THAT(refused.error().message, Catch::Contains("cannot be used"));
  }
  CHECK_FALSE(s.AddEmployee(Employee("E5", {"ee"}, {{"other", 1006}})));
  CHECK(s.Current()->serial == serial);
  CHECK(s.Employees().size() == 4);
}

TEST_CASE("posix ids: a full uid_range is a clear error and changes nothing", "[central][posix]") {
  PosixWorld w;
  w.options.uid_range = IdRange{5000, 5002};
  Service& s = w.Open();
  REQUIRE(s.AddEmployee(Employee("E1", {"a1", "a2"})));
  const auto serial = s.Current()->serial;
  auto full = s.AddEmployee(Employee("E2", {"b1", "b2"}));
  REQUIRE_FALSE(full);
  CHECK(full.error().message ==
        "uid_range [5000, 5002] is full: no uid left for account 'b2' of employee E2; "
        "widen uid_range in central.conf");
  CHECK(s.Current()->serial == serial);
  CHECK(s.Employees().size() == 1);
  auto import = s.Import("E2,B,b1,active,*\nE3,C,c1,active,*\n");
  REQUIRE_FALSE(import);
  CHECK(s.Employees().size() == 1);
  // Nothing was spent by the refused changes: the last uid is still there.
  REQUIRE(s.AddEmployee(Employee("E2", {"b1"})));
  CHECK(w.Uids("E2") == Uids{{"b1", 5002}});
}

TEST_CASE("posix ids: uids and groups survive a restart; the sequence goes on",
          "[central][posix]") {
  PosixWorld w;
  {
    Service& s = w.Open();
    REQUIRE(s.AddEmployee(Employee("E1", {"asmith"})));
    REQUIRE(s.AddEmployee(Employee("E2", {"bjones"}, {{"bjones", 1500}})));
    REQUIRE(s.Import("E1,A,asmith;gone,active,*\n"));
    REQUIRE(s.Import("E1,A,asmith,active,*\n"));  // "gone" (20001) leaves.
    REQUIRE(s.AddPosixGroup("finance-data", std::nullopt, false, {"finance"}));
    REQUIRE(s.AddPosixGroup("old-group", std::nullopt, false, {"sales"}));
    REQUIRE(s.RemovePosixGroup("old-group"));
  }
  Service& s = w.Open();
  const auto serial = s.Current()->serial;
  CHECK(w.Uids("E1") == Uids{{"asmith", 20000}});
  CHECK(w.Uids("E2") == Uids{{"bjones", 1500}});
  REQUIRE(s.AddEmployee(Employee("E3", {"cy"})));
  CHECK(w.Uids("E3") == Uids{{"cy", 20002}});
  auto g = s.AddPosixGroup("more", std::nullopt, false, {"x"});
  REQUIRE(g);
  CHECK(g->gid == 30002u);  // 30001 went to the removed old-group.
  CHECK(s.Current()->serial == serial + 2);
}

TEST_CASE("posix ids: a database of schema 2 upgrades through 3 and 4; its accounts get uids",
          "[central][posix]") {
  PosixWorld w;
  {
    auto store = Store::OpenAtVersion(w.options.db_path, 2);
    REQUIRE(store);
    CHECK(*(*store)->SchemaVersion() == 2);
    REQUIRE((*store)->PutEmployee(Employee("E2", {"bjones"}), 1));
    REQUIRE((*store)->PutEmployee(Employee("E1", {"asmith", "a2"}), 1));
    // An event in the main database, as schema 2 kept them (migration 3
    // hands it to the event store).
    REQUIRE((*store)->db().Exec(
        "INSERT INTO events(id, time_ms, workstation, type, account, decision, body, "
        "received_ms) VALUES ('ev-1', 1000, 'WS1', 'auth', 'asmith', 'allow', "
        "'{\"id\":\"ev-1\"}', 1000)"));
  }
  Service& s = w.Open();
  auto events = s.Events(staffgate::central::EventQuery{});
  REQUIRE(events);
  REQUIRE(events->size() == 1);
  CHECK((*events)[0]["id"] == "ev-1");
  CHECK(w.Uids("E1") == Uids{{"asmith", 20000}, {"a2", 20001}});
  CHECK(w.Uids("E2") == Uids{{"bjones", 20002}});
  Json payload = w.Payload();
  CHECK(payload["employees"][0]["posix"] ==
        Json::parse(R"({"a2":{"uid":20001},"asmith":{"uid":20000}})"));
  // A second start finds them stored and publishes nothing new.
  const auto serial = s.Current()->serial;
  w.Open();
  CHECK(w.service->Current()->serial == serial);
  CHECK(w.Uids("E1") == Uids{{"asmith", 20000}, {"a2", 20001}});
  w.service.reset();
  auto store = Store::Open(w.options.db_path);
  REQUIRE(store);
  CHECK(*(*store)->SchemaVersion() == 4);
  auto old_events = (*store)->db().Prepare(
      "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'events'");
  REQUIRE(old_events);
  REQUIRE(*old_events->Step());
  CHECK(old_events->Int(0) == 0);
}

TEST_CASE("posix groups: gids, local groups, validation", "[central][posix]") {
  PosixWorld w;
  Service& s = w.Open();
  REQUIRE(s.AddEmployee(Employee("E1", {"asmith"})));
  auto finance = s.AddPosixGroup("finance-data", std::nullopt, false, {"finance", "finance"});
  REQUIRE(finance);
  CHECK(finance->gid == 30000u);
  CHECK(finance->roles == std::vector<std::string>{"finance"});
  auto dialout = s.AddPosixGroup("dialout", std::nullopt, true, {"service"});
  REQUIRE(dialout);
  CHECK_FALSE(dialout->gid);
  auto adopted = s.AddPosixGroup("lp-staff", 4000u, false, {"sales", "service"});
  REQUIRE(adopted);
  CHECK(adopted->gid == 4000u);
  const auto serial = s.Current()->serial;

  auto refused = [&](const std::string& name, std::optional<std::uint32_t> gid, bool local,
                     std::vector<std::string> roles) {
    auto r = s.AddPosixGroup(name, gid, local, roles);
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
  CHECK(refused("g", 30000u, false, {"x"}) ==
        "gid 30000 is already the gid of posix group 'finance-data'; posix group 'g' cannot adopt "
        "it");
  CHECK(refused("g", 20000u, false, {"x"}) ==
        "gid 20000 is already the uid of account 'asmith' (employee E1); posix group 'g' cannot "
        "adopt it");
  CHECK_THAT(refused("g", 5u, false, {"x"}), Catch::Contains("cannot be used"));
  CHECK_THAT(refused("g", 5000u, true, {"x"}), Catch::Contains("is a local group"));
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
