// The central's LeaseDesk (docs/design.md §6) with a fake clock: what each
// decision queues for the store (rows and audit events), notices of ended
// leases, and the bound on writes kept after failed flushes.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "central/leases/lease_desk.h"

namespace staffgate::central {
namespace {

constexpr common::UnixSeconds kStart = 1795910400;
constexpr common::UnixSeconds kTtl = 90;

std::vector<std::string> Kinds(const std::vector<LeaseWrite>& writes) {
  std::vector<std::string> out;
  for (const LeaseWrite& w : writes) {
    switch (w.kind) {
      case LeaseWrite::Kind::kPut:
        out.emplace_back("put");
        break;
      case LeaseWrite::Kind::kDelete:
        out.emplace_back("delete");
        break;
      case LeaseWrite::Kind::kDeleteLapsed:
        out.emplace_back("delete-lapsed");
        break;
      case LeaseWrite::Kind::kEvent:
        out.push_back("event:" + w.event.at("type").get<std::string>());
        break;
    }
  }
  return out;
}

TEST_CASE("lease desk: each decision queues its row and event, renewals no event",
          "[central][leases]") {
  common::FakeClock clock(kStart);
  LeaseDesk desk(clock);
  auto first = desk.Acquire("asmith", "WS-1", kTtl, 1, "id1");
  REQUIRE(first);
  REQUIRE(first->kind == AcquireKind::kCreated);
  CHECK(desk.Acquire("asmith", "WS-1", kTtl, 1, "id2")->kind == AcquireKind::kRenewed);
  auto refused = desk.Acquire("asmith", "WS-2", kTtl, 1, "id3");
  REQUIRE(refused);
  CHECK(refused->kind == AcquireKind::kRefused);
  CHECK(refused->holder == "WS-1");
  std::vector<LeaseWrite> writes = desk.TakeWrites();
  CHECK(Kinds(writes) ==
        std::vector<std::string>{"put", "event:lease_acquired", "put", "event:lease_refused"});
  const common::Json& event = writes[1].event;
  CHECK(event.at("source") == "central");
  CHECK(event.at("account") == "asmith");
  CHECK(event.at("workstation") == "WS-1");
  CHECK(event.at("lease") == "id1");
  CHECK(writes[3].event.at("holder") == "WS-1");
  CHECK(desk.TakeWrites().empty());

  clock.Advance(30);
  auto renewed = desk.Renew("id1", "WS-1", kTtl);
  REQUIRE(renewed);
  CHECK(renewed->expires_at == kStart + 30 + kTtl);
  CHECK(desk.Renew("id1", "WS-2", kTtl).error().kind == common::ErrorKind::kForbidden);
  CHECK(desk.Release("nope", "WS-1").error().kind == common::ErrorKind::kNotFound);
  REQUIRE(desk.Release("id1", "WS-1"));
  CHECK(Kinds(desk.TakeWrites()) ==
        std::vector<std::string>{"put", "delete", "event:lease_released"});
  CHECK(desk.CountLive() == 0);
}

TEST_CASE("lease desk: an admin end leaves a tombstone, a notice and one event",
          "[central][leases]") {
  common::FakeClock clock(kStart);
  LeaseDesk desk(clock);
  REQUIRE(desk.Acquire("asmith", "WS-1", kTtl, 0, "id1"));
  REQUIRE(desk.Acquire("asmith", "WS-2", kTtl, 0, "id2"));
  (void)desk.TakeWrites();
  CHECK(
      desk.End(LeaseSelector{std::nullopt, "bjones", std::nullopt}, " of bjones").error().message ==
      "no live session lease of bjones");
  auto ended = desk.End(LeaseSelector{std::nullopt, std::nullopt, "WS-2"}, "");
  REQUIRE(ended);
  REQUIRE(ended->size() == 1);
  CHECK(ended->front().ended_at == kStart);
  CHECK(Kinds(desk.TakeWrites()) == std::vector<std::string>{"put", "event:lease_ended_by_admin"});
  CHECK(desk.HasNotice("WS-2"));
  CHECK_FALSE(desk.HasNotice("WS-1"));
  CHECK(desk.TakeNotice("WS-2"));
  CHECK_FALSE(desk.TakeNotice("WS-2"));
  // The holder's renewal learns it was ended; nothing is renewed or queued.
  auto renewal = desk.Renew("id2", "WS-2", kTtl);
  REQUIRE(renewal);
  CHECK(renewal->ended_at == kStart);
  CHECK(desk.TakeWrites().empty());
  CHECK(desk.Live().size() == 1);
  // Select sees only live leases: the tombstone is not one.
  auto of_asmith = desk.Select(LeaseSelector{std::nullopt, "asmith", std::nullopt});
  REQUIRE(of_asmith);
  REQUIRE(of_asmith->size() == 1);
  CHECK(of_asmith->front().workstation == "WS-1");
}

TEST_CASE("lease desk: lapsed leases are pruned and counted, tombstones are not",
          "[central][leases]") {
  common::FakeClock clock(kStart);
  LeaseDesk desk(clock);
  REQUIRE(desk.Acquire("asmith", "WS-1", kTtl, 0, "id1"));
  REQUIRE(desk.Acquire("bjones", "WS-1", kTtl, 0, "id2"));
  REQUIRE(desk.End(LeaseSelector{"id2", std::nullopt, std::nullopt}, ""));
  (void)desk.TakeWrites();
  clock.Advance(kTtl);
  CHECK(desk.Live().empty());
  CHECK(desk.Lapsed() == 1);
  CHECK(Kinds(desk.TakeWrites()) == std::vector<std::string>{"delete-lapsed"});
}

TEST_CASE("lease desk: failed writes go back in order, beyond the bound they are dropped",
          "[central][leases]") {
  common::FakeClock clock(kStart);
  LeaseDesk desk(clock);
  REQUIRE(desk.Acquire("asmith", "WS-1", kTtl, 0, "id1"));
  std::vector<LeaseWrite> failed = desk.TakeWrites();
  REQUIRE(desk.Acquire("bjones", "WS-1", kTtl, 0, "id2"));
  const std::uint64_t none_dropped = desk.Requeue(std::move(failed));
  CHECK(none_dropped == 0);
  std::vector<LeaseWrite> all = desk.TakeWrites();
  REQUIRE(all.size() == 4);
  CHECK(all[0].lease.id == "id1");
  CHECK(all[2].lease.id == "id2");

  std::vector<LeaseWrite> flood(LeaseDesk::kMaxPendingWrites);
  flood[0].kind = LeaseWrite::Kind::kEvent;
  flood[1].kind = LeaseWrite::Kind::kEvent;
  desk.QueueEvent("password_verify", Lease{}, common::Json::object());
  const std::uint64_t dropped = desk.Requeue(std::move(flood));
  CHECK(dropped == 2);                   // Two events dropped, counted.
  CHECK(desk.TakeWrites().size() == 1);  // The newer write is kept.
}

}  // namespace
}  // namespace staffgate::central
