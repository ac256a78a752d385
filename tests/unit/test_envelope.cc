// DSSE envelope verification (VerifyEnvelope): docs/design.md §2.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "tests/unit/envelope_fixture.h"

using namespace staffgate::envelope_fixture;

TEST_CASE("a valid envelope verifies and yields the exact payload bytes", "[envelope]") {
  auto key = NewKey();
  std::string payload = RosterPayload(42) + "\n  ";  // Trailing bytes are signed too.
  auto r = VerifyEnvelope(Signed(key, payload), kRosterPayloadType, {key.Public()});
  REQUIRE(r);
  CHECK(r->payload == payload);
  CHECK(r->keyid == key.Public().keyid());
  // SignEnvelope's own output verifies as well.
  auto env = SignEnvelope(kRosterPayloadType, payload, key);
  REQUIRE(env);
  auto again = VerifyEnvelope(*env, kRosterPayloadType, {key.Public()});
  REQUIRE(again);
  CHECK(again->payload == payload);
}

TEST_CASE("PAE is the DSSE v1 encoding", "[envelope]") {
  CHECK(Pae("t", "") == "DSSEv1 1 t 0 ");
  CHECK(Pae(kRosterPayloadType, "ab") ==
        "DSSEv1 37 application/vnd.staffgate.roster+json 2 ab");
  CHECK(Pae("", std::string("\0x", 2)) == std::string("DSSEv1 0  2 \0x", 14));
}

TEST_CASE("tampered payload or signature is rejected", "[envelope]") {
  auto key = NewKey();
  std::string payload = RosterPayload(42);
  std::string sig = Sig(key, payload);
  std::string other = RosterPayload(43);
  CHECK(KindOf(VerifyEnvelope(Envelope(other, {{key.Public().keyid(), Base64Encode(sig)}}),
                              kRosterPayloadType, {key.Public()})) == ErrorKind::kBadSignature);
  for (std::size_t byte : {0, 31, 63}) {
    std::string flipped = sig;
    flipped[byte] ^= 0x01;
    CHECK(KindOf(VerifyEnvelope(Envelope(payload, {{key.Public().keyid(), Base64Encode(flipped)}}),
                                kRosterPayloadType, {key.Public()})) == ErrorKind::kBadSignature);
  }
  // Truncated and overlong signatures are simply invalid.
  for (const std::string& bad : {sig.substr(0, 63), sig + "x", std::string()}) {
    CHECK(KindOf(VerifyEnvelope(Envelope(payload, {{key.Public().keyid(), Base64Encode(bad)}}),
                                kRosterPayloadType, {key.Public()})) == ErrorKind::kBadSignature);
  }
}

TEST_CASE("signatures of untrusted keys are skipped", "[envelope]") {
  auto trusted = NewKey();
  auto stranger = NewKey();
  std::string payload = RosterPayload(42);
  // Signed by a stranger under its own keyid: skipped, nothing valid left.
  auto r = VerifyEnvelope(Signed(stranger, payload), kRosterPayloadType, {trusted.Public()});
  CHECK(KindOf(r) == ErrorKind::kBadSignature);
  // The stranger claims the trusted keyid: tried, fails.
  r = VerifyEnvelope(Envelope(payload, {{trusted.Public().keyid(), Base64Encode(Sig(stranger, payload))}}),
                     kRosterPayloadType, {trusted.Public()});
  CHECK(KindOf(r) == ErrorKind::kBadSignature);
  // A valid signature by the trusted key under a keyid naming no trusted
  // key is skipped (the keyid decides which key is tried).
  r = VerifyEnvelope(Envelope(payload, {{stranger.Public().keyid(), Base64Encode(Sig(trusted, payload))}}),
                     kRosterPayloadType, {trusted.Public()});
  CHECK(KindOf(r) == ErrorKind::kBadSignature);
  // No signatures at all.
  CHECK(KindOf(VerifyEnvelope(Envelope(payload, {}), kRosterPayloadType, {trusted.Public()})) ==
        ErrorKind::kBadSignature);
  // No trusted keys at all.
  CHECK(KindOf(VerifyEnvelope(Signed(trusted, payload), kRosterPayloadType, {})) ==
        ErrorKind::kBadSignature);
}

TEST_CASE("an empty or missing keyid is tried against every trusted key", "[envelope]") {
  auto a = NewKey();
  auto b = NewKey();
  auto c = NewKey();
  std::string payload = RosterPayload(42);
  std::string sig = Base64Encode(Sig(b, payload));
  for (const Json& keyid : {Json(""), Json()}) {
    auto r = VerifyEnvelope(Envelope(payload, {{keyid, sig}}), kRosterPayloadType,
                            {a.Public(), b.Public(), c.Public()});
    REQUIRE(r);
    CHECK(r->keyid == b.Public().keyid());
    CHECK(KindOf(VerifyEnvelope(Envelope(payload, {{keyid, sig}}), kRosterPayloadType,
                                {a.Public(), c.Public()})) == ErrorKind::kBadSignature);
  }
}

TEST_CASE("one valid signature is enough, even after bogus ones", "[envelope]") {
  auto key = NewKey();
  auto stranger = NewKey();
  std::string payload = RosterPayload(42);
  std::string bogus = Base64Encode(std::string(64, '\x5a'));
  std::string good = Base64Encode(Sig(key, payload));
  auto r = VerifyEnvelope(Envelope(payload, {{key.Public().keyid(), bogus},
                                             {stranger.Public().keyid(), Base64Encode(Sig(stranger, payload))},
                                             {"", bogus},
                                             {key.Public().keyid(), good}}),
                          kRosterPayloadType, {key.Public()});
  REQUIRE(r);
  CHECK(r->payload == payload);
}

TEST_CASE("the payloadType must be the roster type", "[envelope]") {
  auto key = NewKey();
  std::string payload = RosterPayload(42);
  const std::string other = "application/vnd.in-toto+json";
  // Correctly signed for the other type: still refused.
  auto env = Envelope(payload, {{key.Public().keyid(), Base64Encode(Sig(key, payload, other))}}, other);
  CHECK(KindOf(VerifyEnvelope(env, kRosterPayloadType, {key.Public()})) == ErrorKind::kInvalidInput);
  // The type is part of what is signed: relabelling breaks the signature.
  auto relabelled = Envelope(payload, {{key.Public().keyid(), Base64Encode(Sig(key, payload, other))}});
  CHECK(KindOf(VerifyEnvelope(relabelled, kRosterPayloadType, {key.Public()})) ==
        ErrorKind::kBadSignature);
}

TEST_CASE("bad base64 in payload or signature is invalid input", "[envelope]") {
  auto key = NewKey();
  std::string payload = RosterPayload(42);
  std::string sig = Base64Encode(Sig(key, payload));
  std::string good = Signed(key, payload);
  auto replace = [](std::string s, const std::string& from, const std::string& to) {
    auto at = s.find(from);
    REQUIRE(at != std::string::npos);
    return s.replace(at, from.size(), to);
  };
  std::string b64 = Base64Encode(payload);
  for (const std::string& bad_payload : {std::string("not base64!"), b64.substr(0, b64.size() - 1),
                                         b64 + "\\n", "-_" + b64.substr(2)}) {
    INFO(bad_payload);
    CHECK(KindOf(VerifyEnvelope(replace(good, b64, bad_payload), kRosterPayloadType,
                                {key.Public()})) == ErrorKind::kInvalidInput);
  }
  for (const std::string& bad_sig : {std::string("***"), sig.substr(0, sig.size() - 2)}) {
    INFO(bad_sig);
    CHECK(KindOf(VerifyEnvelope(replace(good, sig, bad_sig), kRosterPayloadType,
                                {key.Public()})) == ErrorKind::kInvalidInput);
  }
}

TEST_CASE("malformed envelopes are invalid input", "[envelope]") {
  auto key = NewKey();
  std::string payload = RosterPayload(42);
  std::string b64 = Base64Encode(payload);
  std::string sig = Base64Encode(Sig(key, payload));
  std::string type = std::string("\"") + kRosterPayloadType + "\"";
  const std::string sigs = R"([{"keyid":"","sig":")" + sig + R"("}])";
  for (const std::string& env : {
           std::string(""), std::string("null"), std::string("[]"), std::string("\"x\""),
           std::string("{"),
           R"({"payload":")" + b64 + R"(","signatures":)" + sigs + "}",
           R"({"payloadType":7,"payload":")" + b64 + R"(","signatures":)" + sigs + "}",
           R"({"payloadType":)" + type + R"(,"signatures":)" + sigs + "}",
           R"({"payloadType":)" + type + R"(,"payload":["x"],"signatures":)" + sigs + "}",
           R"({"payloadType":)" + type + R"(,"payload":")" + b64 + R"("})",
           R"({"payloadType":)" + type + R"(,"payload":")" + b64 + R"(","signatures":{}})",
           R"({"payloadType":)" + type + R"(,"payload":")" + b64 + R"(","signatures":["x"]})",
           R"({"payloadType":)" + type + R"(,"payload":")" + b64 + R"(","signatures":[{"keyid":""}]})",
           R"({"payloadType":)" + type + R"(,"payload":")" + b64 +
               R"(","signatures":[{"keyid":5,"sig":")" + sig + R"("}]})",
           R"({"payloadType":)" + type + R"(,"payload":")" + b64 +
               R"(","signatures":[{"keyid":"","sig":null}]})",
       }) {
    INFO(env);
    CHECK(KindOf(VerifyEnvelope(env, kRosterPayloadType, {key.Public()})) == ErrorKind::kInvalidInput);
  }
  // The same document, well formed, verifies: the cases above fail for
  // their defect alone.
  std::string ok = R"({"payloadType":)" + type + R"(,"payload":")" + b64 + R"(","signatures":)" + sigs + "}";
  CHECK(VerifyEnvelope(ok, kRosterPayloadType, {key.Public()}));
  // Anything after the document, even behind a NUL byte, is refused.
  for (const std::string& tail : {std::string("x"), std::string("{}"), std::string("\0{}", 3),
                                   std::string("\0", 1)}) {
    CHECK(KindOf(VerifyEnvelope(ok + tail, kRosterPayloadType, {key.Public()})) ==
          ErrorKind::kInvalidInput);
  }
}

TEST_CASE("duplicate keys are rejected in the envelope and in the payload", "[envelope]") {
  auto key = NewKey();
  std::string payload = RosterPayload(42);
  std::string b64 = Base64Encode(payload);
  std::string sig = Base64Encode(Sig(key, payload));
  std::string type = std::string("\"") + kRosterPayloadType + "\"";
  // A second "payload" would let the document mean two things.
  std::string dup = R"({"payloadType":)" + type + R"(,"payload":")" + b64 + R"(","payload":")" +
                    Base64Encode(RosterPayload(1)) + R"(","signatures":[{"keyid":"","sig":")" +
                    sig + R"("}]})";
  CHECK(KindOf(VerifyEnvelope(dup, kRosterPayloadType, {key.Public()})) == ErrorKind::kInvalidInput);
  std::string dup_sig = R"({"payloadType":)" + type + R"(,"payload":")" + b64 +
                        R"(","signatures":[{"keyid":"","sig":")" + sig + R"(","sig":")" + sig + R"("}]})";
  CHECK(KindOf(VerifyEnvelope(dup_sig, kRosterPayloadType, {key.Public()})) ==
        ErrorKind::kInvalidInput);

  // Validly signed payloads with duplicate keys, top level and nested.
  for (const char* p :
       {R"({"schema":"staffgate.roster.v1","serial":42,"serial":99,"issued_at":"2026-11-28T23:00:00Z","expires_at":"2026-12-05T23:00:00Z","employees":[]})",
        R"({"schema":"staffgate.roster.v1","serial":42,"issued_at":"2026-11-28T23:00:00Z","expires_at":"2026-12-05T23:00:00Z","employees":[{"id":"E1","status":"active","status":"terminated","accounts":["a"]}]})"}) {
    INFO(p);
    auto r = AcceptRoster(Signed(key, p), {key.Public()}, kNow, std::nullopt);
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == ErrorKind::kInvalidInput);
    CHECK_THAT(r.error().message, Catch::Contains("duplicate"));
  }
}

TEST_CASE("a 20 MiB envelope is refused before parsing", "[envelope]") {
  auto key = NewKey();
  // Not JSON at all: kTooLarge (not kInvalidInput) proves nothing was parsed.
  std::string huge(20U << 20, 'x');
  CHECK(KindOf(VerifyEnvelope(huge, kRosterPayloadType, {key.Public()})) == ErrorKind::kTooLarge);
  CHECK(KindOf(AcceptRoster(huge, {key.Public()}, kNow, std::nullopt)) == ErrorKind::kTooLarge);
  // One byte over the cap is enough; at the cap the size rule passes.
  std::string over(kMaxEnvelopeBytes + 1, ' ');
  CHECK(KindOf(VerifyEnvelope(over, kRosterPayloadType, {key.Public()})) == ErrorKind::kTooLarge);
  std::string at(kMaxEnvelopeBytes, ' ');
  CHECK(KindOf(VerifyEnvelope(at, kRosterPayloadType, {key.Public()})) == ErrorKind::kInvalidInput);
}

TEST_CASE("100,000-deep nesting is refused without a crash", "[envelope]") {
  auto key = NewKey();
  for (const std::string& open : {std::string("["), std::string("{\"a\":")}) {
    std::string deep;
    for (int i = 0; i < 100000; ++i) deep += open;
    std::string closing(100000, open == "[" ? ']' : '}');
    CHECK(KindOf(VerifyEnvelope(deep + closing, kRosterPayloadType, {key.Public()})) ==
          ErrorKind::kTooLarge);
    // Inside a validly signed payload: refused by the roster parser.
    std::string payload = R"({"schema":"staffgate.roster.v1","x":)" + deep + "1" + closing + "}";
    CHECK(KindOf(AcceptRoster(Signed(key, payload), {key.Public()}, kNow, std::nullopt)) ==
          ErrorKind::kTooLarge);
  }
}

TEST_CASE("too many signatures are refused", "[envelope]") {
  auto key = NewKey();
  std::string payload = RosterPayload(42);
  std::vector<SigEntry> many(17, SigEntry{"", Base64Encode(std::string(64, 'x'))});
  CHECK(KindOf(VerifyEnvelope(Envelope(payload, many), kRosterPayloadType, {key.Public()})) ==
        ErrorKind::kTooLarge);
}

TEST_CASE("a malformed signature entry rejects the envelope in any position", "[envelope]") {
  auto key = NewKey();
  std::string payload = RosterPayload(42);
  SigEntry good{key.Public().keyid(), Base64Encode(Sig(key, payload))};
  for (const SigEntry& bad : {SigEntry{Json(""), "***"}, SigEntry{Json(5), good.sig_b64}}) {
    INFO(bad.sig_b64);
    // Before and after the valid signature: the same answer (docs/design.md §2).
    CHECK(KindOf(VerifyEnvelope(Envelope(payload, {bad, good}), kRosterPayloadType,
                                {key.Public()})) == ErrorKind::kInvalidInput);
    CHECK(KindOf(VerifyEnvelope(Envelope(payload, {good, bad}), kRosterPayloadType,
                                {key.Public()})) == ErrorKind::kInvalidInput);
  }
  // A well-formed entry for an unknown key is skipped, in either position.
  auto other = NewKey();
  SigEntry unknown{other.Public().keyid(), Base64Encode(Sig(other, payload))};
  CHECK(VerifyEnvelope(Envelope(payload, {unknown, good}), kRosterPayloadType, {key.Public()}));
  CHECK(VerifyEnvelope(Envelope(payload, {good, unknown}), kRosterPayloadType, {key.Public()}));
}
