// Test-only tool for the OpenSSL interoperability tests: signs and verifies
// roster envelopes with common/envelope exactly as the agent and central do.
//
//   envelope_tool verify --key PUB.pem --in ENV.json
//       prints the verified payload bytes on stdout, exit 0;
//       exit 1 with "rejected: <kind>: <reason>" on stderr.
//   envelope_tool sign --key KEY.pem --in PAYLOAD --out ENV.json
//       signs the payload bytes as they are (no parsing), exit 0.
// Exit 2 on bad usage.
#include <cstdio>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "common/ed25519.h"
#include "common/envelope.h"
#include "common/file_util.h"

namespace {

using namespace staffgate::common;

int Usage() {
  std::cerr << "usage: envelope_tool verify --key PUB.pem --in ENV.json\n"
               "       envelope_tool sign --key KEY.pem --in PAYLOAD --out ENV.json\n";
  return 2;
}

int Reject(const Error& error) {
  std::cerr << "rejected: " << error.ToString() << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return Usage();
  const std::string command = argv[1];
  std::map<std::string, std::string> flags;
  for (int i = 2; i + 1 < argc; i += 2) flags[argv[i]] = argv[i + 1];
  if ((argc - 2) % 2 != 0 || !flags.contains("--key") || !flags.contains("--in")) return Usage();

  auto input = ReadFileCapped(flags["--in"], kMaxEnvelopeBytes + 1);
  if (!input) return Reject(input.error());

  if (command == "verify") {
    auto key = PublicKey::FromPemFile(flags["--key"]);
    if (!key) return Reject(key.error());
    auto verified = VerifyEnvelope(*input, kRosterPayloadType, std::vector<PublicKey>{*key});
    if (!verified) return Reject(verified.error());
    (void)std::fwrite(verified->payload.data(), 1, verified->payload.size(), stdout);
    return 0;
  }
  if (command == "sign") {
    if (!flags.contains("--out")) return Usage();
    auto key = PrivateKey::FromPemFile(flags["--key"]);
    if (!key) return Reject(key.error());
    auto envelope = SignEnvelope(kRosterPayloadType, *input, *key);
    if (!envelope) return Reject(envelope.error());
    auto written = WriteFileAtomic(flags["--out"], *envelope, 0644);
    if (!written) return Reject(written.error());
    return 0;
  }
  return Usage();
}
