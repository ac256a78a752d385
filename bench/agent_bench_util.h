// Shared by the agent benchmarks: synthetic rosters, a real staffgated in
// a temp dir, and socket clients that measure per-request latency.
#ifndef STAFFGATE_BENCH_AGENT_BENCH_UTIL_H_
#define STAFFGATE_BENCH_AGENT_BENCH_UTIL_H_

#include <sys/types.h>

#include <cstddef>
#include <string>
#include <vector>

#include "common/ed25519.h"
#include "tests/lib/temp_dir.h"

namespace staffgate::bench {

// A roster payload with `employees` employees (account "u<N>"): ~2%
// terminated, ~1% suspended, groups among sales/service/parts/finance or
// "*", some shared accounts and workstations.
std::string SyntheticRoster(std::size_t employees, std::uint64_t serial);

// Accounts to ask about, spread over the roster (allowed and refused).
std::vector<std::string> SampleAccounts(std::size_t employees, std::size_t count);

struct RunningAgent {
  pid_t pid = -1;
  testutil::TempDir dir;  // Removed with the RunningAgent; kept when a failure exits.
  std::string socket;
};

// Writes a key, config and the signed roster into a fresh temp dir and
// starts `staffgated` on it; waits until it answers status. Exits the
// process with a message on failure (benchmarks only).
RunningAgent StartAgent(const std::string& staffgated, const std::string& envelope,
                        const common::PublicKey& key, const std::string& name);
// Stops the agent (SIGTERM, then waits); its directory goes with `agent`.
void StopAgent(RunningAgent& agent);
// VmRSS of `pid` in KiB (0 if unknown).
long RssKb(pid_t pid);
// CPU time (user + system) `pid` has used so far, in milliseconds.
double CpuMs(pid_t pid);
// CPU time (user + system) this process (every thread) has used so far, in
// milliseconds, at microsecond resolution.
double SelfCpuMs();
// Restricts every thread of `pid` (this process when 0) to CPUs
// first..last. Threads created later inherit it. False if any call failed.
bool PinToCpus(pid_t pid, unsigned first, unsigned last);
// The 1-minute load average, or -1 when unknown.
double LoadAverage();

struct Stats {
  std::size_t requests = 0;
  double seconds = 0;
  double per_second = 0;
  double p50_us = 0, p99_us = 0, max_us = 0;
  // The same latencies less the client thread's own CPU time during each
  // request (building, sending, receiving it), so closer to the agent's part.
  double net_p50_us = 0, net_p99_us = 0;
};

// `clients` threads ask `check` for `accounts` round-robin for `seconds`.
// reconnect=false: one persistent connection per client (several requests
// per connection); true: a new connection per request, as pam_staffgate does.
Stats RunClients(const std::string& socket, int clients, double seconds,
                 const std::vector<std::string>& accounts, bool reconnect);

}  // namespace staffgate::bench

#endif  // STAFFGATE_BENCH_AGENT_BENCH_UTIL_H_
