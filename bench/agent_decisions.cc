// Benchmark: agent decisions over the real socket with 1, 4 and 16
// concurrent clients. Starts a real staffgated with a signed
// 1,000-employee roster in a temp dir; each client asks `check` in a loop.
// "persistent": one connection per client, several requests on it;
// "per-request": a new connection per decision, as pam_staffgate does.
// Target: >= 15,000 decisions/s and p99 <= 1 ms with 4 clients (2 cores).
//
// So that the latency is the agent's and not the benchmark clients' own CPU
// competing with it, the agent is pinned to CPU 0 and the clients to the
// other CPUs (when there are at least 2; --no-pin shares them), and each row
// also gives the clients' CPU per decision next to the agent's.
//
// Usage: agent_decisions_bench [--staffgated PATH] [--seconds S] [--no-pin]
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
  bool pin = true;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--no-pin") == 0) pin = false;
    if (i + 1 >= argc) continue;
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

  const unsigned cpus = std::thread::hardware_concurrency();
  pin = pin && cpus >= 2 && bench::PinToCpus(agent.pid, 0, 0) && bench::PinToCpus(0, 1, cpus - 1);
  std::printf(
      "agent decisions over the socket (%zu-employee roster, %.0f s per row, %s)\n", employees,
      seconds,
      pin ? "agent pinned to CPU 0, clients to the others" : "clients and agent share the CPUs");
  std::printf("load average at start: %.2f on %u CPUs (other work on the machine shares them)\n",
              bench::LoadAverage(), cpus);
  std::printf("%-12s %8s %12s %10s %10s %10s %10s %11s\n", "mode", "clients", "decisions/s",
              "p50 us", "p99 us", "max us", "agent CPU", "client CPU");
  bench::RunClients(agent.socket, 2, 0.5, accounts, false);  // warm-up
  for (bool reconnect : {false, true}) {
    for (int clients : {1, 4, 16}) {
      const double cpu0 = bench::CpuMs(agent.pid);
      const double self0 = bench::SelfCpuMs();
      auto s = bench::RunClients(agent.socket, clients, seconds, accounts, reconnect);
      // CPU time per decision, the agent's and the clients': unlike
      // wall-clock figures they do not depend on what else the machine does.
      const double per = 1000.0 / static_cast<double>(s.requests ? s.requests : 1);
      const double agent_us = (bench::CpuMs(agent.pid) - cpu0) * per;
      const double client_us = (bench::SelfCpuMs() - self0) * per;
      std::printf("%-12s %8d %12.0f %10.1f %10.1f %10.1f %8.1f us %8.1f us\n",
                  reconnect ? "per-request" : "persistent", clients, s.per_second, s.p50_us,
                  s.p99_us, s.max_us, agent_us, client_us);
    }
  }
  std::printf("agent RSS after the run: %.1f MB; load average at the end: %.2f\n",
              bench::RssKb(agent.pid) / 1024.0, bench::LoadAverage());
  bench::StopAgent(agent);
  return 0;
}
