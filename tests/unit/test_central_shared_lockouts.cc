// Lockout counters kept in the database (central/auth/shared_lockouts.h,
// docs/design.md §12): two ledgers on one real PostgreSQL 15 database (the
// pg_server fixture) stand for two centrals, each with its own connection.
#include <catch2/catch.hpp>
#include <future>
#include <string>
#include <vector>

#include "central/auth/shared_lockouts.h"
#include "tests/unit/pg_test_db.h"

using namespace staffgate::central;
using staffgate::testutil::NewPgDatabase;

namespace {

// Three failures lock for an hour; the central's clock (1970) is ignored.
constexpr LockoutPolicy kPolicy{3, 600, 3600};
constexpr staffgate::common::UnixSeconds kCentralNow = 1000;

}  // namespace

TEST_CASE("shared lockouts: failures through two centrals count against one limit",
          "[central][.pg]") {
  const std::string uri = NewPgDatabase();
  auto a = SharedLockouts::Open(uri, kPolicy);
  REQUIRE(a);
  auto b = SharedLockouts::Open(uri, kPolicy);
  REQUIRE(b);

  auto first = (*a)->Fail("E1", kCentralNow);
  REQUIRE(first);
  CHECK_FALSE(*first);
  auto second = (*b)->Fail("E1", kCentralNow);
  REQUIRE(second);
  CHECK_FALSE(*second);
  // A right password through B forgets both.
  auto succeeded = (*b)->Succeed("E1", kCentralNow);
  REQUIRE(succeeded);
  CHECK(*succeeded);
  for (int i = 0; i < 2; ++i) {
    auto more = (i == 0 ? *a : *b)->Fail("E1", kCentralNow);
    REQUIRE(more);
    CHECK_FALSE(*more);
  }
  auto third = (*a)->Fail("E1", kCentralNow);
  REQUIRE(third);
  CHECK(*third);  // The third since the success locks, on the database's clock.
  for (auto* ledger : {a->get(), b->get()}) {
    auto until = ledger->LockedUntil("E1", kCentralNow);
    REQUIRE(until);
    REQUIRE(until->has_value());
    CHECK(**until > 1700000000 + kPolicy.lock_s);
  }
  // A right password checked while another central locked it: refused.
  auto late = (*b)->Succeed("E1", kCentralNow);
  REQUIRE(late);
  CHECK_FALSE(*late);
  auto other = (*b)->LockedUntil("E2", kCentralNow);
  REQUIRE(other);
  CHECK_FALSE(other->has_value());

  // Unlocked through B: free on A too; a second unlock finds nothing.
  auto unlocked = (*b)->Unlock("E1");
  REQUIRE(unlocked);
  CHECK(*unlocked);
  auto free = (*a)->LockedUntil("E1", kCentralNow);
  REQUIRE(free);
  CHECK_FALSE(free->has_value());
  auto again = (*a)->Unlock("E1");
  REQUIRE(again);
  CHECK_FALSE(*again);
}

TEST_CASE("shared lockouts: simultaneous failures through two centrals are all counted",
          "[central][.pg]") {
  const std::string uri = NewPgDatabase();
  constexpr LockoutPolicy kTen{10, 600, 3600};
  auto a = SharedLockouts::Open(uri, kTen);
  REQUIRE(a);
  auto b = SharedLockouts::Open(uri, kTen);
  REQUIRE(b);
  std::promise<void> go;
  std::shared_future<void> start = go.get_future().share();
  auto fail_five = [start](SharedLockouts& ledger) {
    return std::async(std::launch::async, [&ledger, start] {
      start.wait();
      int locks = 0;
      for (int i = 0; i < 5; ++i) {
        auto locked = ledger.Fail("E9", kCentralNow);
        if (!locked) return -1;
        locks += *locked ? 1 : 0;
      }
      return locks;
    });
  };
  auto from_a = fail_five(**a);
  auto from_b = fail_five(**b);
  go.set_value();
  const int locks_a = from_a.get();
  const int locks_b = from_b.get();
  REQUIRE(locks_a >= 0);
  REQUIRE(locks_b >= 0);
  CHECK(locks_a + locks_b == 1);  // The tenth failure, whichever central saw it.
  auto until = (*a)->LockedUntil("E9", kCentralNow);
  REQUIRE(until);
  CHECK(until->has_value());
}
