// Helpers for the agent's unit tests: roster payloads, signed envelopes,
// and TempDir (tests/lib/temp_dir.h). Header-only; tests/unit/test_agent_*.cc and
// test_decision*.cc include it.
#ifndef STAFFGATE_TESTS_UNIT_TEST_AGENT_UTIL_H_
#define STAFFGATE_TESTS_UNIT_TEST_AGENT_UTIL_H_

#include <cstdint>
#include <string>
#include <vector>

#include "common/ed25519.h"
#include "common/envelope.h"
#include "common/json_util.h"
#include "common/roster.h"
#include "common/time_util.h"
#include "tests/lib/temp_dir.h"

namespace staffgate::testutil {

// 2026-11-29T00:00:00Z, a fixed "now" for tests.
inline constexpr common::UnixSeconds kNow = 1795910400;

inline common::Json Employee(const std::string& id, const std::string& status,
                             std::vector<std::string> accounts,
                             std::vector<std::string> groups = {"*"}) {
  return common::Json{{"id", id}, {"status", status}, {"accounts", accounts}, {"groups", groups}};
}

// A roster payload; issued an hour before kNow, valid for `lifetime_s`.
inline std::string RosterPayload(std::uint64_t serial, common::Json employees,
                                 std::vector<std::string> shared = {},
                                 common::Json workstations = common::Json::object(),
                                 common::UnixSeconds issued = kNow - 3600,
                                 common::UnixSeconds lifetime_s = 7 * 86400) {
  common::Json doc = {{"schema", "staffgate.roster.v1"},
                      {"serial", serial},
                      {"issued_at", common::FormatRfc3339(issued)},
                      {"expires_at", common::FormatRfc3339(issued + lifetime_s)},
                      {"organization", "Example Motors"},
                      {"employees", employees},
                      {"shared_accounts", shared},
                      {"workstations", workstations}};
  return common::DumpJson(doc);
}

inline std::string Sign(const std::string& payload, const common::PrivateKey& key) {
  return *common::SignEnvelope(common::kRosterPayloadType, payload, key);
}

}  // namespace staffgate::testutil

#endif  // STAFFGATE_TESTS_UNIT_TEST_AGENT_UTIL_H_
