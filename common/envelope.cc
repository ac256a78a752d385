#include "common/envelope.h"

#include <vector>

#include "common/base64.h"
#include "common/json_util.h"

namespace staffgate::common {
namespace {

// Far more than one envelope ever carries; bounds the work a hostile
// document can cause.
constexpr std::size_t kMaxSignatures = 16;

}  // namespace

std::string Pae(std::string_view payload_type, std::string_view payload) {
  std::string out = "DSSEv1 ";
  out += std::to_string(payload_type.size());
  out += ' ';
  out += payload_type;
  out += ' ';
  out += std::to_string(payload.size());
  out += ' ';
  out += payload;
  return out;
}

Result<VerifiedPayload> VerifyEnvelope(std::string_view envelope_json,
                                       std::string_view expected_type,
                                       const std::vector<PublicKey>& trusted) {
  if (envelope_json.size() > kMaxEnvelopeBytes) {
    return Fail(ErrorKind::kTooLarge, "envelope of " + std::to_string(envelope_json.size()) +
                                          " bytes exceeds the 16 MiB limit");
  }
  auto parsed = ParseJson(envelope_json, JsonLimits{kMaxEnvelopeBytes, 8});
  if (!parsed) return Fail(parsed.error().kind, "envelope: " + parsed.error().message);
  const Json& env = *parsed;
  if (!env.is_object()) return Fail(ErrorKind::kInvalidInput, "envelope is not a JSON object");
  auto type = GetString(env, "payloadType");
  if (!type) return Fail(ErrorKind::kInvalidInput, "envelope: " + type.error().message);
  if (*type != expected_type) {
    return Fail(ErrorKind::kInvalidInput, "envelope payloadType is '" + type->substr(0, 80) +
                                              "', expected '" + std::string(expected_type) + "'");
  }
  auto payload_b64 = GetString(env, "payload");
  if (!payload_b64) return Fail(ErrorKind::kInvalidInput, "envelope: " + payload_b64.error().message);
  auto payload = Base64Decode(*payload_b64);
  if (!payload) return Fail(ErrorKind::kInvalidInput, "envelope payload: " + payload.error().message);
  auto sigs = env.find("signatures");
  if (sigs == env.end() || !sigs->is_array()) {
    return Fail(ErrorKind::kInvalidInput, "envelope has no \"signatures\" array");
  }
  if (sigs->size() > kMaxSignatures) {
    return Fail(ErrorKind::kTooLarge, "envelope carries too many signatures");
  }
  // Every entry is checked for form before any is verified, so one
  // malformed entry rejects the envelope wherever it stands: whether an
  // envelope is accepted never depends on the order of its signatures.
  // (docs/design.md §2 skips only a well-formed entry whose keyid names no
  // trusted key; anything else malformed is bad input, refused whole.)
  struct Entry {
    std::string keyid;
    std::string sig;
  };
  std::vector<Entry> entries;
  for (std::size_t i = 0; i < sigs->size(); ++i) {
    const Json& entry = (*sigs)[i];
    const std::string where = "signature entry " + std::to_string(i + 1);
    if (!entry.is_object()) return Fail(ErrorKind::kInvalidInput, where + " is not an object");
    auto keyid = GetOptionalString(entry, "keyid");
    auto sig_b64 = GetString(entry, "sig");
    if (!keyid || !sig_b64) return Fail(ErrorKind::kInvalidInput, where + " is malformed");
    auto sig = Base64Decode(*sig_b64);
    if (!sig) return Fail(ErrorKind::kInvalidInput, where + ": " + sig.error().message);
    entries.push_back(Entry{keyid->value_or(""), std::move(*sig)});
  }
  std::string pae = Pae(*type, *payload);
  for (const Entry& entry : entries) {
    for (const PublicKey& key : trusted) {
      if (!entry.keyid.empty() && entry.keyid != key.keyid()) continue;
      if (key.Verify(pae, entry.sig)) return VerifiedPayload{std::move(*payload), key.keyid()};
    }
  }
  return Fail(ErrorKind::kBadSignature, "no valid signature from a trusted key");
}

Result<std::string> SignEnvelope(std::string_view payload_type, std::string_view payload,
                                 const PrivateKey& key) {
  auto sig = key.Sign(Pae(payload_type, payload));
  if (!sig) return tl::unexpected(sig.error());
  Json env = {{"payloadType", payload_type},
              {"payload", Base64Encode(payload)},
              {"signatures", Json::array({{{"keyid", key.Public().keyid()},
                                           {"sig", Base64Encode(*sig)}}})}};
  return DumpJson(env) + "\n";
}

}  // namespace staffgate::common
