// argon2id password hashing (libargon2) for staffgate passwords
// (docs/design.md §10). Only the encoded string
// ("$argon2id$v=19$m=...,t=...,p=...$salt$hash") is ever stored.
//
// Each call allocates params.memory_kib KiB for its duration and takes
// about the measured cost in docs/performance.md: callers bound how many
// run at once (work_pool.h). Thread-safe.
#ifndef STAFFGATE_CENTRAL_AUTH_ARGON2_HASH_H_
#define STAFFGATE_CENTRAL_AUTH_ARGON2_HASH_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"

namespace staffgate::central {

// Defaults measured on the reference machine (docs/performance.md): about
// 50-100 ms per hash on one core, 32 MiB each.
struct Argon2Params {
  std::uint32_t memory_kib = 32768;
  std::uint32_t iterations = 2;
  std::uint32_t parallelism = 1;
};

// Bounds the config accepts (central.conf argon2_*).
inline constexpr std::uint32_t kMinArgon2MemoryKib = 8;
inline constexpr std::uint32_t kMaxArgon2MemoryKib = 4U << 20;  // 4 GiB.
inline constexpr std::uint32_t kMaxArgon2Iterations = 100;
inline constexpr std::uint32_t kMaxArgon2Parallelism = 16;

// A fresh 16-byte salt from the OS CSPRNG, 32-byte tag. Errors: kInternal
// (no randomness, or libargon2's error; the message never holds the password).
common::Result<std::string> HashPassword(std::string_view password, const Argon2Params& params);

// Whether `password` matches `encoded` (constant-time compare inside
// libargon2). A malformed encoding is a mismatch.
bool VerifyPassword(const std::string& encoded, std::string_view password);

}  // namespace staffgate::central

#endif  // STAFFGATE_CENTRAL_AUTH_ARGON2_HASH_H_
