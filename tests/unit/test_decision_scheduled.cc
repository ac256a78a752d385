// Rows 7a and 7b of docs/design.md §3 (scheduled changes, §11): a starter
// before valid_from and a leaver from valid_until on are refused on the
// agent's own clock, after terminated/suspended and before the group rule.
#include <catch2/catch.hpp>

#include "agent/decision.h"
#include "agent/messages.h"
#include "agent/users/user_db.h"
#include "common/roster.h"
#include "test_agent_util.h"

namespace staffgate::agent {
namespace {

using common::Decision;
using common::Json;
using testutil::kNow;

constexpr common::UnixSeconds kStart = kNow + 3600;
constexpr common::UnixSeconds kLeave = kNow + 7200;

Json Scheduled(const std::string& id, const std::string& status, const std::string& account,
               std::optional<common::UnixSeconds> from, std::optional<common::UnixSeconds> until,
               std::vector<std::string> groups = {"*"}) {
  Json e = testutil::Employee(id, status, {account}, std::move(groups));
  if (from) e["valid_from"] = common::FormatRfc3339(*from);
  if (until) e["valid_until"] = common::FormatRfc3339(*until);
  return e;
}

struct Fixture {
  AgentConfig config;
  common::Roster roster;
  StaticUserDb users;

  Fixture() {
    config.workstation = "SVC-03";
    config.trusted_keys = {"/etc/staffgate/roster-signing.pub"};
    config.min_uid = 1000;
    Json employees = Json::array({
        Scheduled("E1", "active", "starter", kStart, std::nullopt),
        Scheduled("E2", "active", "leaver", std::nullopt, kLeave),
        Scheduled("E3", "active", "both", kStart, kLeave),
        Scheduled("E4", "terminated", "gone", kStart, kLeave),
        Scheduled("E5", "suspended", "paused", std::nullopt, kNow - 10),
        Scheduled("E6", "active", "elsewhere", std::nullopt, kNow - 10, {"sales"}),
        Scheduled("E7", "active", "wrongplace", kStart + 100, std::nullopt, {"sales"}),
    });
    roster = *common::ParseRoster(testutil::RosterPayload(
        42, employees, {}, Json{{"SVC-03", {{"groups", {"service"}}}}}, kNow - 3600, 30L * 86400));
  }

  Verdict Ask(const std::string& account, common::UnixSeconds now,
              common::Phase phase = common::Phase::kAccount) const {
    DecisionContext ctx;
    ctx.config = &config;
    ctx.roster = &roster;
    ctx.users = &users;
    ctx.now = now;
    return Decide(DecisionInput{account, phase, "sshd", "pts/0", ""}, ctx);
  }
};

void Expect(const Verdict& v, Decision decision, Reason reason) {
  INFO("got " << common::DecisionName(v.decision) << "/" << ReasonName(v.reason));
  CHECK(v.decision == decision);
  CHECK(v.reason == reason);
}

TEST_CASE("row 7a: refused before valid_from, allowed from valid_from on", "[decision]") {
  Fixture f;
  Expect(f.Ask("starter", kStart - 1), Decision::kDeny, Reason::kNotStarted);
  Expect(f.Ask("starter", kStart), Decision::kAllow, Reason::kAllowed);  // == now allows
  Expect(f.Ask("starter", kStart + 1), Decision::kAllow, Reason::kAllowed);
  // Every phase: screen unlockers run only auth.
  for (common::Phase phase :
       {common::Phase::kAuth, common::Phase::kAccount, common::Phase::kSession}) {
    Expect(f.Ask("starter", kNow, phase), Decision::kDeny, Reason::kNotStarted);
  }
}

TEST_CASE("row 7b: refused from valid_until on, allowed before", "[decision]") {
  Fixture f;
  Expect(f.Ask("leaver", kLeave - 1), Decision::kAllow, Reason::kAllowed);
  Expect(f.Ask("leaver", kLeave), Decision::kDeny, Reason::kExpired);  // == now denies
  Expect(f.Ask("leaver", kLeave + 86400), Decision::kDeny, Reason::kExpired);
  for (common::Phase phase :
       {common::Phase::kAuth, common::Phase::kAccount, common::Phase::kSession}) {
    Expect(f.Ask("leaver", kLeave, phase), Decision::kDeny, Reason::kExpired);
  }
  Verdict v = f.Ask("leaver", kLeave);
  CHECK(v.serial == 42);
  CHECK(MessageFor(v, "leaver") ==
        "This account has been deactivated. Please contact your manager.");
}

TEST_CASE("rows 7a/7b: order against rows 6, 7 and 8", "[decision]") {
  Fixture f;
  // 7a before 7b: a window that has not opened yet says not_started.
  Expect(f.Ask("both", kNow), Decision::kDeny, Reason::kNotStarted);
  Expect(f.Ask("both", kStart), Decision::kAllow, Reason::kAllowed);
  Expect(f.Ask("both", kLeave), Decision::kDeny, Reason::kExpired);
  // Terminated and suspended win over both.
  Expect(f.Ask("gone", kNow), Decision::kDeny, Reason::kTerminated);
  Expect(f.Ask("gone", kLeave), Decision::kDeny, Reason::kTerminated);
  Expect(f.Ask("paused", kNow), Decision::kDeny, Reason::kSuspended);
  // Both win over the group rule (row 8).
  Expect(f.Ask("elsewhere", kNow), Decision::kDeny, Reason::kExpired);
  Expect(f.Ask("wrongplace", kNow), Decision::kDeny, Reason::kNotStarted);
  Expect(f.Ask("wrongplace", kStart + 100), Decision::kDeny, Reason::kNotPermittedHere);
}

TEST_CASE("rows 7a/7b: an agent that knows no bounds is unaffected", "[decision]") {
  Fixture f;
  const common::Employee* e = f.roster.FindEmployee("leaver");
  REQUIRE(e != nullptr);
  CHECK_FALSE(e->valid_from);
  REQUIRE(e->valid_until);
  CHECK(*e->valid_until == kLeave);
}

}  // namespace
}  // namespace staffgate::agent
