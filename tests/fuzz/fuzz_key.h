// A fixed Ed25519 key for the fuzz targets and their seed corpora. It signs
// nothing real: it only lets the fuzzer reach the roster parser through a
// valid signature. Never trust it anywhere else. The same key is in
// tests/fuzz/fuzz_key.pem, to re-sign seeds:
//   envelope_tool sign --key tests/fuzz/fuzz_key.pem --in PAYLOAD --out ENV
// (then prefix the envelope with a 0x00 byte, see fuzz_envelope.cc).
#ifndef STAFFGATE_TESTS_FUZZ_FUZZ_KEY_H_
#define STAFFGATE_TESTS_FUZZ_FUZZ_KEY_H_

namespace staffgate::fuzz {

inline constexpr char kFuzzPrivateKeyPem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEICVUqRpkKKnUps6+aI2Dne+d67yU/ZeZaSxBlR99Q7FY\n"
    "-----END PRIVATE KEY-----\n";

}  // namespace staffgate::fuzz

#endif  // STAFFGATE_TESTS_FUZZ_FUZZ_KEY_H_
