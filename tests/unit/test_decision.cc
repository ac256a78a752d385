// The decision table of docs/design.md §3, row by row, including the order in
// which rows win over each other.
#include <catch2/catch.hpp>

#include "agent/decision.h"
#include "agent/users/user_db.h"
#include "common/roster.h"
#include "test_agent_util.h"

namespace staffgate::agent {
namespace {

using common::Decision;
using common::Json;
using common::Phase;
using testutil::Employee;
using testutil::kNow;

constexpr std::int64_t kDay = 86400;

struct Fixture {
  agent::AgentConfig config;
  common::Roster roster;
  StaticUserDb users;
  LocalPasswordChanges local_changes;

  explicit Fixture(Json employees = Json::array(), std::vector<std::string> shared = {},
                   Json workstations = Json::object()) {
    config.workstation = "SVC-03";
    config.trusted_keys = {"/etc/staffgate/roster-signing.pub"};
    config.min_uid = 1000;
    if (employees.empty()) {
      employees = Json::array({
          Employee("E1", "active", {"asmith"}),
          Employee("E2", "terminated", {"bjones"}, {"sales"}),
          Employee("E3", "suspended", {"cdoe"}),
          Employee("E4", "active", {"dsvc"}, {"service"}),
          Employee("E5", "active", {"esales"}, {"sales"}),
          Employee("E6", "active", {"twice"}),
          Employee("E7", "active", {"twice"}),
          Employee("E8", "active", {"sales2"}),
      });
      shared = {"sales", "frontdesk", "sales2"};
      workstations = Json{{"SVC-03", {{"groups", {"service", "parts"}}}}};
    }
    roster = *common::ParseRoster(testutil::RosterPayload(42, employees, shared, workstations));
    users.Add("root", 0);
    users.Add("daemon", 1);
    users.Add("asmith", 1001);
    users.Add("bjones", 1002);
  }

  Verdict Ask(const std::string& account, Phase phase = Phase::kAccount,
              common::UnixSeconds now = kNow, bool with_roster = true) const {
    DecisionContext ctx;
    ctx.config = &config;
    ctx.roster = with_roster ? &roster : nullptr;
    ctx.users = &users;
    ctx.now = now;
    ctx.local_changes = &local_changes;
    return Decide(DecisionInput{account, phase, "sshd", "pts/0", "10.1.2.3"}, ctx);
  }
};

void Expect(const Verdict& v, Decision decision, Reason reason) {
  INFO("got " << common::DecisionName(v.decision) << "/" << ReasonName(v.reason));
  CHECK(v.decision == decision);
  CHECK(v.reason == reason);
}

TEST_CASE("row 1: exempt accounts and uids below min_uid are ignored before anything else",
          "[decision]") {
  Fixture f;
  Expect(f.Ask("root"), Decision::kIgnore, Reason::kExempt);
  Expect(f.Ask("daemon"), Decision::kIgnore, Reason::kExempt);  // uid 1 < 1000
  // Before "not enrolled" and "no roster".
  Expect(f.Ask("root", Phase::kAccount, kNow, false), Decision::kIgnore, Reason::kExempt);
  f.config.trusted_keys.clear();
  Expect(f.Ask("daemon"), Decision::kIgnore, Reason::kExempt);
  // An exempt list entry wins even for an account the roster refuses.
  f.config.trusted_keys = {"k"};
  f.config.exempt_accounts = {"root", "bjones"};
  Expect(f.Ask("bjones"), Decision::kIgnore, Reason::kExempt);
  CHECK(f.Ask("bjones").serial == 0);
}

TEST_CASE("row 1: an account without a passwd entry is not exempt and continues down the table",
          "[decision]") {
  Fixture f;
  f.config.min_uid = 60000;  // Every known uid would be exempt...
  Expect(f.Ask("asmith"), Decision::kIgnore, Reason::kExempt);
  // ...but "cdoe" has no passwd entry: it reaches row 7.
  Expect(f.Ask("cdoe"), Decision::kDeny, Reason::kSuspended);
  Expect(f.Ask("nosuchuser"), Decision::kDeny, Reason::kUnknownAccount);
}

TEST_CASE("row 2: not enrolled ignores every non-exempt account", "[decision]") {
  Fixture f;
  f.config.trusted_keys.clear();
  Expect(f.Ask("bjones"), Decision::kIgnore, Reason::kNotEnrolled);
  Expect(f.Ask("sales"), Decision::kIgnore, Reason::kNotEnrolled);
  Expect(f.Ask("asmith", Phase::kAccount, kNow, false), Decision::kIgnore, Reason::kNotEnrolled);
}

TEST_CASE("row 3: no roster, or an expired one, denies", "[decision]") {
  Fixture f;
  Expect(f.Ask("asmith", Phase::kAccount, kNow, false), Decision::kDeny, Reason::kNoRoster);
  CHECK(f.Ask("asmith", Phase::kAccount, kNow, false).serial == 0);
  common::FakeClock clock(f.roster.expires_at - 1);
  Expect(f.Ask("asmith", Phase::kAccount, clock.Now()), Decision::kAllow, Reason::kAllowed);
  clock.Advance(1);  // expires_at itself is no longer valid ("not after now").
  Verdict v = f.Ask("asmith", Phase::kAccount, clock.Now());
  Expect(v, Decision::kDeny, Reason::kRosterExpired);
  CHECK(v.serial == 42);
  // Before every roster row.
  Expect(f.Ask("sales", Phase::kAccount, clock.Now()), Decision::kDeny, Reason::kRosterExpired);
  Expect(f.Ask("nosuch", Phase::kAccount, clock.Now()), Decision::kDeny, Reason::kRosterExpired);
}

TEST_CASE("row 4: shared accounts and conflicting accounts are refused as shared", "[decision]") {
  Fixture f;
  Expect(f.Ask("sales"), Decision::kDeny, Reason::kSharedAccount);
  Expect(f.Ask("frontdesk"), Decision::kDeny, Reason::kSharedAccount);
  // Under two employees.
  Expect(f.Ask("twice"), Decision::kDeny, Reason::kSharedAccount);
  // Both shared and an (active) employee's: shared wins.
  Expect(f.Ask("sales2"), Decision::kDeny, Reason::kSharedAccount);
  CHECK(f.Ask("sales").serial == 42);
}

TEST_CASE("row 4 wins over terminated for a conflicting account", "[decision]") {
  Fixture f(Json::array({Employee("E1", "terminated", {"x"}), Employee("E2", "active", {"x"})}));
  Expect(f.Ask("x"), Decision::kDeny, Reason::kSharedAccount);
}

TEST_CASE("row 5: unknown accounts are denied, or ignored when configured", "[decision]") {
  Fixture f;
  Expect(f.Ask("nosuch"), Decision::kDeny, Reason::kUnknownAccount);
  f.config.unknown_accounts = agent::UnknownAccounts::kIgnore;
  Verdict v = f.Ask("nosuch");
  Expect(v, Decision::kIgnore, Reason::kUnknownAccount);
  CHECK(v.serial == 42);
  // "ignore" does not soften rows 3 and 4.
  Expect(f.Ask("sales"), Decision::kDeny, Reason::kSharedAccount);
  Expect(f.Ask("nosuch", Phase::kAccount, kNow, false), Decision::kDeny, Reason::kNoRoster);
}

TEST_CASE("rows 6 and 7: terminated and suspended, before the group rule", "[decision]") {
  Fixture f;
  // bjones is in "sales", which SVC-03 does not admit: terminated still wins.
  Expect(f.Ask("bjones"), Decision::kDeny, Reason::kTerminated);
  Expect(f.Ask("cdoe"), Decision::kDeny, Reason::kSuspended);
  Fixture g(Json::array({Employee("E1", "suspended", {"y"}, {"nothing"})}));
  Expect(g.Ask("y"), Decision::kDeny, Reason::kSuspended);
}

TEST_CASE("row 8: the group rule", "[decision]") {
  Fixture f;
  Expect(f.Ask("asmith"), Decision::kAllow, Reason::kAllowed);           // "*"
  Expect(f.Ask("dsvc"), Decision::kAllow, Reason::kAllowed);             // shares "service"
  Expect(f.Ask("esales"), Decision::kDeny, Reason::kNotPermittedHere);  // no shared group
  // A workstation missing from the map has no groups: only "*" gets in.
  f.config.workstation = "FIN-01";
  Expect(f.Ask("dsvc"), Decision::kDeny, Reason::kNotPermittedHere);
  Expect(f.Ask("asmith"), Decision::kAllow, Reason::kAllowed);
}

struct FakeGate : SessionGate {
  std::optional<std::string> holder;
  int calls = 0;
  bool unverified = false;
  GateAnswer Admit(const DecisionInput& /*input*/, const common::Roster& /*roster*/) override {
    ++calls;
    GateAnswer answer;
    if (unverified) answer.kind = GateAnswer::Kind::kUnverified;
    if (holder) answer = GateAnswer{GateAnswer::Kind::kHeldElsewhere, *holder};
    return answer;
  }
};

TEST_CASE("row 9 hook: asked only in the session phase, after rows 1-8", "[decision]") {
  Fixture f;
  FakeGate gate;
  gate.holder = "SVC-02";
  auto ask = [&](const std::string& account, Phase phase) {
    DecisionContext ctx{&f.config, &f.roster, &f.users, kNow, &gate};
    return Decide(DecisionInput{account, phase, "login", "tty1", ""}, ctx);
  };
  Expect(ask("asmith", Phase::kAccount), Decision::kAllow, Reason::kAllowed);
  CHECK(gate.calls == 0);
  Verdict v = ask("asmith", Phase::kSession);
  Expect(v, Decision::kDeny, Reason::kInUseElsewhere);
  CHECK(v.other_workstation == "SVC-02");
  Expect(ask("bjones", Phase::kSession), Decision::kDeny, Reason::kTerminated);
  CHECK(gate.calls == 1);
  gate.holder.reset();
  Expect(ask("asmith", Phase::kSession), Decision::kAllow, Reason::kAllowed);
  gate.unverified = true;
  Expect(ask("asmith", Phase::kSession), Decision::kDeny, Reason::kLeaseUnverified);
}

TEST_CASE("row 10: credentials_changed_at (staffgate passwords) wins over shadow", "[decision]") {
  auto with = [](common::UnixSeconds reset_after, common::UnixSeconds changed_at) {
    Json e = Employee("E1", "active", {"asmith"});
    e["credentials_reset_after"] = common::FormatRfc3339(reset_after);
    e["credentials_changed_at"] = common::FormatRfc3339(changed_at);
    return Json::array({e});
  };
  // Shadow says changed today: without the roster's time that would allow.
  Fixture reset(with(kNow - kDay, kNow - 2 * kDay));
  reset.users.Add("asmith", 1001, kNow / kDay);
  Expect(reset.Ask("asmith"), Decision::kResetRequired, Reason::kCredentialsResetRequired);
  Fixture changed(with(kNow - 2 * kDay, kNow - kDay));
  changed.users.Add("asmith", 1001, kNow / kDay - 30);
  Expect(changed.Ask("asmith"), Decision::kAllow, Reason::kAllowed);
  Fixture same(with(kNow - kDay, kNow - kDay));
  Expect(same.Ask("asmith"), Decision::kAllow, Reason::kAllowed);
  // The roster parses the field; a bad time refuses the payload.
  Json bad = Employee("E1", "active", {"asmith"});
  bad["credentials_changed_at"] = "yesterday";
  CHECK_FALSE(common::ParseRoster(testutil::RosterPayload(1, Json::array({bad}))));
}

TEST_CASE("row 10: credentials_reset_after against shadow's last change day", "[decision]") {
  const common::UnixSeconds change_day = kNow / kDay - 10;  // ten days ago
  auto with_reset = [](common::UnixSeconds reset_after) {
    Json e = Employee("E1", "active", {"asmith"});
    e["credentials_reset_after"] = common::FormatRfc3339(reset_after);
    return Json::array({e});
  };
  SECTION("reset flagged after the change: reset_required") {
    Fixture f(with_reset(change_day * kDay + 1));
    f.users.Add("asmith", 1001, change_day);
    Verdict v = f.Ask("asmith");
    Expect(v, Decision::kResetRequired, Reason::kCredentialsResetRequired);
    CHECK(v.serial == 42);
    for (Phase p : {Phase::kAuth, Phase::kSession}) {
      Expect(f.Ask("asmith", p), Decision::kResetRequired, Reason::kCredentialsResetRequired);
    }
  }
  SECTION("password changed on or after the flag: allowed") {
    Fixture f(with_reset(change_day * kDay));
    f.users.Add("asmith", 1001, change_day);
    Expect(f.Ask("asmith"), Decision::kAllow, Reason::kAllowed);
    Fixture g(with_reset(change_day * kDay - kDay));
    g.users.Add("asmith", 1001, change_day);
    Expect(g.Ask("asmith"), Decision::kAllow, Reason::kAllowed);
  }
  SECTION("no shadow entry, or an unknown change day: the row is skipped") {
    Fixture f(with_reset(kNow));
    f.users.Add("asmith", 1001, std::nullopt);
    Expect(f.Ask("asmith"), Decision::kAllow, Reason::kAllowed);
    f.users.Add("asmith", 1001, 0);
    Expect(f.Ask("asmith"), Decision::kAllow, Reason::kAllowed);
    f.users.Add("asmith", 1001, -1);
    Expect(f.Ask("asmith"), Decision::kAllow, Reason::kAllowed);
  }
  SECTION("a local change on the day of the reset: its exact time from the password phase") {
    const common::UnixSeconds reset_at = change_day * kDay + 3600;  // 01:00 that day.
    Fixture f(with_reset(reset_at));
    f.users.Add("asmith", 1001, change_day);  // Shadow: "changed that day".
    Expect(f.Ask("asmith"), Decision::kResetRequired, Reason::kCredentialsResetRequired);
    f.local_changes.Record("asmith", reset_at - 60);  // Before the reset: still required.
    Expect(f.Ask("asmith"), Decision::kResetRequired, Reason::kCredentialsResetRequired);
    f.local_changes.Record("asmith", reset_at + 60);
    Expect(f.Ask("asmith"), Decision::kAllow, Reason::kAllowed);
    // A reset made after that change asks again.
    Fixture g(with_reset(reset_at + 120));
    g.users.Add("asmith", 1001, change_day);
    g.local_changes.Record("asmith", reset_at + 60);
    Expect(g.Ask("asmith"), Decision::kResetRequired, Reason::kCredentialsResetRequired);
  }
  SECTION("rows 6-8 win over the reset") {
    Json e = Employee("E1", "terminated", {"asmith"});
    e["credentials_reset_after"] = common::FormatRfc3339(kNow);
    Fixture f(Json::array({e}));
    f.users.Add("asmith", 1001, change_day);
    Expect(f.Ask("asmith"), Decision::kDeny, Reason::kTerminated);
  }
}

TEST_CASE("row 11: allowed, with the serial used, in every phase", "[decision]") {
  Fixture f;
  for (Phase p : {Phase::kAuth, Phase::kAccount, Phase::kSession}) {
    Verdict v = f.Ask("asmith", p);
    Expect(v, Decision::kAllow, Reason::kAllowed);
    CHECK(v.serial == 42);
    Expect(f.Ask("bjones", p), Decision::kDeny, Reason::kTerminated);
  }
}

TEST_CASE("reason names are the wire names", "[decision]") {
  CHECK(ReasonName(Reason::kExempt) == "exempt");
  CHECK(ReasonName(Reason::kNotEnrolled) == "not_enrolled");
  CHECK(ReasonName(Reason::kNoRoster) == "no_roster");
  CHECK(ReasonName(Reason::kRosterExpired) == "roster_expired");
  CHECK(ReasonName(Reason::kSharedAccount) == "shared_account");
  CHECK(ReasonName(Reason::kUnknownAccount) == "unknown_account");
  CHECK(ReasonName(Reason::kTerminated) == "terminated");
  CHECK(ReasonName(Reason::kSuspended) == "suspended");
  CHECK(ReasonName(Reason::kNotPermittedHere) == "not_permitted_here");
  CHECK(ReasonName(Reason::kInUseElsewhere) == "in_use_elsewhere");
  CHECK(ReasonName(Reason::kLeaseUnverified) == "lease_unverified");
  CHECK(ReasonName(Reason::kCredentialsResetRequired) == "credentials_reset_required");
  CHECK(ReasonName(Reason::kAllowed) == "allowed");
}

TEST_CASE("local password changes: the exact time, else shadow's day, bounded", "[decision]") {
  CHECK_FALSE(LocalPasswordChangedAt(std::nullopt, std::nullopt));
  CHECK_FALSE(LocalPasswordChangedAt(0, std::nullopt));
  CHECK(LocalPasswordChangedAt(10, std::nullopt) == 10 * kDay);
  CHECK(LocalPasswordChangedAt(10, 10 * kDay + 500) == 10 * kDay + 500);
  CHECK(LocalPasswordChangedAt(std::nullopt, 777) == 777);
  // Shadow says a later day: a change made some other way, later.
  CHECK(LocalPasswordChangedAt(11, 10 * kDay + 500) == 11 * kDay);

  LocalPasswordChanges changes(2);
  changes.Record("a", 100);
  changes.Record("a", 50);  // An older report never moves it back.
  CHECK(changes.LastChange("a") == 100);
  changes.Record("b", 200);
  changes.Record("c", 300);  // Full: the oldest record (a) goes.
  CHECK_FALSE(changes.LastChange("a"));
  CHECK(changes.LastChange("b") == 200);
  CHECK(changes.LastChange("c") == 300);
}

}  // namespace
}  // namespace staffgate::agent
