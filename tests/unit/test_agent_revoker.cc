// Which accounts a roster change revokes: only a change from
// admitted to refused counts, and never root, system uids, exempt
// accounts or the agent's own uid.
#include <catch2/catch.hpp>

#include "agent/revoke/revoker.h"
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

TEST_CASE("revoker: admitted then refused is revoked; system, exempt and self never",
          "[revoke]") {
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
