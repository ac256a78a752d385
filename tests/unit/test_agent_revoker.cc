// Which accounts a roster change revokes: only a change from
// admitted to refused counts, and never root, system uids, exempt
// accounts or the agent's own uid.
#include <catch2/catch.hpp>
#include <map>
#include <memory>

#include "agent/revoke/revoker.h"
#include "fake_process_control.h"
#include "test_agent_util.h"

namespace staffgate::agent {
namespace {

using common::Json;
using testutil::Employee;
using testutil::kNow;

common::Roster Make(std::uint64_t serial, const std::string& asmith, const std::string& svc,
                    const std::string& boss) {
  return *common::ParseRoster(testutil::RosterPayload(
      serial, Json::array({Employee("E1", asmith, {"asmith"}), Employee("E2", svc, {"svcbackup"}),
                           Employee("E3", boss, {"boss"}), Employee("E4", "active", {"self"})})));
}

struct Fixture {
  agent::AgentConfig config;
  StaticUserDb users;
  Fixture() {
    config.trusted_keys = {"k"};
    config.min_uid = 1000;
    config.exempt_accounts = {"root", "boss"};
    users.Add("asmith", 2001);
    users.Add("svcbackup", 999);
    users.Add("boss", 2003);
    users.Add("self", 2004);
    users.Add("nobody", 65534);
  }
  std::vector<std::string> Revoked(const common::Roster& before, const common::Roster& after) {
    std::vector<std::string> out;
    for (const auto& r : NewlyRevoked(before, after, config, users, kNow, 2004)) {
      out.push_back(r.account + ":" + r.reason);
    }
    return out;
  }
};

TEST_CASE("revoker: admitted then refused is revoked, system, exempt and self never", "[revoke]") {
  Fixture f;
  auto before = Make(1, "active", "active", "active");
  auto after = Make(2, "terminated", "terminated", "terminated");
  CHECK(f.Revoked(before, after) == std::vector<std::string>{"asmith:terminated"});
}

TEST_CASE("revoker: an old roster that expired while offline still counts", "[revoke]") {
  Fixture f;
  auto before = Make(1, "active", "active", "active");
  before.expires_at = kNow - 60;  // Expired a minute ago.
  auto after = Make(2, "terminated", "active", "active");
  CHECK(f.Revoked(before, after) == std::vector<std::string>{"asmith:terminated"});
}

TEST_CASE("revoker: refused by both rosters is not a revocation", "[revoke]") {
  Fixture f;
  auto before = Make(1, "suspended", "active", "active");
  auto after = Make(2, "terminated", "active", "active");
  CHECK(f.Revoked(before, after).empty());
}

TEST_CASE("revoker: suspension and removal from the roster revoke", "[revoke]") {
  Fixture f;
  auto before = Make(1, "active", "active", "active");
  CHECK(f.Revoked(before, Make(2, "suspended", "active", "active")) ==
        std::vector<std::string>{"asmith:suspended"});
  auto removed = *common::ParseRoster(
      testutil::RosterPayload(3, Json::array({Employee("E4", "active", {"self"})})));
  CHECK(f.Revoked(before, removed) == std::vector<std::string>{"asmith:unknown_account"});
}

}  // namespace
}  // namespace staffgate::agent
namespace staffgate::agent {
namespace {

// asmith (service role, E1) and bjones (finance, E2) on SVC-03, whose
// workstation groups are `ws`; posix group "tools" for role service,
// "ledger" for finance.
common::Roster WithGroups(std::uint64_t serial, std::vector<std::string> asmith_roles,
                          std::vector<std::string> ws) {
  Json employees = Json::array({Employee("E1", "active", {"asmith"}, asmith_roles),
                                Employee("E2", "active", {"bjones"}, {"finance"}),
                                Employee("E3", "active", {"newbie"}, {"service"})});
  employees[0]["posix"] = {{"asmith", {{"uid", 20001}}}};
  employees[1]["posix"] = {{"bjones", {{"uid", 20002}}}};
  Json doc =
      Json::parse(testutil::RosterPayload(serial, employees, {}, {{"SVC-03", {{"groups", ws}}}}));
  doc["posix_groups"] = {{"tools", {{"gid", 30001}, {"roles", {"service"}}}},
                         {"ledger", {{"gid", 30002}, {"roles", {"finance"}}}}};
  return *common::ParseRoster(doc.dump());
}

std::vector<std::string> Lost(const common::Roster& before, const common::Roster& after) {
  AgentConfig config;
  config.workstation = "SVC-03";
  config.min_uid = 1000;
  StaticUserDb users;  // no local entries: uids come from the roster
  std::vector<std::string> out;
  for (const auto& r : LostGroups(before, after, config, users, 4242)) {
    out.push_back(r.account + ":" + std::to_string(r.uid) + ":" + r.reason);
  }
  return out;
}

TEST_CASE("revoker: losing a role or the workstation ends sessions, gaining does not",
          "[revoke][nss]") {
  auto base = WithGroups(1, {"service"}, {"service", "finance"});
  CHECK(Lost(base, WithGroups(2, {"sales"}, {"service", "finance"})) ==
        std::vector<std::string>{"asmith:20001:groups_changed"});
  CHECK(Lost(base, WithGroups(2, {"service"}, {"service"})) ==
        std::vector<std::string>{"bjones:20002:groups_changed"});
  CHECK(Lost(base, WithGroups(2, {"service", "finance"}, {"service", "finance"})).empty());
  CHECK(Lost(base, base).empty());
}

TEST_CASE("revoker: a login that lost a group here ends, audited as groups_changed, not denied",
          "[revoke][nss]") {
  AgentConfig config;
  config.workstation = "SVC-03";
  config.min_uid = 1000;
  config.trusted_keys = {"k"};
  config.on_revoke = OnRevoke::kTerminate;
  auto shared = std::make_shared<const AgentConfig>(config);
  StaticUserDb users;  // NSS employees: uids from the roster
  testutil::FakeProcessControl os;
  os.procs = {{100, 20001}, {101, 20002}};  // a process of asmith, one of bjones
  common::FakeClock clock(kNow);
  std::vector<AuditEvent> events;  // Read only after WaitIdle.
  Revoker revoker({&os, &users, &clock, [](int, const std::string&) {},
                   [&](AuditEvent e) { events.push_back(std::move(e)); }, [&] { return shared; }});
  revoker.Start();
  auto roster = [](std::uint64_t serial, std::vector<std::string> asmith_roles) {
    return std::make_shared<const common::Roster>(
        WithGroups(serial, std::move(asmith_roles), {"service", "finance"}));
  };
  // asmith stays permitted (finance) but loses "service", so "tools".
  revoker.RosterChanged(roster(1, {"service", "finance"}), roster(2, {"finance"}));
  revoker.WaitIdle();
  CHECK(os.procs == std::map<pid_t, uid_t>{{101, 20002}});
  REQUIRE(events.size() == 1);
  CHECK(events[0].type == AuditType::kSessionsTerminated);
  CHECK(events[0].account == "asmith");
  CHECK(events[0].reason == "groups_changed");
  CHECK(events[0].decision.empty());
  // Gaining a group ends nothing.
  os.procs[102] = 20001;
  revoker.RosterChanged(roster(2, {"finance"}), roster(3, {"finance", "service"}));
  revoker.WaitIdle();
  CHECK(os.procs.count(102) == 1);
  CHECK(events.size() == 1);
  revoker.Stop();
}

}  // namespace
}  // namespace staffgate::agent
