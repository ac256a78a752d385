// The console's sessions (admins/console_sessions.h) on a FakeClock: idle
// and absolute expiry, rotation at sign-in, form tokens, sign-out.
#include <catch2/catch.hpp>

#include "central/admins/console_sessions.h"
#include "central/tokens.h"

namespace {

using staffgate::central::ConsoleSessions;
using staffgate::central::Role;
using staffgate::central::SessionLimits;
using staffgate::common::FakeClock;

constexpr staffgate::common::UnixSeconds kStart = 1'800'000'000;

}  // namespace

TEST_CASE("console sessions: idle 30 min ends a session, activity keeps it", "[central][admins]") {
  FakeClock clock(kStart);
  ConsoleSessions sessions(clock, SessionLimits{});
  auto made = sessions.Create("alice", Role::kHr, false, "");
  REQUIRE(made);
  CHECK(made->id.size() == 64);
  CHECK(made->session.form_token.size() == 64);
  CHECK(made->id != made->session.form_token);
  clock.Advance(29 * 60);
  auto found = sessions.Find(made->id);
  REQUIRE(found);
  CHECK(found->name == "alice");
  CHECK(found->role == Role::kHr);
  clock.Advance(29 * 60);  // Idle counts from the last use.
  CHECK(sessions.Find(made->id));
  clock.Advance(30 * 60);
  CHECK_FALSE(sessions.Find(made->id));
  CHECK(sessions.Size() == 0);
}

TEST_CASE("console sessions: 10 hours end a session however busy", "[central][admins]") {
  FakeClock clock(kStart);
  ConsoleSessions sessions(clock, SessionLimits{});
  auto made = sessions.Create("alice", Role::kOwner, false, "");
  REQUIRE(made);
  for (int i = 0; i < 10 * 6 - 1; ++i) {
    clock.Advance(10 * 60);
    REQUIRE(sessions.Find(made->id));
  }
  clock.Advance(10 * 60);
  CHECK_FALSE(sessions.Find(made->id));
}

TEST_CASE("console sessions: a sign-in rotates the id, sign-out ends it", "[central][admins]") {
  FakeClock clock(kStart);
  ConsoleSessions sessions(clock, SessionLimits{});
  auto before = sessions.Create("alice", Role::kHr, true, "");
  REQUIRE(before);
  auto after = sessions.Create("alice", Role::kHr, false, before->id);
  REQUIRE(after);
  CHECK(after->id != before->id);
  CHECK(after->session.form_token != before->session.form_token);
  CHECK_FALSE(sessions.Find(before->id));
  REQUIRE(sessions.Find(after->id));
  sessions.End(after->id);
  CHECK_FALSE(sessions.Find(after->id));
  CHECK_FALSE(sessions.Find(""));
  sessions.End("unknown");
}

TEST_CASE("console sessions: form tokens, password change, ending all of one name",
          "[central][admins]") {
  FakeClock clock(kStart);
  ConsoleSessions sessions(clock, SessionLimits{});
  auto a = sessions.Create("alice", Role::kHr, true, "");
  auto b = sessions.Create("alice", Role::kHr, false, "");
  auto c = sessions.Create("bert", Role::kIt, false, "");
  REQUIRE((a && b && c));
  CHECK(ConsoleSessions::FormTokenMatches(a->session, a->session.form_token));
  CHECK_FALSE(ConsoleSessions::FormTokenMatches(a->session, b->session.form_token));
  CHECK_FALSE(ConsoleSessions::FormTokenMatches(a->session, ""));
  CHECK(sessions.Find(a->id)->must_change_password);
  sessions.PasswordChanged(a->id);
  CHECK_FALSE(sessions.Find(a->id)->must_change_password);
  sessions.EndAllOf("alice");
  CHECK_FALSE(sessions.Find(a->id));
  CHECK_FALSE(sessions.Find(b->id));
  CHECK(sessions.Find(c->id));
}

TEST_CASE("console sessions: only the id's hash is kept, the cap ends the oldest",
          "[central][admins]") {
  FakeClock clock(kStart);
  SessionLimits limits;
  limits.max_sessions = 2;
  ConsoleSessions sessions(clock, limits);
  auto first = sessions.Create("a", Role::kAuditor, false, "");
  clock.Advance(1);
  auto second = sessions.Create("b", Role::kAuditor, false, "");
  clock.Advance(1);
  auto third = sessions.Create("c", Role::kAuditor, false, "");
  REQUIRE((first && second && third));
  CHECK(sessions.Size() == 2);
  CHECK_FALSE(sessions.Find(first->id));
  CHECK(sessions.Find(third->id));
  // A hash of the id does not open the session.
  CHECK_FALSE(sessions.Find(staffgate::central::TokenHash(third->id)));
}
