#include "central/tokens.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "common/ed25519.h"

namespace staffgate::central {

common::Result<std::string> NewToken() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) {
    return common::Fail(common::ErrorKind::kInternal, "no randomness for a token");
  }
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : bytes) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  OPENSSL_cleanse(bytes, sizeof(bytes));
  return out;
}

std::string TokenHash(std::string_view token) {
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r' || token.back() == ' ')) {
    token.remove_suffix(1);
  }
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  return common::Sha256Hex(token);
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace staffgate::central
