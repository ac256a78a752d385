// A session lease an administrator ended (docs/design.md §6): the agent
// learns it from the renewal (410), ends the account's sessions here through
// the revocation path and never takes the lease again by itself; lease
// events the central records are not sent to it a second time.
#include <catch2/catch.hpp>

#include "agent/audit/audit_fanout.h"
#include "agent/session/lease_client.h"
#include "lease_fixture.h"
#include "tests/lib/temp_dir.h"

namespace staffgate::agent {
namespace {

using testlease::Fixture;
using testlease::Reply;

TEST_CASE("lease end: 410 on renewal ends the sessions, no renewal brings it back", "[leases]") {
  Fixture f;
  REQUIRE(f.Open("s1", 100).kind == GateAnswer::Kind::kFree);
  REQUIRE(f.Open("s2", 101).kind == GateAnswer::Kind::kFree);
  f.api->renew.push_back(Reply(LeaseReply::Kind::kEnded));
  f.clock.Advance(31);  // Past ttl/3: the renewal is due.
  f.gate->Tick();
  CHECK(f.api->calls == std::vector<std::string>{"acquire asmith", "renew lease1"});
  CHECK(f.ended == std::vector<std::string>{"asmith"});
  CHECK(f.sessions.Size() == 0);
  CHECK(f.gate->Leases().empty());
  int closes = 0;
  for (const auto& e : f.events) {
    if (e.type != AuditType::kSessionClose) continue;
    ++closes;
    CHECK(e.reason == "lease_ended_by_admin");
    CHECK_FALSE(e.central_records);  // Only the agent knows the sessions ended.
  }
  CHECK(closes == 2);
  // Later rounds neither acquire nor release: nothing of it is left here.
  for (int i = 0; i < 5; ++i) {
    f.clock.Advance(60);
    f.gate->Tick();
  }
  CHECK(f.api->calls.size() == 2);
  // A new login takes a new lease.
  CHECK(f.Open("s3").kind == GateAnswer::Kind::kFree);
  CHECK(f.api->calls.back() == "acquire asmith");
}

TEST_CASE("lease end: a 404 still takes the lease again (lapsed, not ended)", "[leases]") {
  Fixture f;
  REQUIRE(f.Open("s1").kind == GateAnswer::Kind::kFree);
  f.api->renew.push_back(Reply(LeaseReply::Kind::kNotFound));
  f.clock.Advance(31);
  f.gate->Tick();
  CHECK(f.api->calls.back() == "acquire asmith");
  CHECK(f.ended.empty());
  CHECK(f.sessions.Size() == 1);
}

TEST_CASE("lease end: events the central records stay local", "[leases]") {
  Fixture f;
  REQUIRE(f.Open("s1").kind == GateAnswer::Kind::kFree);
  f.api->acquire.push_back(Reply(LeaseReply::Kind::kConflict, "SVC-02"));
  f.sessions.Close("s1");
  f.gate->SessionClosed("asmith");
  f.gate->Tick();  // Released (204).
  CHECK(f.Open("s2").kind == GateAnswer::Kind::kHeldElsewhere);
  f.api->acquire.push_back(LeaseReply{});  // Unreachable: only the agent knows.
  CHECK(f.Open("s3").kind == GateAnswer::Kind::kFree);
  std::vector<std::pair<std::string, bool>> seen;
  for (const auto& e : f.events) seen.emplace_back(AuditTypeName(e.type), e.central_records);
  CHECK(seen == std::vector<std::pair<std::string, bool>>{{"lease_acquired", true},
                                                          {"lease_released", true},
                                                          {"lease_refused", true},
                                                          {"lease_unverified", false}});
}

TEST_CASE("lease end: the central's answers parse", "[leases]") {
  LeaseReply ended =
      ParseLeaseReply(410, R"({"error":"lease_ended","message":"ended by an administrator"})");
  CHECK(ended.kind == LeaseReply::Kind::kEnded);
  CHECK(ended.error == "ended by an administrator");
  CHECK(ParseLeaseReply(410, "").kind == LeaseReply::Kind::kEnded);
  CHECK(ParseLeaseReply(404, "").kind == LeaseReply::Kind::kNotFound);

  LeaseView view = ParseLeaseView(200, R"({"account":"a","here":null,"elsewhere":["SVC-02"]})");
  CHECK(view.kind == LeaseReply::Kind::kGranted);
  CHECK_FALSE(view.here);
  CHECK(view.elsewhere == std::vector<std::string>{"SVC-02"});
  CHECK(ParseLeaseView(200, R"({"here":{"id":"x"},"elsewhere":[]})").here);
  CHECK(ParseLeaseView(200, R"({"elsewhere":[]})").kind == LeaseReply::Kind::kUnavailable);
  CHECK(ParseLeaseView(200, "not json").kind == LeaseReply::Kind::kUnavailable);
  CHECK(ParseLeaseView(403, "{}").kind == LeaseReply::Kind::kRefused);
  CHECK(ParseLeaseView(503, "").kind == LeaseReply::Kind::kUnavailable);
}

struct CountingQueue : EventQueue {
  std::vector<std::string> lines;
  common::Result<void> Enqueue(const std::string& line) override {
    lines.push_back(line);
    return common::Ok();
  }
};

TEST_CASE("lease end: the fanout keeps central-recorded events out of the outbox", "[leases]") {
  testutil::TempDir dir("fanout-central-records");
  AuditLog local(dir / "audit.jsonl", [](int, const std::string&) {});
  REQUIRE(local.Open());
  AuditFanout fanout(local, [](int, const std::string&) {});
  auto queue = std::make_shared<CountingQueue>();
  fanout.SetLink(queue);
  AuditEvent acquired;
  acquired.type = AuditType::kLeaseAcquired;
  acquired.account = "asmith";
  acquired.central_records = true;
  fanout.Record(acquired);
  AuditEvent lost = acquired;
  lost.type = AuditType::kLeaseLost;
  lost.central_records = false;
  fanout.Record(lost);
  REQUIRE(queue->lines.size() == 1);
  CHECK(queue->lines[0].find("lease_lost") != std::string::npos);
  CHECK(fanout.Losses().not_queued == 0);  // Not a loss: the central has its own.
}

}  // namespace
}  // namespace staffgate::agent
