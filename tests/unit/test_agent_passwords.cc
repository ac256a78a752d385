// Staffgate passwords in the agent (docs/design.md §10) with an injected
// clock and a scripted central: the local failure limit, offline
// verifiers (expiry, deletion on status change, on credentials_changed_at
// and after too many failures), and PasswordService's decisions.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <deque>
#include <fstream>
#include <sstream>
#include <string>

#include "agent/auth/failure_limiter.h"
#include "agent/auth/offline_verifiers.h"
#include "agent/auth/password_service.h"
#include "common/roster.h"
#include "test_agent_util.h"
#include "tests/lib/temp_dir.h"

using namespace staffgate;         // NOLINT: test brevity
using namespace staffgate::agent;  // NOLINT
using common::Decision;
using common::Reason;
using testutil::kNow;

namespace {

constexpr std::int64_t kDay = 86400;

common::Roster MakeRoster(const std::string& status,
                          std::optional<common::UnixSeconds> changed_at = std::nullopt,
                          common::UnixSeconds expires_at = kNow + 7 * kDay) {
  common::Roster roster;
  roster.serial = 5;
  roster.issued_at = kNow - 3600;
  roster.expires_at = expires_at;
  common::Employee e;
  e.id = "E1";
  e.status = *common::ParseEmployeeStatus(status);
  e.accounts = {"asmith"};
  e.credentials_changed_at = changed_at;
  roster.employees.push_back(e);
  roster.account_index["asmith"] = 0;
  return roster;
}

class ScriptedCentral : public CentralAuth {
 public:
  std::deque<VerifyOutcome> verify;
  std::deque<ChangeOutcome> change;
  std::vector<common::VerifyRequest> verify_calls;
  std::vector<common::ChangeRequest> change_calls;

  std::vector<int> deadlines;

  VerifyOutcome Verify(const common::VerifyRequest& request, int deadline_ms) override {
    verify_calls.push_back(request);
    deadlines.push_back(deadline_ms);
    if (verify.empty()) return VerifyOutcome{};  // Unreachable.
    auto out = verify.front();
    verify.pop_front();
    return out;
  }
  ChangeOutcome Change(const common::ChangeRequest& request, int /*deadline_ms*/) override {
    change_calls.push_back(request);
    if (change.empty()) return ChangeOutcome{};
    auto out = change.front();
    change.pop_front();
    return out;
  }
};

VerifyOutcome Answered(common::VerifyResult result) {
  VerifyOutcome out;
  out.kind = VerifyOutcome::Kind::kAnswered;
  out.result = result;
  return out;
}

Verdict Allowed() {
  Verdict v;
  v.decision = Decision::kAllow;
  v.reason = Reason::kAllowed;
  v.serial = 5;
  return v;
}

struct World {
  testutil::TempDir dir{"passwords"};
  common::FakeClock clock{kNow};
  FailureLimiter limiter{clock};
  OfflineVerifiers verifiers{dir.path() + "/credentials", clock, [](int, const std::string&) {}};
  std::shared_ptr<ScriptedCentral> central = std::make_shared<ScriptedCentral>();
  bool have_central = true;
  PasswordService service{PasswordDeps{
      &clock, &verifiers, &limiter,
      [this]() -> std::shared_ptr<CentralAuth> { return have_central ? central : nullptr; },
      [](int, const std::string&) {}}};
  common::Roster roster = MakeRoster("active");

  PasswordAnswer Auth(const std::string& password, const Verdict& verdict = Allowed(),
                      int days = 3) {
    return service.Authenticate(common::AuthenticateRequest{"asmith", password, "login", ""},
                                verdict, &roster, days);
  }
};

Decision DecisionOf(const PasswordAnswer& a) {
  return std::get<common::DecisionReply>(a.response).decision;
}
Reason ReasonOf(const PasswordAnswer& a) {
  return std::get<common::DecisionReply>(a.response).reason;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("failure limiter: 10 failures in 5 minutes lock an account until they age out",
          "[agent][passwords]") {
  common::FakeClock clock(kNow);
  FailureLimiter limiter(clock);
  for (int i = 0; i < 9; ++i) {
    limiter.RecordFailure("asmith");
    clock.Advance(10);
  }
  CHECK(limiter.MayTry("asmith"));
  limiter.RecordFailure("asmith");
  CHECK_FALSE(limiter.MayTry("asmith"));
  CHECK(limiter.MayTry("bjones"));  // Per account.
  clock.Set(kNow + 299);
  CHECK_FALSE(limiter.MayTry("asmith"));
  clock.Set(kNow + 300);  // The first failure left the window.
  CHECK(limiter.MayTry("asmith"));
  limiter.RecordSuccess("asmith");
  limiter.RecordFailure("asmith");
  CHECK(limiter.MayTry("asmith"));
}

TEST_CASE("offline verifiers: the file holds no password, is 0600 in a 0700 directory",
          "[agent][passwords]") {
  World w;
  REQUIRE(w.verifiers.Save("asmith", "Sekr1t-pass", kNow + kDay, std::nullopt));
  const std::string path = w.dir.path() + "/credentials/asmith";
  struct stat st {};
  REQUIRE(stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  REQUIRE(stat((w.dir.path() + "/credentials").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0700);
  const std::string text = ReadAll(path);
  CHECK(text.find("Sekr1t-pass") == std::string::npos);
  CHECK(text.find("$argon2id$") != std::string::npos);
  const common::Employee* e = w.roster.FindEmployee("asmith");
  CHECK(w.verifiers.Verify("asmith", "Sekr1t-pass", e) == OfflineVerifiers::Check::kMatch);
  CHECK(w.verifiers.Verify("asmith", "wrong", e) == OfflineVerifiers::Check::kMismatch);
  CHECK(w.verifiers.Verify("bjones", "Sekr1t-pass", e) == OfflineVerifiers::Check::kNone);
  // Names unfit for a file are never used as one.
  CHECK_FALSE(w.verifiers.Save("../etc/passwd", "x", kNow + kDay, std::nullopt));
}

TEST_CASE("offline verifiers: expiry, status change, credentials_changed_at, failures",
          "[agent][passwords]") {
  World w;
  const common::Employee* e = w.roster.FindEmployee("asmith");
  SECTION("expires at its time") {
    REQUIRE(w.verifiers.Save("asmith", "pw", kNow + kDay, std::nullopt));
    w.clock.Set(kNow + kDay - 1);
    CHECK(w.verifiers.Verify("asmith", "pw", e) == OfflineVerifiers::Check::kMatch);
    w.clock.Set(kNow + kDay);
    CHECK(w.verifiers.Verify("asmith", "pw", e) == OfflineVerifiers::Check::kNone);
    w.clock.Set(kNow);  // Deleted, not just refused.
    CHECK(w.verifiers.Verify("asmith", "pw", e) == OfflineVerifiers::Check::kNone);
  }
  SECTION("deleted when the employee is no longer active in a roster") {
    REQUIRE(w.verifiers.Save("asmith", "pw", kNow + kDay, std::nullopt));
    CHECK(w.verifiers.Prune(w.roster) == 0);
    for (const char* status : {"suspended", "terminated"}) {
      REQUIRE(w.verifiers.Save("asmith", "pw", kNow + kDay, std::nullopt));
      CHECK(w.verifiers.Prune(MakeRoster(status)) == 1);
      CHECK(w.verifiers.Verify("asmith", "pw", e) == OfflineVerifiers::Check::kNone);
    }
    REQUIRE(w.verifiers.Save("asmith", "pw", kNow + kDay, std::nullopt));
    common::Roster gone = MakeRoster("active");
    gone.account_index.clear();  // No longer anyone's account.
    CHECK(w.verifiers.Prune(gone) == 1);
  }
  SECTION("deleted when credentials_changed_at moves past it") {
    common::Roster with_time = MakeRoster("active", kNow - 100);
    REQUIRE(w.verifiers.Save("asmith", "pw", kNow + kDay, kNow - 100));
    CHECK(w.verifiers.Prune(with_time) == 0);
    w.clock.Advance(60);
    CHECK(w.verifiers.Prune(MakeRoster("active", kNow + 30)) == 1);
    const common::Employee* moved = w.roster.FindEmployee("asmith");
    CHECK(w.verifiers.Verify("asmith", "pw", moved) == OfflineVerifiers::Check::kNone);
  }
  SECTION("deleted after 10 wrong passwords; a right one resets the count") {
    REQUIRE(w.verifiers.Save("asmith", "pw", kNow + kDay, std::nullopt));
    for (int i = 0; i < 9; ++i) {
      CHECK(w.verifiers.Verify("asmith", "no", e) == OfflineVerifiers::Check::kMismatch);
    }
    CHECK(w.verifiers.Verify("asmith", "pw", e) == OfflineVerifiers::Check::kMatch);
    for (int i = 0; i < 9; ++i) {
      CHECK(w.verifiers.Verify("asmith", "no", e) == OfflineVerifiers::Check::kMismatch);
    }
    CHECK(w.verifiers.Verify("asmith", "no", e) == OfflineVerifiers::Check::kUsedUp);
    CHECK(w.verifiers.Verify("asmith", "pw", e) == OfflineVerifiers::Check::kNone);
  }
}

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

TEST_CASE("central auth: status and body map to outcomes", "[agent][passwords]") {
  CHECK(ParseVerifyOutcome(200, R"({"result":"ok"})").kind == VerifyOutcome::Kind::kAnswered);
  CHECK(ParseVerifyOutcome(200, R"({"result":"locked_out"})").result ==
        common::VerifyResult::kLockedOut);
  CHECK(ParseVerifyOutcome(503, "").kind == VerifyOutcome::Kind::kUnreachable);
  CHECK(ParseVerifyOutcome(429, "").kind == VerifyOutcome::Kind::kUnreachable);
  CHECK(ParseVerifyOutcome(401, "").kind == VerifyOutcome::Kind::kRefused);
  CHECK(ParseVerifyOutcome(200, "garbage").kind == VerifyOutcome::Kind::kRefused);
  CHECK(ParseChangeOutcome(200, "{}").kind == ChangeOutcome::Kind::kChanged);
  auto weak = ParseChangeOutcome(422, R"({"error":"weak_password","message":"too short"})");
  CHECK(weak.kind == ChangeOutcome::Kind::kRefused);
  CHECK(weak.refusal.message == "too short");
  CHECK(ParseChangeOutcome(404, "").kind == ChangeOutcome::Kind::kNotManaged);
  CHECK(ParseChangeOutcome(502, "").kind == ChangeOutcome::Kind::kUnreachable);
  CHECK(ParseChangeOutcome(403, "").kind == ChangeOutcome::Kind::kFailed);
}
