// The socket round trip alone, as pam_staffgate makes it: one `check`
// request per new connection through common::CallAgent (the module's own
// client: connect, owner checks, send, one answer line, parse), against an
// agent that is already running. No process start, no libpam: the part of a
// login's cost that is the agent and the socket. Used by bench/login_cost.py.
//
// Usage: agent_roundtrip_bench --socket PATH --account NAME [--calls N]
//                              [--agent-uid UID] [--service NAME]
//                              [--gap-us N] [--cold]
// Prints one line: "roundtrip calls=N median_us=.. p90_us=.. client_cpu_us=..
// gap_us=.." where client_cpu_us is this process's own CPU (user + system)
// per call. --gap-us sleeps that long before each timed call (not timed):
// a login's exchange always follows an idle gap, and on a virtual machine
// waking an idle CPU can cost more than the exchange (docs/performance.md).
//
// With --cold it instead times what a login process does the first time,
// as the module does it: getpwnam_r for the account (NSS set up in this
// process), then one call, then a second call for comparison, and what a
// minor fault on a fresh zero-filled anonymous page costs on this machine
// (the faults of a login are mostly on file pages; this is the cheapest
// kind): "cold lookup_us=.. call_us=.. warm_call_us=.. fault_us=..". Run it
// as a fresh process each time. Its first call includes this binary's own
// first-use costs (its code pages, its first allocations), not the
// module's.
//
// Exit 1 when a call or the lookup fails, 2 on a bad command line.
#include <pwd.h>
#include <sys/mman.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/agent_client.h"
#include "common/protocol.h"

namespace {

using staffgate::common::CallAgent;
using staffgate::common::ClientOptions;
using staffgate::common::Request;
using Clock = std::chrono::steady_clock;

struct Args {
  ClientOptions options;
  staffgate::common::LoginFields login;
  int calls = 500;
  long gap_us = 0;
  bool cold = false;
};

constexpr char kUsage[] =
    "usage: %s --socket PATH --account NAME [--calls N] [--agent-uid UID] [--service NAME] "
    "[--gap-us N] [--cold]\n";

// nullopt on an unknown flag, a flag without its value, or no account.
std::optional<Args> ParseArgs(int argc, char** argv) {
  Args args;
  args.login.service = "bench";
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--cold") {
      args.cold = true;
      continue;
    }
    if (i + 1 >= argc) return std::nullopt;
    const char* value = argv[++i];
    if (flag == "--socket") {
      args.options.socket_path = value;
    } else if (flag == "--account") {
      args.login.account = value;
    } else if (flag == "--service") {
      args.login.service = value;
    } else if (flag == "--calls") {
      args.calls = static_cast<int>(std::max(1L, std::strtol(value, nullptr, 10)));
    } else if (flag == "--gap-us") {
      args.gap_us = std::max(0L, std::strtol(value, nullptr, 10));
    } else if (flag == "--agent-uid") {
      args.options.agent_uid = static_cast<uid_t>(std::strtoul(value, nullptr, 10));
    } else {
      return std::nullopt;
    }
  }
  if (args.login.account.empty()) return std::nullopt;
  return args;
}

double CpuUs() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

long MinorFaults() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  // glibc declares ru_minflt inside an anonymous union (with its syscall
  // word); reading it is reading the field.
  return ru.ru_minflt;  // NOLINT(cppcoreguidelines-pro-type-union-access)
}

double UsSince(Clock::time_point start) {
  return std::chrono::duration<double, std::micro>(Clock::now() - start).count();
}

// Microseconds per minor fault on fresh anonymous pages, divided by the
// faults the kernel counted (huge pages off, so one per page); -1 when
// none could be measured.
double FaultUs() {
  constexpr std::size_t kPages = 64;
  constexpr std::size_t kPage = 4096;
  void* map =
      mmap(nullptr, kPages * kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (map == MAP_FAILED) return -1;
  madvise(map, kPages * kPage, MADV_NOHUGEPAGE);
  auto* bytes = static_cast<volatile char*>(map);
  const long faults0 = MinorFaults();
  const auto start = Clock::now();
  for (std::size_t i = 0; i < kPages; ++i) bytes[i * kPage] = 1;
  const double us = UsSince(start);
  const long faults = MinorFaults() - faults0;
  munmap(map, kPages * kPage);
  return faults > 0 ? us / static_cast<double>(faults) : -1;
}

// The --cold run: see the file comment.
int RunColdProbe(const Args& args, const Request& request) {
  auto start = Clock::now();
  passwd entry{};
  passwd* found = nullptr;
  std::vector<char> buffer(16384);
  const int rc =
      getpwnam_r(args.login.account.c_str(), &entry, buffer.data(), buffer.size(), &found);
  const double lookup_us = UsSince(start);
  if (rc != 0 || found == nullptr) {
    (void)std::fprintf(stderr, "roundtrip: no passwd entry for %s\n", args.login.account.c_str());
    return 1;
  }
  double call_us[2] = {0, 0};
  for (double& us : call_us) {
    start = Clock::now();
    if (auto answer = CallAgent(args.options, request); !answer) {
      (void)std::fprintf(stderr, "roundtrip: %s\n", answer.error().message.c_str());
      return 1;
    }
    us = UsSince(start);
  }
  std::printf("cold lookup_us=%.1f call_us=%.1f warm_call_us=%.1f fault_us=%.2f\n", lookup_us,
              call_us[0], call_us[1], FaultUs());
  return 0;
}

// The loop: 20 warm-up calls, then `calls` timed ones.
int RunLoop(const Args& args, const Request& request) {
  for (int i = 0; i < 20; ++i) {  // warm-up, and the agent must answer
    if (auto answer = CallAgent(args.options, request); !answer) {
      (void)std::fprintf(stderr, "roundtrip: %s\n", answer.error().message.c_str());
      return 1;
    }
  }
  std::vector<double> us;
  us.reserve(static_cast<std::size_t>(args.calls));
  // With a gap, the sleeps' own system calls are counted too (~2 us).
  const double cpu0 = CpuUs();
  for (int i = 0; i < args.calls; ++i) {
    if (args.gap_us > 0) std::this_thread::sleep_for(std::chrono::microseconds(args.gap_us));
    const auto t0 = Clock::now();
    auto answer = CallAgent(args.options, request);
    const double took = UsSince(t0);
    if (!answer) {
      (void)std::fprintf(stderr, "roundtrip: %s\n", answer.error().message.c_str());
      return 1;
    }
    us.push_back(took);
  }
  std::sort(us.begin(), us.end());
  std::printf("roundtrip calls=%d median_us=%.1f p90_us=%.1f client_cpu_us=%.1f gap_us=%ld\n",
              args.calls, us[us.size() / 2], us[us.size() * 9 / 10], (CpuUs() - cpu0) / args.calls,
              args.gap_us);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::optional<Args> args = ParseArgs(argc, argv);
  if (!args) {
    (void)std::fprintf(stderr, kUsage, argv[0]);
    return 2;
  }
  const Request request =
      staffgate::common::CheckRequest{staffgate::common::Phase::kAccount, args->login};
  return args->cold ? RunColdProbe(*args, request) : RunLoop(*args, request);
}
