// Shared by the envelope and roster-acceptance unit tests: a fresh signing
// key, roster payloads and hand-built DSSE envelopes (docs/design.md §2), so
// each test controls every field. Header-only, for tests/unit only.
#ifndef STAFFGATE_TESTS_UNIT_ENVELOPE_FIXTURE_H_
#define STAFFGATE_TESTS_UNIT_ENVELOPE_FIXTURE_H_

#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "common/base64.h"
#include "common/ed25519.h"
#include "common/envelope.h"
#include "common/json_util.h"
#include "common/roster_acceptance.h"
#include "common/time_util.h"

namespace staffgate::envelope_fixture {

using namespace staffgate::common;
using namespace staffgate::common;

constexpr UnixSeconds kIssued = 1795906800;   // 2026-11-28T23:00:00Z
constexpr UnixSeconds kExpires = 1796511600;  // 2026-12-05T23:00:00Z
constexpr UnixSeconds kNow = kIssued + 3600;

inline PrivateKey NewKey() {
  auto key = PrivateKey::Generate();
  REQUIRE(key);
  return std::move(*key);
}

inline std::string RosterPayload(std::uint64_t serial,
                                 const std::string& expires = "2026-12-05T23:00:00Z",
                                 const std::string& schema = "staffgate.roster.v1") {
  return R"({"schema":")" + schema + R"(","serial":)" + std::to_string(serial) +
         R"(,"issued_at":"2026-11-28T23:00:00Z","expires_at":")" + expires +
         R"(","organization":"Example Motors","employees":[{"id":"E1","status":"active","accounts":["asmith"]}]})";
}

inline std::string Sig(const PrivateKey& key, const std::string& payload,
                       const std::string& type = kRosterPayloadType) {
  auto sig = key.Sign(Pae(type, payload));
  REQUIRE(sig);
  return *sig;
}

struct SigEntry {
  Json keyid;  // null: field left out.
  std::string sig_b64;
};

// Builds envelope JSON by hand so tests control every field.
inline std::string Envelope(const std::string& payload, const std::vector<SigEntry>& sigs,
                            const std::string& type = kRosterPayloadType) {
  Json list = Json::array();
  for (const auto& s : sigs) {
    Json entry = {{"sig", s.sig_b64}};
    if (!s.keyid.is_null()) entry["keyid"] = s.keyid;
    list.push_back(entry);
  }
  return DumpJson(
      {{"payloadType", type}, {"payload", Base64Encode(payload)}, {"signatures", list}});
}

inline std::string Signed(const PrivateKey& key, const std::string& payload) {
  return Envelope(payload, {{key.Public().keyid(), Base64Encode(Sig(key, payload))}});
}

inline ErrorKind KindOf(const Result<VerifiedPayload>& r) {
  REQUIRE_FALSE(r);
  return r.error().kind;
}

inline ErrorKind KindOf(const Result<AcceptedRoster>& r) {
  REQUIRE_FALSE(r);
  return r.error().kind;
}

}  // namespace staffgate::envelope_fixture

#endif  // STAFFGATE_TESTS_UNIT_ENVELOPE_FIXTURE_H_
