// libFuzzer target for everything a roster envelope passes through:
// VerifyEnvelope, AcceptRoster and ParseRoster.
//
// The first input byte selects the path, so one corpus covers all three:
//   0: the rest is an envelope, verified against the fixed key;
//   1: the rest is a payload, signed with the fixed key and then accepted
//      (the only way random bytes reach ParseRoster through a signature);
//   2: the rest goes to ParseRoster directly.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "common/ed25519.h"
#include "common/envelope.h"
#include "common/roster.h"
#include "common/roster_acceptance.h"
#include "tests/fuzz/fuzz_key.h"

namespace {

using staffgate::common::PrivateKey;
using staffgate::common::PublicKey;

const PrivateKey& Key() {
  static const PrivateKey* key = [] {
    auto k = PrivateKey::FromPem(staffgate::fuzz::kFuzzPrivateKeyPem);
    if (!k) std::abort();
    return new PrivateKey(std::move(*k));
  }();
  return *key;
}

const std::vector<PublicKey>& Trusted() {
  static const auto* trusted = new std::vector<PublicKey>{Key().Public()};
  return *trusted;
}

// 2026-12-01T00:00:00Z: inside the validity of the seed rosters.
constexpr std::int64_t kNow = 1796083200;

// One AcceptRoster per input (it runs VerifyEnvelope itself): signature
// checks dominate the cost, and serials in the corpus vary around 42 so
// rollback, no_change and newer are all reached.
void Accept(std::string_view envelope) {
  auto accepted = staffgate::common::AcceptRoster(envelope, Trusted(), kNow, 42);
  if (!accepted) return;
  const auto& r = *accepted->roster;
  // Touch the derived index so its invariants are exercised too.
  for (const auto& e : r.employees) {
    for (const auto& a : e.accounts) {
      const auto* found = r.FindEmployee(a);
      if (found && r.IsShared(a)) std::abort();  // Conflicts never resolve to a person.
    }
  }
  for (const auto& [ws, groups] : r.workstation_groups) (void)r.GroupsOf(ws);
  // Scheduled bounds (docs/design.md §11) read back as the same second.
  for (const auto& e : r.employees) {
    for (const auto& bound : {e.valid_from, e.valid_until}) {
      if (!bound) continue;
      auto again = staffgate::common::ParseRfc3339(staffgate::common::FormatRfc3339(*bound));
      if (!again || *again != *bound) std::abort();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 3) {
    case 0:
      Accept(rest);
      break;
    case 1: {
      auto env =
          staffgate::common::SignEnvelope(staffgate::common::kRosterPayloadType, rest, Key());
      if (!env) std::abort();
      auto verified =
          staffgate::common::VerifyEnvelope(*env, staffgate::common::kRosterPayloadType, Trusted());
      // What we sign we must verify, byte for byte.
      if (!verified || verified->payload != rest) std::abort();
      Accept(*env);
      break;
    }
    default:
      (void)staffgate::common::ParseRoster(rest);
      break;
  }
  return 0;
}
