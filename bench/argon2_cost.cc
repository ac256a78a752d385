// Per-hash cost of the central's argon2id (central/auth/argon2_hash.h) on
// one core, for docs/performance.md: hashes and verifies `rounds` times
// with the given parameters and prints min/p50/p90 in milliseconds.
//   argon2_cost_bench [memory_kib iterations parallelism [rounds]]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "central/auth/argon2_hash.h"

int main(int argc, char** argv) {
  staffgate::central::Argon2Params params;
  int rounds = 30;
  if (argc >= 4) {
    params.memory_kib = static_cast<std::uint32_t>(std::strtoul(argv[1], nullptr, 10));
    params.iterations = static_cast<std::uint32_t>(std::strtoul(argv[2], nullptr, 10));
    params.parallelism = static_cast<std::uint32_t>(std::strtoul(argv[3], nullptr, 10));
  }
  if (argc >= 5) rounds = std::max(1, static_cast<int>(std::strtol(argv[4], nullptr, 10)));
  auto hash = staffgate::central::HashPassword("Bench-Password-1234", params);
  if (!hash) {
    (void)std::fprintf(stderr, "argon2_cost_bench: %s\n", hash.error().message.c_str());
    return 1;
  }
  std::vector<double> ms;
  for (int i = 0; i < rounds; ++i) {
    auto start = std::chrono::steady_clock::now();
    if (!staffgate::central::VerifyPassword(*hash, "Bench-Password-1234")) return 1;
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                     .count());
  }
  std::sort(ms.begin(), ms.end());
  std::printf(
      "argon2id m=%u KiB t=%u p=%u: verify min %.1f ms, p50 %.1f ms, p90 %.1f ms (%d rounds)\n",
      params.memory_kib, params.iterations, params.parallelism, ms.front(), ms[ms.size() / 2],
      ms[ms.size() * 9 / 10], rounds);
  return 0;
}
