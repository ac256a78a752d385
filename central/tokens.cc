#include "central/tokens.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "common/ed25519.h"

namespace staffgate::central {

common::Result<std::string> NewRandomHex(std::size_t bytes) {
  unsigned char buf[64];
  if (bytes > sizeof(buf) || RAND_bytes(buf, static_cast<int>(bytes)) != 1) {
    return common::Fail(common::ErrorKind::kInternal, "no randomness for a token or id");
  }
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < bytes; ++i) {
    out += kHex[buf[i] >> 4];
    out += kHex[buf[i] & 15];
  }
  OPENSSL_cleanse(buf, sizeof(buf));
  return out;
}

common::Result<std::string> NewToken() { return NewRandomHex(32); }

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
