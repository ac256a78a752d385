// Staffgate passwords in the agent (docs/design.md §10) with an injected
// clock: the local failure limit, offline verifiers (the file, expiry,
// deletion on status change, on credentials_changed_at and after too many
// failures) and how the central's answers are read.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <string>

#include "password_world.h"

using namespace staffgate;                       // NOLINT: test brevity
using namespace staffgate::agent;                // NOLINT
using namespace staffgate::testutil::passwords;  // NOLINT

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
