// The password ops of the agent socket protocol (docs/design.md §10):
// authenticate and chauthtok parse and serialise exactly, their errors
// never echo a password, and they are routed to the password pool.
#include <catch2/catch.hpp>
#include <string>

#include "common/protocol.h"
#include "common/secret.h"

using namespace staffgate::common;  // NOLINT: test brevity

namespace {

constexpr char kSecret[] = "Tr0ub4dor&3-secret";

Result<Request> Parse(const std::string& line) { return ParseRequest(line); }

void ExpectRefusedWithoutEcho(const std::string& line) {
  INFO(line);
  auto r = Parse(line);
  REQUIRE_FALSE(r);
  CHECK(r.error().kind == ErrorKind::kInvalidInput);
  CHECK(r.error().message.find("Tr0ub4dor") == std::string::npos);
}

}  // namespace

TEST_CASE("protocol passwords: authenticate and chauthtok lines of the design parse",
          "[protocol][passwords]") {
  auto auth = Parse(R"({"v":1,"op":"authenticate","account":"asmith","password":"p\"w\\x\u0001",)"
                    R"("service":"login","rhost":""})");
  REQUIRE(auth);
  const auto& a = std::get<AuthenticateRequest>(*auth);
  CHECK(a.account == "asmith");
  CHECK(a.password == "p\"w\\x\x01");
  CHECK(a.service == "login");
  CHECK(a.rhost.empty());
  CHECK(AccountOf(*auth) != nullptr);
  CHECK(*AccountOf(*auth) == "asmith");
  CHECK(LoginOf(*auth) == nullptr);

  auto change = Parse(R"({"v":1,"op":"chauthtok","account":"asmith","old":"a","new":"b"})");
  REQUIRE(change);
  const auto& c = std::get<ChauthtokRequest>(*change);
  CHECK(c.old_password == "a");
  CHECK(c.new_password == "b");

  // An empty password is a password (the central decides).
  CHECK(Parse(R"({"v":1,"op":"authenticate","account":"a","password":""})"));
}

TEST_CASE("protocol passwords: round trip, UTF-8 and escapes survive", "[protocol][passwords]") {
  for (const Request& request :
       {Request{AuthenticateRequest{"asmith", "b\xc3\xa9la \"q\" \\ \n\t\x7f", "sshd", "::1"}},
        Request{AuthenticateRequest{"asmith", "", "", ""}},
        Request{ChauthtokRequest{"asmith", "old\x01", "n\xe2\x82\xacw"}}}) {
    std::string line = SerializeRequest(request);
    INFO(line);
    auto again = ParseRequest(line);
    REQUIRE(again);
    CHECK(*again == request);
    WipeString(line);
    CHECK(line.empty());
  }
}

TEST_CASE("protocol passwords: refused lines never echo the password", "[protocol][passwords]") {
  const std::string s = kSecret;
  ExpectRefusedWithoutEcho(R"({"v":1,"op":"authenticate","password":")" + s + "\"}");
  ExpectRefusedWithoutEcho(R"({"v":1,"op":"authenticate","account":"a","password":")" + s +
                           R"(\u0000"})");
  ExpectRefusedWithoutEcho(R"({"v":1,"op":"authenticate","account":"a","password":")" +
                           std::string(1100, 'x') + s + "\"}");
  ExpectRefusedWithoutEcho(R"({"v":1,"op":"authenticate","account":"a","password":[")" + s +
                           "\"]}");
  ExpectRefusedWithoutEcho(R"({"v":1,"op":"authenticate","account":"a","password":")" + s);
  ExpectRefusedWithoutEcho(R"({"v":1,"op":"chauthtok","account":"a","old":")" + s + "\"}");
  ExpectRefusedWithoutEcho(R"({"v":1,"op":"chauthtok","account":"a","new":")" + s +
                           R"(","old":7})");
  ExpectRefusedWithoutEcho(R"({"v":1,"op":"authenticate","account":")" + std::string(300, 'a') +
                           R"(","password":")" + s + "\"}");
}

TEST_CASE("protocol passwords: answers and lanes", "[protocol][passwords]") {
  auto decided = ParseResponse(
      Op::kAuthenticate,
      R"({"v":1,"ok":true,"decision":"deny","reason":"bad_credentials","message":"","serial":3})");
  REQUIRE(decided);
  CHECK(std::get<DecisionReply>(*decided).reason == Reason::kBadCredentials);
  auto changed = ParseResponse(Op::kChauthtok, R"({"v":1,"ok":true})");
  REQUIRE(changed);
  CHECK(std::holds_alternative<ChauthtokReply>(*changed));
  auto weak = ParseResponse(
      Op::kChauthtok,
      R"({"v":1,"ok":false,"error":"weak_password","message":"The password is too short"})");
  REQUIRE(weak);
  CHECK(std::get<ErrorReply>(*weak).error == "weak_password");
  CHECK(SerializeResponse(ChauthtokReply{}) == R"({"ok":true,"v":1})");

  CHECK(LaneOf(Op::kAuthenticate) == OpLane::kPassword);
  CHECK(LaneOf(Op::kChauthtok) == OpLane::kPassword);
  CHECK(LaneOf(Op::kCheck) == OpLane::kFast);
  CHECK(LaneOf(Op::kSync) == OpLane::kSlow);
  CHECK(IsPasswordOp(Op::kChauthtok));
  CHECK_FALSE(IsPasswordOp(Op::kRosterInstall));
}

TEST_CASE("protocol: password_changed names an account, carries no secret, answers ok",
          "[protocol][passwords]") {
  auto parsed = ParseRequest(R"({"v":1,"op":"password_changed","account":"asmith"})");
  REQUIRE(parsed);
  CHECK(*parsed == Request{PasswordChangedRequest{"asmith"}});
  CHECK(*AccountOf(*parsed) == "asmith");
  CHECK(SerializeRequest(*parsed) == R"({"account":"asmith","op":"password_changed","v":1})");
  CHECK_FALSE(ParseRequest(R"({"v":1,"op":"password_changed"})"));
  CHECK(LaneOf(Op::kPasswordChanged) == OpLane::kFast);
  CHECK_FALSE(IsPasswordOp(Op::kPasswordChanged));
  auto done = ParseResponse(Op::kPasswordChanged, R"({"v":1,"ok":true})");
  REQUIRE(done);
  CHECK(std::holds_alternative<ChauthtokReply>(*done));
}
