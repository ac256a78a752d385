// CachingUserDb: uid lookups cached for a short time, shadow never.
#include <catch2/catch.hpp>

#include "agent/users/user_db_cache.h"
#include "common/time_util.h"

namespace staffgate::agent {
namespace {

struct CountingDb : StaticUserDb {
  mutable int uid_calls = 0;
  mutable int shadow_calls = 0;
  std::optional<uid_t> UidOf(const std::string& account) const override {
    ++uid_calls;
    return StaticUserDb::UidOf(account);
  }
  std::optional<std::int64_t> PasswordChangedDay(const std::string& account) const override {
    ++shadow_calls;
    return StaticUserDb::PasswordChangedDay(account);
  }
};

TEST_CASE("user db cache: uids and misses are cached until the TTL passes", "[agent]") {
  CountingDb inner;
  inner.Add("asmith", 1001, 20000);
  common::FakeClock clock(1000);
  CachingUserDb cache(inner, clock, 5000);
  CHECK(cache.UidOf("asmith") == 1001U);
  CHECK(cache.UidOf("asmith") == 1001U);
  CHECK_FALSE(cache.UidOf("ghost"));
  CHECK_FALSE(cache.UidOf("ghost"));
  CHECK(inner.uid_calls == 2);
  // A renumbered account and a new one are seen after the TTL.
  inner.Add("asmith", 1005);
  inner.Add("ghost", 1006);
  clock.Advance(4);
  CHECK(cache.UidOf("asmith") == 1001U);
  clock.Advance(5);
  CHECK(cache.UidOf("asmith") == 1005U);
  CHECK(cache.UidOf("ghost") == 1006U);
  CHECK(inner.uid_calls == 4);
  cache.Clear();
  CHECK(cache.UidOf("asmith") == 1005U);
  CHECK(inner.uid_calls == 5);
}

TEST_CASE("user db cache: password change days are always read fresh", "[agent]") {
  CountingDb inner;
  inner.Add("asmith", 1001, 20000);
  common::FakeClock clock(1000);
  CachingUserDb cache(inner, clock);
  CHECK(cache.PasswordChangedDay("asmith") == 20000);
  inner.Add("asmith", 1001, 20001);
  CHECK(cache.PasswordChangedDay("asmith") == 20001);
  CHECK(inner.shadow_calls == 2);
}

TEST_CASE("user db cache: a full cache starts over instead of growing", "[agent]") {
  CountingDb inner;
  common::FakeClock clock(1000);
  CachingUserDb cache(inner, clock, 5000, 3);
  for (const char* name : {"a", "b", "c", "d"}) cache.UidOf(name);
  CHECK(inner.uid_calls == 4);
  cache.UidOf("d");  // kept: inserted after the reset
  CHECK(inner.uid_calls == 4);
  cache.UidOf("a");  // dropped by the reset
  CHECK(inner.uid_calls == 5);
}

}  // namespace
}  // namespace staffgate::agent
