// Benchmark: a 100,000-employee roster. Prints, side by side
// with a 100-employee roster:
//  - load + verify + index time: RosterStore::Load of roster.dsse (read,
//    Ed25519 verify, parse, index), best and median of 5 (target <= 0.5 s);
//  - the real staffgated's RSS with that roster (target <= 100 MB);
//  - check latency over the socket (target: no worse than with 100).
//
// Usage: roster_scale_bench [--staffgated PATH] [--employees N] [--seconds S]
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "agent/roster/roster_store.h"
#include "bench/agent_bench_util.h"
#include "common/envelope.h"
#include "common/file_util.h"
#include "common/time_util.h"
#include "tests/lib/temp_dir.h"

#ifndef STAFFGATED_PATH
#define STAFFGATED_PATH "staffgated"
#endif

namespace {

using namespace staffgate;

struct Row {
  std::size_t employees = 0;
  std::size_t envelope_bytes = 0;
  double load_best_ms = 0, load_median_ms = 0;
  double load_cpu_best_ms = 0;  // CPU time of the loading thread: what a busy machine hides
  long rss_start_kb = 0, rss_after_kb = 0;
  bench::Stats one, four;
};

Row Measure(const std::string& staffgated, std::size_t employees, double seconds) {
  Row row;
  row.employees = employees;
  auto key = common::PrivateKey::Generate();
  auto envelope = *common::SignEnvelope(common::kRosterPayloadType,
                                        bench::SyntheticRoster(employees, 7), *key);
  row.envelope_bytes = envelope.size();

  // Load + verify + index through the agent's own code path.
  testutil::TempDir temp("bench-load");
  const std::string& dir = temp.path();
  (void)common::WriteFileAtomic(dir + "/roster.dsse", envelope, 0644);
  common::SystemClock clock;
  std::vector<double> ms;
  std::vector<double> cpu_ms;
  auto thread_cpu_ms = [] {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
  };
  for (int i = 0; i < 5; ++i) {
    agent::RosterStore store(dir, clock, [](int, const std::string&) {});
    const double c0 = thread_cpu_ms();
    auto t0 = std::chrono::steady_clock::now();
    auto loaded = store.Load({key->Public()});
    auto t1 = std::chrono::steady_clock::now();
    cpu_ms.push_back(thread_cpu_ms() - c0);
    if (!loaded || !store.Current()) {
      (void)std::fprintf(stderr, "bench: load failed\n");
      std::exit(1);
    }
    ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
  }
  std::sort(ms.begin(), ms.end());
  row.load_best_ms = ms.front();
  row.load_median_ms = ms[ms.size() / 2];
  row.load_cpu_best_ms = *std::min_element(cpu_ms.begin(), cpu_ms.end());

  auto agent = bench::StartAgent(staffgated, envelope, key->Public(), "scale");
  row.rss_start_kb = bench::RssKb(agent.pid);
  auto accounts = bench::SampleAccounts(employees, 500);
  bench::RunClients(agent.socket, 1, 0.3, accounts, false);  // warm-up
  row.one = bench::RunClients(agent.socket, 1, seconds, accounts, false);
  row.four = bench::RunClients(agent.socket, 4, seconds, accounts, false);
  row.rss_after_kb = bench::RssKb(agent.pid);
  bench::StopAgent(agent);
  return row;
}

}  // namespace

// A function-try-block: a bad --employees value ends with one line, not
// std::terminate.
int main(int argc, char** argv) try {
  std::string staffgated = STAFFGATED_PATH;
  std::size_t big = 100000;
  double seconds = 2.0;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--staffgated") == 0) staffgated = argv[i + 1];
    if (std::strcmp(argv[i], "--employees") == 0) big = std::stoul(argv[i + 1]);
    if (std::strcmp(argv[i], "--seconds") == 0) seconds = std::stod(argv[i + 1]);
  }
  Row small = Measure(staffgated, 100, seconds);
  Row large = Measure(staffgated, big, seconds);
  std::printf("roster scale (persistent connections, %.0f s per latency run)\n", seconds);
  std::printf("%-36s %14s %14s\n", "", "100 employees",
              (std::to_string(big) + " employees").c_str());
  auto line = [](const char* what, double a, double b, int decimals) {
    char x[32];
    char y[32];
    (void)std::snprintf(x, sizeof(x), "%.*f", decimals, a);
    (void)std::snprintf(y, sizeof(y), "%.*f", decimals, b);
    std::printf("%-36s %14s %14s\n", what, x, y);
  };
  line("envelope size (MB)", static_cast<double>(small.envelope_bytes) / 1048576.0,
       static_cast<double>(large.envelope_bytes) / 1048576.0, 2);
  line("load+verify+index, best (ms)", small.load_best_ms, large.load_best_ms, 1);
  line("load+verify+index, median (ms)", small.load_median_ms, large.load_median_ms, 1);
  line("load+verify+index, best CPU (ms)", small.load_cpu_best_ms, large.load_cpu_best_ms, 1);
  line("agent RSS after start (MB)", static_cast<double>(small.rss_start_kb) / 1024.0,
       static_cast<double>(large.rss_start_kb) / 1024.0, 1);
  line("agent RSS after checks (MB)", static_cast<double>(small.rss_after_kb) / 1024.0,
       static_cast<double>(large.rss_after_kb) / 1024.0, 1);
  line("check, 1 client: decisions/s", small.one.per_second, large.one.per_second, 0);
  line("check, 1 client: p50 (us)", small.one.p50_us, large.one.p50_us, 1);
  line("check, 1 client: p99 (us)", small.one.p99_us, large.one.p99_us, 1);
  line("check, 4 clients: decisions/s", small.four.per_second, large.four.per_second, 0);
  line("check, 4 clients: p50 (us)", small.four.p50_us, large.four.p50_us, 1);
  line("check, 4 clients: p99 (us)", small.four.p99_us, large.four.p99_us, 1);
  return 0;
} catch (const std::exception& e) {
  (void)std::fprintf(stderr, "roster_scale: %s\n", e.what());
  return 2;
}
