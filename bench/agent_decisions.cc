// Benchmark: agent decisions over the real socket with 1, 4 and 16
// concurrent clients. Starts a real staffgated with a signed
// 1,000-employee roster in a temp dir; each client asks `check` in a loop.
// "persistent": one connection per client, several requests on it;
// "per-request": a new connection per decision, as pam_staffgate does.
// Target: >= 15,000 decisions/s and p99 <= 1 ms with 4 clients (2 cores).
//
// Usage: agent_decisions_bench [--staffgated PATH] [--seconds S]
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>

#include "bench/agent_bench_util.h"
#include "common/envelope.h"

#ifndef STAFFGATED_PATH
#define STAFFGATED_PATH "staffgated"
#endif

int main(int argc, char** argv) {
  std::string staffgated = STAFFGATED_PATH;
  double seconds = 3.0;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--staffgated") == 0) staffgated = argv[i + 1];
    if (std::strcmp(argv[i], "--seconds") == 0) seconds = std::stod(argv[i + 1]);
  }
  using namespace staffgate;
  auto key = common::PrivateKey::Generate();
  const std::size_t employees = 1000;
  auto envelope =
      common::SignEnvelope(common::kRosterPayloadType, bench::SyntheticRoster(employees, 1), *key);
  auto agent = bench::StartAgent(staffgated, *envelope, key->Public(), "decisions");
  auto accounts = bench::SampleAccounts(employees, 200);

  std::printf("agent decisions over the socket (%zu-employee roster, %.0f s per row, "
              "clients and agent share the machine's %u cores)\n",
              employees, seconds, std::thread::hardware_concurrency());
  std::printf("%-12s %8s %12s %10s %10s %10s %14s\n", "mode", "clients", "decisions/s",
              "p50 us", "p99 us", "max us", "agent CPU us");
  bench::RunClients(agent.socket, 2, 0.5, accounts, false);  // warm-up
  for (bool reconnect : {false, true}) {
    for (int clients : {1, 4, 16}) {
      const double cpu0 = bench::CpuMs(agent.pid);
      auto s = bench::RunClients(agent.socket, clients, seconds, accounts, reconnect);
      // The agent's own CPU time per decision: unlike wall-clock figures it
      // does not depend on what else the machine is doing.
      const double cpu_us = (bench::CpuMs(agent.pid) - cpu0) * 1000.0 /
                            static_cast<double>(s.requests ? s.requests : 1);
      std::printf("%-12s %8d %12.0f %10.1f %10.1f %10.1f %14.1f\n",
                  reconnect ? "per-request" : "persistent", clients, s.per_second, s.p50_us,
                  s.p99_us, s.max_us, cpu_us);
    }
  }
  std::printf("agent RSS after the run: %.1f MB\n", bench::RssKb(agent.pid) / 1024.0);
  bench::StopAgent(agent);
  return 0;
}
