// The agent's lease gate against a scripted LeaseApi and a fake clock
// (test_agent_leases.cc, test_agent_lease_end.cc).
#ifndef STAFFGATE_TESTS_UNIT_LEASE_FIXTURE_H_
#define STAFFGATE_TESTS_UNIT_LEASE_FIXTURE_H_

#include <catch2/catch.hpp>
#include <deque>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "agent/session/lease_client.h"
#include "agent/session/lease_gate.h"
#include "test_agent_util.h"

namespace staffgate::agent::testlease {

using common::Json;
using testutil::Employee;
using testutil::kNow;

struct ScriptedApi : LeaseApi {
  std::deque<LeaseReply> acquire, renew, release;  // Next answers; empty: granted.
  std::vector<std::string> calls;
  int n = 0;
  LeaseReply Next(std::deque<LeaseReply>& q, const std::string& call) {
    calls.push_back(call);
    if (!q.empty()) {
      LeaseReply r = q.front();
      q.pop_front();
      return r;
    }
    LeaseReply r;
    r.kind = LeaseReply::Kind::kGranted;
    r.id = "lease" + std::to_string(++n);
    r.ttl_s = 90;
    return r;
  }
  LeaseReply Acquire(const std::string& a) override { return Next(acquire, "acquire " + a); }
  LeaseReply Renew(const std::string& id) override { return Next(renew, "renew " + id); }
  LeaseReply Release(const std::string& id) override { return Next(release, "release " + id); }
};

inline LeaseReply Reply(LeaseReply::Kind kind, std::string holder = "") {
  LeaseReply r;
  r.kind = kind;
  r.holder = std::move(holder);
  r.error = "scripted";
  return r;
}

struct Fixture {
  common::FakeClock clock{kNow};
  SessionTable sessions;
  std::shared_ptr<ScriptedApi> api = std::make_shared<ScriptedApi>();
  std::vector<AuditEvent> events;
  std::set<std::int64_t> dead;
  std::vector<std::string> ended;  // Accounts handed to Deps::ended.
  agent::AgentConfig config;
  common::Roster roster = *common::ParseRoster(
      testutil::RosterPayload(7, Json::array({Employee("E1", "active", {"asmith"})})));
  std::unique_ptr<LeaseGate> gate;

  Fixture() {
    LeaseGate::Deps deps;
    deps.sessions = &sessions;
    deps.clock = &clock;
    deps.log = [](int, const std::string&) {};
    deps.record = [this](AuditEvent e) { events.push_back(std::move(e)); };
    deps.config = [this] { return std::make_shared<const agent::AgentConfig>(config); };
    deps.alive = [this](const SessionInfo& s) { return dead.count(s.pid) == 0; };
    deps.ended = [this](const std::string& account, const std::string&) {
      ended.push_back(account);
    };
    gate = std::make_unique<LeaseGate>(std::move(deps));
    gate->SetApi(api);
  }
  // What Service does for an admitted session_open.
  GateAnswer Open(const std::string& id, std::int64_t pid = 100) {
    GateAnswer answer =
        gate->Admit(DecisionInput{"asmith", common::Phase::kSession, "login", "", ""}, roster);
    if (answer.kind == GateAnswer::Kind::kFree) {
      sessions.Open(SessionInfo{id, "asmith", "login", "tty1", pid, clock.Now(), 0});
      gate->SessionOpened("asmith");
    }
    return answer;
  }
  void Close(const std::string& id) {
    sessions.Close(id);
    gate->SessionClosed("asmith");
  }
  std::vector<std::string> Types() const {
    std::vector<std::string> out;
    for (const auto& e : events) out.emplace_back(AuditTypeName(e.type));
    return out;
  }
};

}  // namespace staffgate::agent::testlease

#endif  // STAFFGATE_TESTS_UNIT_LEASE_FIXTURE_H_
