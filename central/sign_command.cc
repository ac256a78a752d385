#include "central/sign_command.h"

#include "common/ed25519.h"
#include "common/envelope.h"
#include "common/file_util.h"
#include "common/roster.h"

namespace staffgate::central {

using common::ErrorKind;
using common::Fail;

common::Result<void> SignRosterFile(const std::string& key_path, const std::string& payload_path,
                                    const std::string& out_path) {
  auto key = common::PrivateKey::FromPemFile(key_path);
  if (!key) return Fail(key.error().kind, key.error().message);
  // The envelope adds a third for base64; keep the result within the cap.
  auto payload = common::ReadFileCapped(payload_path, common::kMaxEnvelopeBytes / 4 * 3 - 4096);
  if (!payload) return tl::unexpected(payload.error());  // Names the file already.
  auto roster = common::ParseRoster(*payload);
  if (!roster) {
    return Fail(roster.error().kind,
                payload_path + " is not a valid roster payload: " + roster.error().message);
  }
  auto envelope = common::SignEnvelope(common::kRosterPayloadType, *payload, *key);
  if (!envelope) return Fail(envelope.error().kind, envelope.error().message);
  auto written = common::WriteFileAtomic(out_path, *envelope, 0644);
  if (!written) return Fail(written.error().kind, out_path + ": " + written.error().message);
  return common::Ok();
}

}  // namespace staffgate::central
