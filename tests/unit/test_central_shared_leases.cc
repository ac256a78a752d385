// Session leases decided in the database (central/leases/shared_lease_desk.h,
// docs/design.md §12): two desks on one real PostgreSQL 15 database (the
// pg_server fixture) stand for two centrals, each with its own connection.
#include <catch2/catch.hpp>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "central/leases/shared_lease_desk.h"
#include "tests/unit/pg_test_db.h"

using namespace staffgate::central;
using staffgate::common::ErrorKind;
using staffgate::common::FakeClock;
using staffgate::testutil::NewPgDatabase;

namespace {

constexpr staffgate::common::UnixSeconds kTtl = 300;

// The types of the audit events `desk` queued, oldest first.
std::vector<std::string> EventTypes(LeaseDesk& desk) {
  std::vector<std::string> types;
  for (const LeaseWrite& w : desk.TakeWrites()) {
    if (w.kind == LeaseWrite::Kind::kEvent) types.push_back(w.event.at("type").get<std::string>());
  }
  return types;
}

// Two desks on one new database: two centrals' lease decisions.
struct TwoCentrals {
  TwoCentrals() {
    const std::string uri = NewPgDatabase();
    auto opened_a = SharedLeaseDesk::Open(uri, local_a);
    REQUIRE(opened_a);
    a = std::move(*opened_a);
    auto opened_b = SharedLeaseDesk::Open(uri, local_b);
    REQUIRE(opened_b);
    b = std::move(*opened_b);
  }
  FakeClock clock{1000};
  LeaseDesk local_a{clock};
  LeaseDesk local_b{clock};
  std::unique_ptr<SharedLeaseDesk> a, b;
};

LeaseSelector OfAccount(const std::string& account) {
  return LeaseSelector{std::nullopt, account, std::nullopt};
}

}  // namespace

TEST_CASE("shared leases: a lease taken through one central holds against the other",
          "[central][.pg]") {
  TwoCentrals world;
  auto& [clock, local_a, local_b, a, b] = world;

  auto first = a->Acquire("asmith", "WS-A", kTtl, 1, "id-a");
  REQUIRE(first);
  CHECK(first->kind == AcquireKind::kCreated);
  auto other = b->Acquire("asmith", "WS-B", kTtl, 1, "id-b");
  REQUIRE(other);
  CHECK(other->kind == AcquireKind::kRefused);
  CHECK(other->holder == "WS-A");
  // The holder asking through the other central renews its own lease.
  auto again = b->Acquire("asmith", "WS-A", kTtl, 1, "id-x");
  REQUIRE(again);
  CHECK(again->kind == AcquireKind::kRenewed);
  CHECK(again->lease.id == "id-a");
  CHECK(b->Renew("id-a", "WS-A", kTtl));
  auto foreign = b->Renew("id-a", "WS-B", kTtl);
  REQUIRE_FALSE(foreign);
  CHECK(foreign.error().kind == ErrorKind::kForbidden);
  auto listed = b->Select(LeaseSelector{});
  REQUIRE(listed);
  REQUIRE(listed->size() == 1);
  CHECK(listed->at(0).workstation == "WS-A");
  // The clock is the database's: the lease runs kTtl from now, whatever
  // the centrals' own clocks say (this one says 1970).
  CHECK(listed->at(0).expires_at > 1700000000);

  // Ended through A: B's renewal finds the tombstone, and the account is
  // free for another workstation.
  auto ended = a->End(OfAccount("asmith"), " of account 'asmith'");
  REQUIRE(ended);
  REQUIRE(ended->size() == 1);
  CHECK(local_a.HasNotice("WS-A"));
  auto renewal = b->Renew("id-a", "WS-A", kTtl);
  REQUIRE(renewal);
  CHECK(renewal->ended_at != 0);
  auto next = b->Acquire("asmith", "WS-B", kTtl, 1, "id-b2");
  REQUIRE(next);
  CHECK(next->kind == AcquireKind::kCreated);
  auto nothing = a->End(OfAccount("nobody"), " of account 'nobody'");
  REQUIRE_FALSE(nothing);
  CHECK(nothing.error().kind == ErrorKind::kNotFound);

  // Released through A (which did not make it): gone for both.
  auto released = a->Release("id-b2", "WS-B");
  REQUIRE(released);
  auto none = b->Select(OfAccount("asmith"));
  REQUIRE(none);
  CHECK(none->empty());

  // Each decision is audited once, by the central that made it.
  CHECK(EventTypes(local_a) ==
        std::vector<std::string>{"lease_acquired", "lease_ended_by_admin", "lease_released"});
  CHECK(EventTypes(local_b) == std::vector<std::string>{"lease_refused", "lease_acquired"});
}

TEST_CASE("shared leases: simultaneous acquisitions through two centrals give one lease",
          "[central][.pg]") {
  TwoCentrals world;
  auto& [clock, local_a, local_b, a, b] = world;
  for (int round = 0; round < 20; ++round) {
    const std::string account = "acct" + std::to_string(round);
    std::promise<void> go;
    std::shared_future<void> start = go.get_future().share();
    auto ask = [&](SharedLeaseDesk& desk, const std::string& ws) {
      return std::async(std::launch::async, [&desk, start, account, ws] {
        start.wait();
        std::string id = "id-";
        id.append(ws).append("-").append(account);
        return desk.Acquire(account, ws, kTtl, 1, id);
      });
    };
    auto from_a = ask(*a, "WS-A");
    auto from_b = ask(*b, "WS-B");
    go.set_value();
    auto got_a = from_a.get();
    auto got_b = from_b.get();
    REQUIRE(got_a);
    REQUIRE(got_b);
    const int created = (got_a->kind == AcquireKind::kCreated ? 1 : 0) +
                        (got_b->kind == AcquireKind::kCreated ? 1 : 0);
    CHECK(created == 1);
    auto held = a->Select(OfAccount(account));
    REQUIRE(held);
    CHECK(held->size() == 1);
  }
}
