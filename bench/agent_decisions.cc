// Benchmark: agent decisions over the real socket with 1, 4 and 16
// concurrent clients. Starts a real staffgated with a signed
// 1,000-employee roster in a temp dir; each client asks `check` in a loop.
// "persistent": one connection per client, several requests on it;
// "per-request": a new connection per decision, as pam_staffgate does.
// Target: >= 15,000 decisions/s and p99 <= 1 ms with 4 clients (2 cores).
//
// So that the figure is the agent's, each row also gives the latency less
// the client thread's own CPU time during the request ("net"), and the
// clients' CPU per decision next to the agent's. --pin puts the agent on
// CPU 0 and the clients on the others; on 2 shared cores that makes every
// answer a cross-CPU wake-up, which costs more than it isolates (measured,
// docs/performance.md), so it is off by default.
//
// Usage: agent_decisions_bench [--staffgated PATH] [--seconds S] [--pin]
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
  bool pin = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--pin") == 0) pin = true;
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
  std::printf("%-12s %7s %11s %8s %8s %8s %9s %9s %10s %10s\n", "mode", "clients", "decisions/s",
              "p50 us", "p99 us", "max us", "net p50", "net p99", "agent CPU", "client CPU");
  bench::RunClients(agent.socket, 2, 0.5, accounts, false);  // warm-up
  for (bool reconnect : {false, true}) {
    for (int clients : {1, 4, 16}) {
      const double cpu0 = bench::CpuMs(agent.pid);
      const double self0 = bench::SelfCpuMs();
      auto s = bench::RunClients(agent.socket, clients, seconds, accounts, reconnect);
      // CPU time per decision, the agent's and the clients': unlike
      // wall-clock figures they do not depend on what else the machine does.
      const double per = 1000.0 / static_cast<double>(s.requests != 0U ? s.requests : 1);
      const double agent_us = (bench::CpuMs(agent.pid) - cpu0) * per;
      const double client_us = (bench::SelfCpuMs() - self0) * per;
      std::printf("%-12s %7d %11.0f %8.1f %8.1f %8.1f %9.1f %9.1f %7.1f us %7.1f us\n",
                  reconnect ? "per-request" : "persistent", clients, s.per_second, s.p50_us,
                  s.p99_us, s.max_us, s.net_p50_us, s.net_p99_us, agent_us, client_us);
    }
  }
  std::printf("agent RSS after the run: %.1f MB; load average at the end: %.2f\n",
              static_cast<double>(bench::RssKb(agent.pid)) / 1024.0, bench::LoadAverage());
  bench::StopAgent(agent);
  return 0;
}
