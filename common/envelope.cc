#include "common/envelope.h"

#include <vector>

#include "common/base64.h"
#include "common/json_util.h"
#include "common/json_view.h"

namespace staffgate::common {
namespace {

// Far more than one envelope ever carries; bounds the work a hostile
// document can cause.
constexpr std::size_t kMaxSignatures = 16;

struct SignatureEntry {
  std::string keyid;  // Empty: try every trusted key.
  std::string sig;
};

// Every entry is checked for form before any is verified, so one
// malformed entry rejects the envelope wherever it stands: whether an
// envelope is accepted never depends on the order of its signatures.
// (docs/design.md §2 skips only a well-formed entry whose keyid names no
// trusted key; anything else malformed is bad input, refused whole.)
Result<std::vector<SignatureEntry>> SignatureEntries(JsonObject env) {
  JsonArray sigs;
  auto found = FindMember(env, "signatures");
  if (!found || found->get(sigs) != simdjson::SUCCESS) {
    return Fail(ErrorKind::kInvalidInput, "envelope has no \"signatures\" array");
  }
  if (sigs.size() > kMaxSignatures) {
    return Fail(ErrorKind::kTooLarge, "envelope carries too many signatures");
  }
  std::vector<SignatureEntry> entries;
  for (JsonValue item : sigs) {
    const std::string where = "signature entry " + std::to_string(entries.size() + 1);
    JsonObject entry;
    if (item.get(entry) != simdjson::SUCCESS) {
      return Fail(ErrorKind::kInvalidInput, where + " is not an object");
    }
    auto keyid = OptionalStringMember(entry, "keyid");
    auto sig_b64 = StringMember(entry, "sig");
    if (!keyid || !sig_b64) return Fail(ErrorKind::kInvalidInput, where + " is malformed");
    auto sig = Base64Decode(*sig_b64);
    if (!sig) return Fail(ErrorKind::kInvalidInput, where + ": " + sig.error().message);
    entries.push_back(SignatureEntry{std::string(keyid->value_or("")), std::move(*sig)});
  }
  return entries;
}

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
  JsonDoc doc;
  if (auto parsed = doc.Parse(envelope_json, JsonLimits{kMaxEnvelopeBytes, 8}); !parsed) {
    return Fail(parsed.error().kind, "envelope: " + parsed.error().message);
  }
  JsonObject env;
  if (doc.root().get(env) != simdjson::SUCCESS) {
    return Fail(ErrorKind::kInvalidInput, "envelope is not a JSON object");
  }
  auto type = StringMember(env, "payloadType");
  if (!type) return Fail(ErrorKind::kInvalidInput, "envelope: " + type.error().message);
  if (*type != expected_type) {
    return Fail(ErrorKind::kInvalidInput, "envelope payloadType is '" +
                                              std::string(type->substr(0, 80)) + "', expected '" +
                                              std::string(expected_type) + "'");
  }
  auto payload_b64 = StringMember(env, "payload");
  if (!payload_b64) return Fail(ErrorKind::kInvalidInput, "envelope: " + payload_b64.error().message);
  auto payload = Base64Decode(*payload_b64);
  if (!payload) return Fail(ErrorKind::kInvalidInput, "envelope payload: " + payload.error().message);
  auto entries = SignatureEntries(env);
  if (!entries) return tl::unexpected(entries.error());
  std::string pae = Pae(*type, *payload);
  for (const SignatureEntry& entry : *entries) {
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
