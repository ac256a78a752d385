// The agent's acceptance rules on top of envelope verification
// (AcceptRoster): schema, expiry, serial, issue time and lifetime;
// docs/design.md §2.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "tests/unit/envelope_fixture.h"

using namespace staffgate::envelope_fixture;

TEST_CASE("AcceptRoster checks schema, expiry and serial", "[envelope]") {
  auto key = NewKey();
  std::vector<PublicKey> trusted{key.Public()};

  SECTION("valid, first roster") {
    auto r = AcceptRoster(Signed(key, RosterPayload(42)), trusted, kNow, std::nullopt);
    REQUIRE(r);
    CHECK_FALSE(r->no_change);
    CHECK(r->roster->serial == 42);
    CHECK(r->roster->issued_at == kIssued);
    CHECK(r->roster->expires_at == kExpires);
    CHECK(r->roster->FindEmployee("asmith") != nullptr);
  }
  SECTION("wrong schema") {
    for (const char* schema : {"staffgate.roster.v2", "", "STAFFGATE.ROSTER.V1"}) {
      auto r = AcceptRoster(Signed(key, RosterPayload(42, "2026-12-05T23:00:00Z", schema)), trusted,
                            kNow, std::nullopt);
      CHECK(KindOf(r) == ErrorKind::kInvalidInput);
    }
  }
  SECTION("expired when expires_at <= now") {
    FakeClock clock(kExpires - 1);
    std::string env = Signed(key, RosterPayload(42));
    CHECK(AcceptRoster(env, trusted, clock.Now(), std::nullopt));
    clock.Advance(1);  // now == expires_at
    CHECK(KindOf(AcceptRoster(env, trusted, clock.Now(), std::nullopt)) == ErrorKind::kExpired);
    clock.Set(kExpires + 86400 * 365);
    CHECK(KindOf(AcceptRoster(env, trusted, clock.Now(), std::nullopt)) == ErrorKind::kExpired);
    // Only to learn the serial floor of a cached roster.
    auto floor = AcceptRoster(env, trusted, clock.Now(), std::nullopt, {.ignore_expiry = true});
    REQUIRE(floor);
    CHECK(floor->roster->serial == 42);
  }
  SECTION("rollback, equal serial, newer serial") {
    std::string env = Signed(key, RosterPayload(42));
    CHECK(KindOf(AcceptRoster(env, trusted, kNow, 43)) == ErrorKind::kRollback);
    auto same = AcceptRoster(env, trusted, kNow, 42);
    REQUIRE(same);
    CHECK(same->no_change);
    auto newer = AcceptRoster(env, trusted, kNow, 41);
    REQUIRE(newer);
    CHECK_FALSE(newer->no_change);
    auto zero = AcceptRoster(Signed(key, RosterPayload(0)), trusted, kNow, 0);
    REQUIRE(zero);
    CHECK(zero->no_change);
  }
  SECTION("the signature is checked before anything else") {
    auto stranger = NewKey();
    // Expired and rolled back, but unsigned: the signature error wins.
    std::string env = Signed(stranger, RosterPayload(1, "2000-01-01T00:00:00Z"));
    CHECK(KindOf(AcceptRoster(env, trusted, kNow, 42)) == ErrorKind::kBadSignature);
    CHECK(KindOf(AcceptRoster(Signed(key, RosterPayload(42)), {}, kNow, std::nullopt)) ==
          ErrorKind::kBadSignature);
  }
  SECTION("a signed payload that is not a roster") {
    for (
        const std::string& p :
        {std::string("not json"), std::string("[1,2]"), std::string("{}"),
         std::string(
             R"({"schema":"staffgate.roster.v1","serial":-1,"issued_at":"2026-11-28T23:00:00Z","expires_at":"2026-12-05T23:00:00Z","employees":[]})")}) {
      INFO(p);
      CHECK(KindOf(AcceptRoster(Signed(key, p), trusted, kNow, std::nullopt)) ==
            ErrorKind::kInvalidInput);
    }
  }
}

TEST_CASE("a roster issued in the future or with an absurd lifetime is refused", "[envelope]") {
  auto key = NewKey();
  auto envelope = [&](const std::string& issued, const std::string& expires) {
    std::string payload = R"({"schema":"staffgate.roster.v1","serial":7,"issued_at":")" + issued +
                          R"(","expires_at":")" + expires +
                          R"(","organization":"Example Motors","employees":[]})";
    return Envelope(payload, {{Json(key.Public().keyid()), Base64Encode(Sig(key, payload))}});
  };
  // kNow is 2026-11-29T00:00:00Z.
  auto ahead = AcceptRoster(envelope("2026-11-29T00:06:00Z", "2026-12-05T23:00:00Z"),
                            {key.Public()}, kNow, {});
  REQUIRE_FALSE(ahead);
  CHECK(ahead.error().kind == ErrorKind::kInvalidInput);
  CHECK_THAT(ahead.error().message,
             Catch::Contains("more than 5 minutes after this machine's clock"));
  // Within the allowed skew: accepted.
  CHECK(AcceptRoster(envelope("2026-11-29T00:04:00Z", "2026-12-05T23:00:00Z"), {key.Public()}, kNow,
                     {}));
  auto long_lived = AcceptRoster(envelope("2026-11-28T23:00:00Z", "2027-06-01T00:00:00Z"),
                                 {key.Public()}, kNow, {});
  REQUIRE_FALSE(long_lived);
  CHECK(long_lived.error().kind == ErrorKind::kInvalidInput);
  CHECK_THAT(long_lived.error().message, Catch::Contains("at most 90 days"));
  CHECK(AcceptRoster(envelope("2026-11-28T23:00:00Z", "2027-02-20T00:00:00Z"), {key.Public()}, kNow,
                     {}));
}
