// The password endpoints' bodies (common/auth_api.h, docs/design.md §10).
#include <catch2/catch.hpp>
#include <string>

#include "common/auth_api.h"

namespace sc = staffgate::common;

TEST_CASE("auth api: a verify request round-trips and optional fields may be absent") {
  sc::VerifyRequest request{"asmith", "correct horse battery", "login", "10.0.0.1"};
  auto parsed = sc::ParseVerifyRequest(sc::SerializeVerifyRequest(request));
  REQUIRE(parsed);
  CHECK(*parsed == request);
  auto bare = sc::ParseVerifyRequest(R"({"account":"asmith","password":""})");
  REQUIRE(bare);
  CHECK(bare->service.empty());
  CHECK(bare->password.empty());
}

TEST_CASE("auth api: bad verify requests are refused without echoing the password") {
  const std::string secret = "hunter2-secret";
  for (const std::string body :
       {R"({"password":"hunter2-secret"})", R"({"account":"","password":"hunter2-secret"})",
        R"({"account":"a","password":5})", R"(["asmith","hunter2-secret"])",
        R"({"account":"a","password":"hunter2-secret","service":7})",
        R"({"account":"a","password":"hunter2-secret)"}) {
    auto parsed = sc::ParseVerifyRequest(body);
    REQUIRE_FALSE(parsed);
    CHECK(parsed.error().kind == sc::ErrorKind::kInvalidInput);
    CHECK(parsed.error().message.find(secret) == std::string::npos);
  }
  std::string nul = std::string(R"({"account":"a","password":"x)") + "\\u0000" + R"("})";
  CHECK_FALSE(sc::ParseVerifyRequest(nul));
  std::string long_password(sc::kMaxPasswordBytes + 1, 'p');
  auto too_long =
      sc::ParseVerifyRequest(sc::SerializeVerifyRequest({"asmith", long_password, "", ""}));
  REQUIRE_FALSE(too_long);
  CHECK(too_long.error().message.find("\"password\"") != std::string::npos);
  auto too_large = sc::ParseVerifyRequest(std::string(sc::kMaxAuthBodyBytes + 1, ' '));
  REQUIRE_FALSE(too_large);
  CHECK(too_large.error().kind == sc::ErrorKind::kTooLarge);
}

TEST_CASE("auth api: every verify result has a wire name and round-trips") {
  for (auto result :
       {sc::VerifyResult::kOk, sc::VerifyResult::kBadCredentials, sc::VerifyResult::kLockedOut,
        sc::VerifyResult::kResetRequired, sc::VerifyResult::kNotManaged}) {
    auto parsed = sc::ParseVerifyAnswer(sc::SerializeVerifyAnswer({result}));
    REQUIRE(parsed);
    CHECK(parsed->result == result);
  }
  CHECK(sc::SerializeVerifyAnswer({sc::VerifyResult::kLockedOut}) == R"({"result":"locked_out"})");
  CHECK_FALSE(sc::ParseVerifyAnswer(R"({"result":"allow"})"));
  CHECK_FALSE(sc::ParseVerifyAnswer(R"({"result":true})"));
}

TEST_CASE("auth api: change requests and refusals round-trip with the wire's names") {
  sc::ChangeRequest request{"asmith", "old secret 1", "new secret 2"};
  std::string wire = sc::SerializeChangeRequest(request);
  CHECK(wire.find("\"old\":") != std::string::npos);
  CHECK(wire.find("\"new\":") != std::string::npos);
  auto parsed = sc::ParseChangeRequest(wire);
  REQUIRE(parsed);
  CHECK(*parsed == request);
  CHECK_FALSE(sc::ParseChangeRequest(R"({"account":"asmith","old":"x"})"));
  auto refusal = sc::ParseChangeRefusal(
      sc::SerializeChangeRefusal({"weak_password", "The password is shorter than 12 characters."}));
  REQUIRE(refusal);
  CHECK(refusal->error == "weak_password");
  CHECK_FALSE(sc::ParseChangeRefusal(R"({"message":"no error"})"));
}
