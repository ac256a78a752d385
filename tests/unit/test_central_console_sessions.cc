// The console's sessions (admins/console_sessions.h) on a FakeClock: idle
// and absolute expiry, rotation at sign-in, form tokens, sign-out, the cap.
// Every scenario runs on the memory keeper, and ([.pg]) on the keeper in a
// real PostgreSQL database (shared_console_sessions.h), where two keepers
// on one database also stand for two centrals.
#include <catch2/catch.hpp>
#include <functional>
#include <memory>
#include <string>

#include "central/admins/console_sessions.h"
#include "central/admins/shared_console_sessions.h"
#include "central/database.h"
#include "central/store.h"
#include "central/tokens.h"
#include "tests/unit/pg_test_db.h"

namespace {

using staffgate::central::ConsoleSessions;
using staffgate::central::MemoryConsoleSessions;
using staffgate::central::Role;
using staffgate::central::SessionLimits;
using staffgate::central::SharedConsoleSessions;
using staffgate::common::FakeClock;

constexpr staffgate::common::UnixSeconds kStart = 1'800'000'000;

// Makes a keeper on `clock` with `limits`.
using Maker = std::function<std::unique_ptr<ConsoleSessions>(FakeClock&, SessionLimits)>;

std::unique_ptr<ConsoleSessions> InMemory(FakeClock& clock, SessionLimits limits) {
  return std::make_unique<MemoryConsoleSessions>(clock, limits);
}

// A keeper on a new database with the central's schema.
std::string NewCentralDatabase() {
  std::string uri = staffgate::testutil::NewPgDatabase();
  REQUIRE(staffgate::central::Store::Open(uri));
  return uri;
}

std::unique_ptr<ConsoleSessions> InPostgres(FakeClock& clock, SessionLimits limits) {
  auto opened = SharedConsoleSessions::Open(NewCentralDatabase(), clock, limits);
  REQUIRE(opened);
  return std::move(*opened);
}

void IdleEndsASession(const Maker& make) {
  FakeClock clock(kStart);
  auto sessions = make(clock, SessionLimits{});
  auto made = sessions->Create("alice", Role::kHr, false, "");
  REQUIRE(made);
  CHECK(made->id.size() == 64);
  CHECK(made->session.form_token.size() == 64);
  CHECK(made->id != made->session.form_token);
  clock.Advance(29 * 60L);
  auto found = sessions->Find(made->id);
  REQUIRE(found);
  CHECK(found->name == "alice");
  CHECK(found->role == Role::kHr);
  CHECK(found->form_token == made->session.form_token);
  clock.Advance(29 * 60L);  // Idle counts from the last use.
  CHECK(sessions->Find(made->id));
  clock.Advance(30 * 60L);
  CHECK_FALSE(sessions->Find(made->id));
  CHECK(sessions->Size() == 0);
}

void TenHoursEndASession(const Maker& make) {
  FakeClock clock(kStart);
  auto sessions = make(clock, SessionLimits{});
  auto made = sessions->Create("alice", Role::kOwner, false, "");
  REQUIRE(made);
  for (int i = 0; i < 10 * 6 - 1; ++i) {
    clock.Advance(10 * 60L);
    REQUIRE(sessions->Find(made->id));
  }
  clock.Advance(10 * 60L);
  CHECK_FALSE(sessions->Find(made->id));
}

void SignInRotatesSignOutEnds(const Maker& make) {
  FakeClock clock(kStart);
  auto sessions = make(clock, SessionLimits{});
  auto before = sessions->Create("alice", Role::kHr, true, "");
  REQUIRE(before);
  auto after = sessions->Create("alice", Role::kHr, false, before->id);
  REQUIRE(after);
  CHECK(after->id != before->id);
  CHECK(after->session.form_token != before->session.form_token);
  CHECK_FALSE(sessions->Find(before->id));
  REQUIRE(sessions->Find(after->id));
  CHECK(sessions->End(after->id));
  CHECK_FALSE(sessions->Find(after->id));
  CHECK_FALSE(sessions->Find(""));
  CHECK(sessions->End("unknown"));
}

void FormTokensFlagsEndAllOf(const Maker& make) {
  FakeClock clock(kStart);
  auto sessions = make(clock, SessionLimits{});
  auto a = sessions->Create("alice", Role::kHr, true, "");
  auto b = sessions->Create("alice", Role::kHr, false, "");
  auto c = sessions->Create("bert", Role::kIt, false, "");
  REQUIRE((a && b && c));
  CHECK(ConsoleSessions::FormTokenMatches(a->session, a->session.form_token));
  CHECK_FALSE(ConsoleSessions::FormTokenMatches(a->session, b->session.form_token));
  CHECK_FALSE(ConsoleSessions::FormTokenMatches(a->session, ""));
  CHECK(sessions->Find(a->id)->must_change_password);
  CHECK_FALSE(sessions->Find(b->id)->must_change_password);
  sessions->EndAllOf("alice");
  CHECK_FALSE(sessions->Find(a->id));
  CHECK_FALSE(sessions->Find(b->id));
  CHECK(sessions->Find(c->id));
}

void OnlyTheHashCapEndsOldest(const Maker& make) {
  FakeClock clock(kStart);
  SessionLimits limits;
  limits.max_sessions = 2;
  auto sessions = make(clock, limits);
  auto first = sessions->Create("a", Role::kAuditor, false, "");
  clock.Advance(1);
  auto second = sessions->Create("b", Role::kAuditor, false, "");
  clock.Advance(1);
  auto third = sessions->Create("c", Role::kAuditor, false, "");
  REQUIRE((first && second && third));
  CHECK(sessions->Size() == 2);
  CHECK_FALSE(sessions->Find(first->id));
  CHECK(sessions->Find(second->id));
  CHECK(sessions->Find(third->id));
  // Neither the id's hash nor the form token opens the session.
  CHECK_FALSE(sessions->Find(staffgate::central::TokenHash(third->id)));
  CHECK_FALSE(sessions->Find(third->session.form_token));
}

}  // namespace

TEST_CASE("console sessions: idle 30 min ends a session, activity keeps it", "[central][admins]") {
  IdleEndsASession(InMemory);
}

TEST_CASE("console sessions: 10 hours end a session however busy", "[central][admins]") {
  TenHoursEndASession(InMemory);
}

TEST_CASE("console sessions: a sign-in rotates the id, sign-out ends it", "[central][admins]") {
  SignInRotatesSignOutEnds(InMemory);
}

TEST_CASE("console sessions: form tokens, must-change flags, ending all of one name",
          "[central][admins]") {
  FormTokensFlagsEndAllOf(InMemory);
}

TEST_CASE("console sessions: only the id's hash is kept, the cap ends the oldest",
          "[central][admins]") {
  OnlyTheHashCapEndsOldest(InMemory);
}

TEST_CASE("shared console sessions: every rule of the memory keeper, in PostgreSQL",
          "[central][.pg]") {
  IdleEndsASession(InPostgres);
  TenHoursEndASession(InPostgres);
  SignInRotatesSignOutEnds(InPostgres);
  FormTokensFlagsEndAllOf(InPostgres);
  OnlyTheHashCapEndsOldest(InPostgres);
}

TEST_CASE("shared console sessions: a session made through one central works through another",
          "[central][.pg]") {
  FakeClock clock(kStart);
  const std::string uri = NewCentralDatabase();
  auto a = SharedConsoleSessions::Open(uri, clock, SessionLimits{});
  auto b = SharedConsoleSessions::Open(uri, clock, SessionLimits{});
  REQUIRE((a && b));
  auto made = (*a)->Create("alice", Role::kIt, false, "");
  REQUIRE(made);
  auto there = (*b)->Find(made->id);
  REQUIRE(there);
  CHECK(there->name == "alice");
  CHECK(there->form_token == made->session.form_token);
  // Used through B for 40 minutes: A sees it alive (B wrote last_seen).
  for (int i = 0; i < 4; ++i) {
    clock.Advance(10 * 60L);
    REQUIRE((*b)->Find(made->id));
  }
  CHECK((*a)->Find(made->id));
  // Signed out through A: gone through B. Ended for a name through B:
  // gone through A.
  REQUIRE((*a)->End(made->id));
  CHECK_FALSE((*b)->Find(made->id));
  auto next = (*a)->Create("alice", Role::kIt, false, "");
  REQUIRE(next);
  (*b)->EndAllOf("alice");
  CHECK_FALSE((*a)->Find(next->id));
}

TEST_CASE("shared console sessions: a sign-out the database does not take is an error",
          "[central][.pg]") {
  FakeClock clock(kStart);
  const std::string uri = NewCentralDatabase();
  auto sessions = SharedConsoleSessions::Open(uri, clock, SessionLimits{});
  REQUIRE(sessions);
  auto made = (*sessions)->Create("alice", Role::kIt, false, "");
  REQUIRE(made);
  // The database refuses deletes (a trigger): End must say so rather than
  // report a sign-out that did not happen, for the session lives on.
  auto other = staffgate::central::OpenDatabase(uri);
  REQUIRE(other);
  REQUIRE(
      (*other)->Exec("CREATE FUNCTION refuse_delete() RETURNS trigger LANGUAGE plpgsql AS "
                     "$$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$; "
                     "CREATE TRIGGER refuse_delete BEFORE DELETE ON console_sessions "
                     "FOR EACH ROW EXECUTE FUNCTION refuse_delete()"));
  auto ended = (*sessions)->End(made->id);
  REQUIRE_FALSE(ended);
  CHECK_FALSE(ended.error().message.empty());
  CHECK((*sessions)->Find(made->id));
}
