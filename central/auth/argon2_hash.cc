#include "central/auth/argon2_hash.h"

#include <argon2.h>
#include <openssl/rand.h>

#include <array>
#include <vector>

namespace staffgate::central {

using common::ErrorKind;
using common::Fail;

namespace {

constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kTagBytes = 32;

}  // namespace

common::Result<std::string> HashPassword(std::string_view password, const Argon2Params& params) {
  std::array<unsigned char, kSaltBytes> salt{};
  if (RAND_bytes(salt.data(), static_cast<int>(salt.size())) != 1) {
    return Fail(ErrorKind::kInternal, "no randomness for a password salt");
  }
  const std::size_t length = argon2_encodedlen(
      params.iterations, params.memory_kib, params.parallelism, kSaltBytes, kTagBytes, Argon2_id);
  std::vector<char> encoded(length + 1, '\0');
  const int rc = argon2id_hash_encoded(params.iterations, params.memory_kib, params.parallelism,
                                       password.data(), password.size(), salt.data(), salt.size(),
                                       kTagBytes, encoded.data(), encoded.size());
  if (rc != ARGON2_OK) {
    return Fail(ErrorKind::kInternal,
                std::string("argon2id hashing failed: ") + argon2_error_message(rc));
  }
  return std::string(encoded.data());
}

bool VerifyPassword(const std::string& encoded, std::string_view password) {
  return argon2id_verify(encoded.c_str(), password.data(), password.size()) == ARGON2_OK;
}

}  // namespace staffgate::central
