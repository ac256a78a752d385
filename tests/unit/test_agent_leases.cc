// The agent's session lease logic against a scripted LeaseApi and a fake
// clock: sharing, renewal, release, reaping, lapse and unreachable central.
#include <catch2/catch.hpp>

#include "agent/session/session_file.h"
#include "lease_fixture.h"

namespace staffgate::agent {
namespace {

using common::Json;
using testlease::Fixture;
using testlease::Reply;
using testlease::ScriptedApi;
using testutil::kNow;

TEST_CASE("leases: one per account, shared by its sessions, released after the last", "[leases]") {
  Fixture f;
  CHECK(f.Open("s1").kind == GateAnswer::Kind::kFree);
  CHECK(f.Open("s2").kind == GateAnswer::Kind::kFree);
  CHECK(f.api->calls == std::vector<std::string>{"acquire asmith"});
  CHECK(f.gate->Leases().size() == 1);
  f.Close("s1");
  f.gate->Tick();
  CHECK(f.api->calls.size() == 1);  // s2 still runs.
  f.Close("s2");
  f.gate->Tick();
  CHECK(f.api->calls.back() == "release lease1");
  CHECK(f.gate->Leases().empty());
  CHECK(f.Types() == std::vector<std::string>{"lease_acquired", "lease_released"});
}

TEST_CASE("leases: a conflict names the other workstation", "[leases]") {
  Fixture f;
  f.api->acquire.push_back(Reply(LeaseReply::Kind::kConflict, "SVC-02"));
  GateAnswer answer = f.Open("s1");
  CHECK(answer.kind == GateAnswer::Kind::kHeldElsewhere);
  CHECK(answer.workstation == "SVC-02");
  CHECK(f.sessions.Size() == 0);
  REQUIRE(f.events.size() == 1);
  CHECK(f.events[0].type == AuditType::kLeaseRefused);
  CHECK(f.events[0].reason == "in_use_elsewhere");
}

TEST_CASE("leases: renewed every ttl/3, re-acquired after a lapse", "[leases]") {
  Fixture f;
  f.Open("s1");
  f.clock.Advance(29);
  f.gate->Tick();
  CHECK(f.api->calls.size() == 1);  // Not due yet.
  f.clock.Advance(1);
  f.gate->Tick();
  CHECK(f.api->calls.back() == "renew lease1");
  // The central lost it (lapsed while the network was down): take it again.
  f.api->renew.push_back(Reply(LeaseReply::Kind::kNotFound));
  f.clock.Advance(30);
  f.gate->Tick();
  CHECK(f.api->calls.back() == "acquire asmith");
  CHECK(f.gate->Leases()[0].lease == "lease3");
  // Unreachable at renewal: kept, retried soon.
  f.api->renew.push_back(Reply(LeaseReply::Kind::kUnavailable));
  f.clock.Advance(30);
  f.gate->Tick();
  CHECK(f.gate->Leases().size() == 1);
  f.clock.Advance(5);
  f.gate->Tick();
  CHECK(f.api->calls.back() == "renew lease3");
}

TEST_CASE("leases: taken by another workstation after a lapse is lost, audited", "[leases]") {
  Fixture f;
  f.Open("s1");
  f.api->renew.push_back(Reply(LeaseReply::Kind::kNotFound));
  f.api->acquire.push_back(Reply(LeaseReply::Kind::kConflict, "SVC-09"));
  f.clock.Advance(30);
  f.gate->Tick();
  CHECK(f.gate->Leases().empty());
  CHECK(f.Types().back() == "lease_lost");
}

TEST_CASE("leases: a session whose process is gone is closed and its lease released", "[leases]") {
  Fixture f;
  f.Open("s1", 4242);
  f.dead.insert(4242);
  f.gate->Tick();
  CHECK(f.sessions.Size() == 0);
  CHECK(f.api->calls.back() == "release lease1");
  CHECK(f.Types() == std::vector<std::string>{"lease_acquired", "session_close", "lease_released"});
  CHECK(f.events[1].detail.find("without close_session") != std::string::npos);
}

TEST_CASE("leases: an admitted open not yet in the table is never released", "[leases]") {
  Fixture f;
  GateAnswer answer =
      f.gate->Admit(DecisionInput{"asmith", common::Phase::kSession, "login", "", ""}, f.roster);
  CHECK(answer.kind == GateAnswer::Kind::kFree);
  f.gate->Tick();  // The session is about to be recorded: keep the lease.
  CHECK(f.api->calls.size() == 1);
  f.gate->SessionOpened("asmith");  // Table full: nothing recorded after all.
  f.gate->Tick();
  CHECK(f.api->calls.back() == "release lease1");
}

TEST_CASE("leases: central unreachable follows lease_unreachable", "[leases]") {
  Fixture f;
  f.api->acquire.push_back(Reply(LeaseReply::Kind::kUnavailable));
  CHECK(f.Open("s1").kind == GateAnswer::Kind::kFree);
  CHECK(f.events.back().type == AuditType::kLeaseUnverified);
  CHECK(f.events.back().decision == "allow");
  f.config.lease_unreachable = agent::LeaseUnreachable::kDeny;
  f.api->acquire.push_back(Reply(LeaseReply::Kind::kUnavailable));
  CHECK(f.Open("s2").kind == GateAnswer::Kind::kUnverified);
  CHECK(f.events.back().decision == "deny");
}

TEST_CASE("leases: without a central everyone is admitted, nothing is held", "[leases]") {
  Fixture f;
  f.gate->SetApi(nullptr);
  CHECK(f.Open("s1").kind == GateAnswer::Kind::kFree);
  CHECK(f.api->calls.empty());
  CHECK(f.gate->Leases().empty());
}

TEST_CASE("leases: sessions without a lease get one when the central answers", "[leases]") {
  Fixture f;
  // Restored after an agent restart: in the table, no lease held here.
  f.sessions.Open(SessionInfo{"old", "asmith", "login", "tty1", 100, kNow - 600, 0});
  f.api->acquire.push_back(Reply(LeaseReply::Kind::kUnavailable));
  f.gate->Tick();
  CHECK(f.gate->Leases().empty());
  f.gate->Tick();  // Not retried before kRetryS.
  CHECK(f.api->calls.size() == 1);
  f.clock.Advance(5);
  f.gate->Tick();
  CHECK(f.gate->Leases().size() == 1);
  CHECK(f.Types().back() == "lease_acquired");
  f.Close("old");
  f.gate->Tick();
  CHECK(f.api->calls.back() == "release lease1");
}

TEST_CASE("session file: round trip, other boot and garbage give nothing", "[leases]") {
  std::vector<SessionInfo> in = {{"s1", "asmith", "sshd", "pts/0", 42, kNow, 0},
                                 {"s2", "bjones", "login", "tty1", 43, kNow + 1, 1001}};
  auto text = SerializeSessions(in, "boot-a");
  auto out = ParseSessions(text, "boot-a");
  REQUIRE(out.size() == 2);
  CHECK(out[1].account == "bjones");
  CHECK(out[1].pid == 43);
  CHECK(out[1].opener_uid == 1001);
  CHECK(ParseSessions(text, "boot-b").empty());
  CHECK(ParseSessions(text, "").empty());
  CHECK(ParseSessions("{not json", "boot-a").empty());
  CHECK(ParseSessions(R"({"boot_id":"boot-a","sessions":[{"id":"x"},7]})", "boot-a").empty());
}

TEST_CASE("lease answers are parsed strictly", "[leases]") {
  auto granted = ParseLeaseReply(
      201,
      R"({"id":"0123456789abcdef0123456789abcdef","account":"a","workstation":"W","expires_at":"x","ttl_s":90})");
  CHECK(granted.kind == LeaseReply::Kind::kGranted);
  CHECK(granted.ttl_s == 90);
  CHECK(ParseLeaseReply(201, R"({"id":"../../x","ttl_s":90})").kind ==
        LeaseReply::Kind::kUnavailable);
  CHECK(ParseLeaseReply(200, R"({"id":"ab","ttl_s":0})").kind == LeaseReply::Kind::kUnavailable);
  CHECK(ParseLeaseReply(200, "<html>").kind == LeaseReply::Kind::kUnavailable);
  auto conflict = ParseLeaseReply(409, R"({"error":"in_use_elsewhere","workstation":"SVC-02"})");
  CHECK(conflict.kind == LeaseReply::Kind::kConflict);
  CHECK(conflict.holder == "SVC-02");
  CHECK(ParseLeaseReply(409, "garbage").holder.empty());
  CHECK(ParseLeaseReply(204, "").kind == LeaseReply::Kind::kGranted);
  CHECK(ParseLeaseReply(404, "{}").kind == LeaseReply::Kind::kNotFound);
  CHECK(ParseLeaseReply(401, "{}").kind == LeaseReply::Kind::kRefused);
  CHECK(ParseLeaseReply(503, "").kind == LeaseReply::Kind::kUnavailable);
}

}  // namespace
}  // namespace staffgate::agent
