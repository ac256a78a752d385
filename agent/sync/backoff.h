// Exponential backoff with full jitter between a floor and a ceiling
// (1 s .. 60 s for the agent's sync), so a fleet of agents does not hammer
// a central that just came back, and a failing sync never busy-loops.
#ifndef STAFFGATE_AGENT_SYNC_BACKOFF_H_
#define STAFFGATE_AGENT_SYNC_BACKOFF_H_

#include <chrono>
#include <cstdint>
#include <random>

namespace staffgate::agent {

class Backoff {
 public:
  using Ms = std::chrono::milliseconds;
  Backoff(Ms floor, Ms ceiling, std::uint64_t seed);

  // The delay before the next attempt: uniform in [floor, min(ceiling,
  // floor * 2^failures)], and never below the floor. Not thread-safe.
  Ms Next();
  // After a success: start again from the floor.
  void Reset() { failures_ = 0; }
  int failures() const { return failures_; }

 private:
  Ms floor_;
  Ms ceiling_;
  int failures_ = 0;
  std::mt19937_64 rng_;
};

}  // namespace staffgate::agent

#endif  // STAFFGATE_AGENT_SYNC_BACKOFF_H_
