// PasswordService's decisions (docs/design.md §10) with an injected clock
// and a scripted central: when the offline verifier is kept and used, the
// roster checked before any password, the central's answers, the local
// limit, and password changes going to the central only.
#include <catch2/catch.hpp>
#include <string>

#include "password_world.h"

// The world's namespace brings staffgate::agent, Decision, Reason and kNow.
using namespace staffgate;                       // NOLINT: test brevity
using namespace staffgate::testutil::passwords;  // NOLINT

TEST_CASE("password service: online success keeps a verifier used only when unreachable",
          "[agent][passwords]") {
  World w;
  w.central->verify = {Answered(common::VerifyResult::kOk)};
  auto online = w.Auth("pw");
  CHECK(DecisionOf(online) == Decision::kAllow);
  CHECK(online.how == "online");
  REQUIRE(w.central->verify_calls.size() == 1);
  CHECK(w.central->verify_calls[0].password == "pw");
  CHECK(w.central->verify_calls[0].service == "login");

  // Unreachable: offline, right and wrong; after the first miss the
  // central gets only the short deadline for a while.
  auto offline = w.Auth("pw");
  CHECK(DecisionOf(offline) == Decision::kAllow);
  CHECK(offline.how == "offline");
  auto wrong = w.Auth("nope");
  CHECK(ReasonOf(wrong) == Reason::kBadCredentials);
  CHECK(wrong.how == "offline");
  CHECK(w.central->deadlines ==
        std::vector<int>{kVerifyDeadlineMs, kVerifyDeadlineMs, kRetryDeadlineMs});
  w.clock.Advance(kUnreachableMemoryS);
  (void)w.Auth("pw");
  CHECK(w.central->deadlines.back() == kVerifyDeadlineMs);
  w.clock.Set(kNow);

  // The central answers "bad_credentials": never checked offline.
  w.central->verify = {Answered(common::VerifyResult::kBadCredentials)};
  auto refused = w.Auth("pw");
  CHECK(ReasonOf(refused) == Reason::kBadCredentials);
  CHECK(refused.how == "online");

  // Offline never outlives offline_credentials_days.
  w.clock.Advance(3 * kDay);
  auto late = w.Auth("pw");
  CHECK(std::get<common::ErrorReply>(late.response).error == "unavailable");
}

TEST_CASE("password service: the verifier never outlives the roster", "[agent][passwords]") {
  World w;
  w.roster = MakeRoster("active", std::nullopt, kNow + kDay);
  w.central->verify = {Answered(common::VerifyResult::kOk)};
  CHECK(DecisionOf(w.Auth("pw", Allowed(), 30)) == Decision::kAllow);
  w.clock.Set(kNow + kDay);
  CHECK(std::holds_alternative<common::ErrorReply>(w.Auth("pw").response));
}

TEST_CASE("password service: offline_credentials_days = 0 keeps no verifier",
          "[agent][passwords]") {
  World w;
  w.central->verify = {Answered(common::VerifyResult::kOk)};
  CHECK(DecisionOf(w.Auth("pw", Allowed(), 0)) == Decision::kAllow);
  CHECK(std::get<common::ErrorReply>(w.Auth("pw").response).error == "unavailable");
}

TEST_CASE("password service: the roster refuses before any password is checked",
          "[agent][passwords]") {
  World w;
  for (Reason reason : {Reason::kTerminated, Reason::kSuspended, Reason::kNotPermittedHere,
                        Reason::kSharedAccount, Reason::kNoRoster}) {
    Verdict v;
    v.decision = Decision::kDeny;
    v.reason = reason;
    auto answer = w.Auth("pw", v);
    CHECK(DecisionOf(answer) == Decision::kDeny);
    CHECK(ReasonOf(answer) == reason);
  }
  for (auto [decision, reason] : {std::pair{Decision::kDeny, Reason::kUnknownAccount},
                                  std::pair{Decision::kIgnore, Reason::kExempt},
                                  std::pair{Decision::kIgnore, Reason::kNotEnrolled}}) {
    Verdict v;
    v.decision = decision;
    v.reason = reason;
    CHECK(ReasonOf(w.Auth("pw", v)) == Reason::kNotManaged);
  }
  CHECK(w.central->verify_calls.empty());  // No password left the agent.
}

TEST_CASE("password service: terminated refuses even with a verifier that matches",
          "[agent][passwords]") {
  World w;
  w.central->verify = {Answered(common::VerifyResult::kOk)};
  REQUIRE(DecisionOf(w.Auth("pw")) == Decision::kAllow);
  w.roster = MakeRoster("terminated");
  w.service.RosterChanged(w.roster);
  Verdict v;
  v.decision = Decision::kDeny;
  v.reason = Reason::kTerminated;
  CHECK(ReasonOf(w.Auth("pw", v)) == Reason::kTerminated);
  // Reinstated: the old verifier is gone.
  w.roster = MakeRoster("active");
  CHECK(std::get<common::ErrorReply>(w.Auth("pw").response).error == "unavailable");
}

TEST_CASE("password service: central answers map to decisions", "[agent][passwords]") {
  World w;
  w.central->verify = {Answered(common::VerifyResult::kLockedOut),
                       Answered(common::VerifyResult::kResetRequired),
                       Answered(common::VerifyResult::kNotManaged)};
  CHECK(ReasonOf(w.Auth("pw")) == Reason::kLockedOut);
  auto reset = w.Auth("pw");
  CHECK(DecisionOf(reset) == Decision::kResetRequired);
  CHECK(ReasonOf(reset) == Reason::kCredentialsResetRequired);
  auto unmanaged = w.Auth("pw");
  CHECK(DecisionOf(unmanaged) == Decision::kIgnore);
  CHECK(ReasonOf(unmanaged) == Reason::kNotManaged);
  // A one-time or reset password is never kept for offline use.
  CHECK(std::holds_alternative<common::ErrorReply>(w.Auth("pw").response));

  // Roster row 10 says reset: the right password gives reset_required.
  Verdict reset_verdict = Allowed();
  reset_verdict.decision = Decision::kResetRequired;
  reset_verdict.reason = Reason::kCredentialsResetRequired;
  w.central->verify = {Answered(common::VerifyResult::kOk)};
  CHECK(DecisionOf(w.Auth("pw", reset_verdict)) == Decision::kResetRequired);
}

TEST_CASE("password service: the local limit stops guessing online and offline",
          "[agent][passwords]") {
  World w;
  for (int i = 0; i < 10; ++i) {
    w.central->verify.push_back(Answered(common::VerifyResult::kBadCredentials));
  }
  for (int i = 0; i < 10; ++i) CHECK(ReasonOf(w.Auth("guess")) == Reason::kBadCredentials);
  auto locked = w.Auth("pw");
  CHECK(ReasonOf(locked) == Reason::kLockedOut);
  CHECK(locked.how == "local_limit");
  CHECK(w.central->verify_calls.size() == 10);  // The 11th never left.
  w.clock.Advance(300);
  w.central->verify = {Answered(common::VerifyResult::kOk)};
  CHECK(DecisionOf(w.Auth("pw")) == Decision::kAllow);
}

TEST_CASE("password service: chauthtok goes to the central only", "[agent][passwords]") {
  World w;
  auto change = [&] {
    return w.service.Chauthtok(common::ChauthtokRequest{"asmith", "old", "N3w-long-pass"},
                               Allowed());
  };
  ChangeOutcome weak;
  weak.kind = ChangeOutcome::Kind::kRefused;
  weak.refusal = {"weak_password", "The password is shorter than 12 characters"};
  w.central->change = {weak};
  auto refused = change();
  const auto& err = std::get<common::ErrorReply>(refused.response);
  CHECK(err.error == "weak_password");
  CHECK(err.message == "The password is shorter than 12 characters");
  // A locked account is said as such, not as a weak password.
  ChangeOutcome locked;
  locked.kind = ChangeOutcome::Kind::kRefused;
  locked.refusal = {"locked_out", "Too many wrong passwords."};
  w.central->change = {locked};
  CHECK(std::get<common::ErrorReply>(change().response).error == "locked_out");

  // Changed: the old password's verifier goes.
  w.central->verify = {Answered(common::VerifyResult::kOk)};
  REQUIRE(DecisionOf(w.Auth("old")) == Decision::kAllow);
  ChangeOutcome ok;
  ok.kind = ChangeOutcome::Kind::kChanged;
  w.central->change = {ok};
  CHECK(std::holds_alternative<common::ChauthtokReply>(change().response));
  REQUIRE(w.central->change_calls.size() == 3);
  CHECK(w.central->change_calls[2].old_password == "old");
  CHECK(w.central->change_calls[2].new_password == "N3w-long-pass");
  CHECK(std::holds_alternative<common::ErrorReply>(w.Auth("old").response));

  // Unreachable: no offline change.
  CHECK(std::get<common::ErrorReply>(change().response).error == "unavailable");
  w.have_central = false;
  CHECK(std::get<common::ErrorReply>(change().response).error == "unavailable");

  Verdict terminated;
  terminated.decision = Decision::kDeny;
  terminated.reason = Reason::kTerminated;
  auto denied = w.service.Chauthtok(common::ChauthtokRequest{"asmith", "old", "new"}, terminated);
  CHECK(std::get<common::ErrorReply>(denied.response).error == "denied");
}
