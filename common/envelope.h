// DSSE envelopes (secure-systems-lab/dsse v1): the signed wrapper every
// roster travels and rests in. We verify the exact payload bytes that were
// received and only then parse them; nothing is ever re-serialised to be
// verified.
#ifndef STAFFGATE_COMMON_ENVELOPE_H_
#define STAFFGATE_COMMON_ENVELOPE_H_

#include <string>
#include <string_view>
#include <vector>

#include "common/ed25519.h"
#include "common/result.h"

namespace staffgate::common {

inline constexpr char kRosterPayloadType[] = "application/vnd.staffgate.roster+json";
// A roster envelope larger than this is refused before parsing.
inline constexpr std::size_t kMaxEnvelopeBytes = 16UL * 1024 * 1024;

// The pre-authentication encoding that is actually signed:
// "DSSEv1" SP len(type) SP type SP len(payload) SP payload.
std::string Pae(std::string_view payload_type, std::string_view payload);

struct VerifiedPayload {
  std::string payload;  // The exact signed bytes (base64-decoded).
  std::string keyid;    // The trusted key that verified it.
};

// Parses `envelope_json`, checks the payloadType, and verifies that at
// least one signature comes from one of `trusted`. Signatures whose keyid
// names no trusted key are skipped; an empty keyid is tried against every
// trusted key.
// Errors: kTooLarge (over kMaxEnvelopeBytes), kInvalidInput (bad JSON,
// base64 or payloadType), kBadSignature (no valid trusted signature).
Result<VerifiedPayload> VerifyEnvelope(std::string_view envelope_json,
                                       std::string_view expected_type,
                                       const std::vector<PublicKey>& trusted);

// Signs `payload` into an envelope (JSON text, one line plus newline).
Result<std::string> SignEnvelope(std::string_view payload_type, std::string_view payload,
                                 const PrivateKey& key);

}  // namespace staffgate::common

#endif  // STAFFGATE_COMMON_ENVELOPE_H_
