// Administrators' sign-in (admins/sign_in.h) on a FakeClock: one-time
// passwords, per-account and per-address limits, unknown names alike.
#include <catch2/catch.hpp>

#include "central/admins/sign_in.h"
#include "tests/unit/admin_world.h"

namespace {

using staffgate::central::Role;
using staffgate::central::SignIn;
using staffgate::central::SignInPolicy;
using Outcome = staffgate::central::SignInResult::Outcome;
using staffgate::testutil::AdminWorld;
using staffgate::testutil::kCheapArgon2;

constexpr const char* kNewPassword = "Correct-Horse-Battery-42";

struct SignInWorld : AdminWorld {
  std::unique_ptr<SignIn> sign_in = Make();
  std::string password = *service->AddAdmin("alice", Role::kHr);

  std::unique_ptr<SignIn> Make() {
    auto made = SignIn::Create(*service, clock, SignInPolicy{}, kCheapArgon2);
    REQUIRE(made);
    return std::move(*made);
  }
  Outcome Try(const std::string& name, const std::string& pw,
              const std::string& address = "192.0.2.1") {
    auto result = sign_in->Attempt(name, pw, address);
    REQUIRE(result);
    return result->outcome;
  }
};

}  // namespace

TEST_CASE("sign-in: a one-time password only lets the password be changed", "[central][admins]") {
  SignInWorld w;
  auto first = w.sign_in->Attempt("alice", w.password, "192.0.2.1");
  REQUIRE(first);
  CHECK(first->outcome == Outcome::kMustChangePassword);
  CHECK(first->role == Role::kHr);
  auto same = w.sign_in->ChangePassword("alice", w.password, w.password, "192.0.2.1");
  REQUIRE_FALSE(same);
  CHECK(same.error().kind == staffgate::common::ErrorKind::kInvalidInput);
  auto weak = w.sign_in->ChangePassword("alice", w.password, "abc", "192.0.2.1");
  REQUIRE_FALSE(weak);
  CHECK(weak.error().kind == staffgate::common::ErrorKind::kInvalidInput);
  auto wrong = w.sign_in->ChangePassword("alice", "nope", kNewPassword, "192.0.2.1");
  REQUIRE_FALSE(wrong);
  CHECK(wrong.error().kind == staffgate::common::ErrorKind::kForbidden);
  REQUIRE(w.sign_in->ChangePassword("alice", w.password, kNewPassword, "192.0.2.1"));
  CHECK(w.Try("alice", kNewPassword) == Outcome::kSignedIn);
  CHECK(w.Try("alice", w.password) == Outcome::kRefused);
  CHECK_FALSE(w.service->FindAdmin("alice")->must_change_password);
}

TEST_CASE("sign-in: wrong passwords lock the account, even against the right one",
          "[central][admins]") {
  SignInWorld w;
  for (int i = 0; i < 4; ++i)
    CHECK(w.Try("alice", "wrong", "198.51.100." + std::to_string(i)) == Outcome::kRefused);
  CHECK(w.service->FindAdmin("alice")->lockout.failures.size() == 4);
  CHECK(w.Try("alice", "wrong", "198.51.100.9") == Outcome::kRefused);  // The 5th locks.
  auto locked = w.sign_in->Attempt("alice", w.password, "203.0.113.5");
  REQUIRE(locked);
  CHECK(locked->outcome == Outcome::kLocked);
  CHECK(locked->retry_at == AdminWorld::kStart + 900);
  w.clock.Advance(899);
  CHECK(w.Try("alice", w.password) == Outcome::kLocked);
  w.clock.Advance(1);
  CHECK(w.Try("alice", w.password) == Outcome::kMustChangePassword);
}

TEST_CASE("sign-in: the lock survives a restart, a reset password clears it", "[central][admins]") {
  SignInWorld w;
  for (int i = 0; i < 5; ++i) w.Try("alice", "wrong", "198.51.100.1");
  w.sign_in.reset();
  w.service.reset();
  w.service = w.Open();
  w.sign_in = w.Make();
  CHECK(w.Try("alice", w.password) == Outcome::kLocked);
  auto fresh = w.service->ResetAdminPassword("alice");
  REQUIRE(fresh);
  CHECK(w.Try("alice", *fresh, "203.0.113.1") == Outcome::kMustChangePassword);
}

TEST_CASE("sign-in: failures from one address lock it for every name", "[central][admins]") {
  SignInWorld w;
  for (int i = 0; i < 20; ++i) {
    CHECK(w.Try("nobody" + std::to_string(i), "guess", "203.0.113.66") == Outcome::kRefused);
  }
  CHECK(w.Try("alice", w.password, "203.0.113.66") == Outcome::kLocked);
  CHECK(w.Try("alice", w.password, "203.0.113.67") == Outcome::kMustChangePassword);
  w.clock.Advance(900);
  CHECK(w.Try("alice", w.password, "203.0.113.66") == Outcome::kMustChangePassword);
}

TEST_CASE("sign-in: an unknown name answers and locks like a known one", "[central][admins]") {
  SignInWorld w;
  for (int i = 0; i < 5; ++i) {
    CHECK(w.Try("mallory", "guess", "198.51.100." + std::to_string(i)) == Outcome::kRefused);
  }
  CHECK(w.Try("mallory", "guess", "198.51.100.200") == Outcome::kLocked);
  CHECK(w.Try("alice", "", "198.51.100.201") == Outcome::kRefused);
}
