// The socket round trip alone, as pam_staffgate makes it: one `check`
// request per new connection through common::CallAgent (the module's own
// client: connect, owner checks, send, one answer line, parse), against an
// agent that is already running. No process start, no libpam: the part of a
// login's cost that is the agent and the socket. Used by bench/login_cost.py.
//
// Usage: agent_roundtrip_bench --socket PATH --account NAME [--calls N]
//                              [--agent-uid UID] [--service NAME] [--cold 1]
// Prints one line: "roundtrip calls=N median_us=.. p90_us=.. client_cpu_us=.."
// where client_cpu_us is this process's own CPU (user + system) per call.
// With --cold 1 it instead times what a login process does the first time,
// as the module does it: getpwnam_r for the account (NSS set up in this
// process), then one call, then a second call for comparison, and the cost
// of one page fault on this machine (64 fresh anonymous pages touched):
// "cold lookup_us=.. call_us=.. warm_call_us=.. fault_us=..". Run it as a
// fresh process each time. Exit 1 when a call fails.
#include <pwd.h>
#include <sys/mman.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "common/agent_client.h"
#include "common/protocol.h"

namespace {

double CpuUs() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

using Clock = std::chrono::steady_clock;

double UsSince(Clock::time_point start) {
  return std::chrono::duration<double, std::micro>(Clock::now() - start).count();
}

// Microseconds per first touch of a fresh anonymous page (a minor fault).
double FaultUs() {
  constexpr std::size_t kPages = 64;
  constexpr std::size_t kPage = 4096;
  void* map =
      mmap(nullptr, kPages * kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (map == MAP_FAILED) return -1;
  auto* bytes = static_cast<volatile char*>(map);
  const auto start = Clock::now();
  for (std::size_t i = 0; i < kPages; ++i) bytes[i * kPage] = 1;
  const double us = UsSince(start) / kPages;
  munmap(map, kPages * kPage);
  return us;
}

// The --cold run: see the file comment.
int Cold(const staffgate::common::ClientOptions& options, const staffgate::common::Request& request,
         const std::string& account) {
  using namespace staffgate;
  auto start = Clock::now();
  passwd entry{};
  passwd* found = nullptr;
  std::vector<char> buffer(16384);
  getpwnam_r(account.c_str(), &entry, buffer.data(), buffer.size(), &found);
  const double lookup_us = UsSince(start);
  double call_us[2] = {0, 0};
  for (double& us : call_us) {
    start = Clock::now();
    if (auto answer = common::CallAgent(options, request); !answer) {
      (void)std::fprintf(stderr, "roundtrip: %s\n", answer.error().message.c_str());
      return 1;
    }
    us = UsSince(start);
  }
  std::printf("cold lookup_us=%.1f call_us=%.1f warm_call_us=%.1f fault_us=%.2f\n", lookup_us,
              call_us[0], call_us[1], FaultUs());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace staffgate;
  common::ClientOptions options;
  common::LoginFields login;
  login.service = "bench";
  int calls = 500;
  bool cold = false;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const char* value = argv[i + 1];
    if (flag == "--socket") options.socket_path = value;
    if (flag == "--account") login.account = value;
    if (flag == "--service") login.service = value;
    if (flag == "--calls") calls = static_cast<int>(std::max(1L, std::strtol(value, nullptr, 10)));
    if (flag == "--cold") cold = std::string(value) == "1";
    if (flag == "--agent-uid")
      options.agent_uid = static_cast<uid_t>(std::strtoul(value, nullptr, 10));
  }
  if (login.account.empty()) {
    (void)std::fprintf(
        stderr, "usage: %s --socket PATH --account NAME [--calls N] [--agent-uid UID] [--cold 1]\n",
        argv[0]);
    return 2;
  }
  const common::Request request = common::CheckRequest{common::Phase::kAccount, login};
  if (cold) return Cold(options, request, login.account);
  for (int i = 0; i < 20; ++i) {  // warm-up, and the agent must answer
    if (auto answer = common::CallAgent(options, request); !answer) {
      (void)std::fprintf(stderr, "roundtrip: %s\n", answer.error().message.c_str());
      return 1;
    }
  }
  std::vector<double> us;
  us.reserve(static_cast<std::size_t>(calls));
  const double cpu0 = CpuUs();
  for (int i = 0; i < calls; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    auto answer = common::CallAgent(options, request);
    const auto t1 = std::chrono::steady_clock::now();
    if (!answer) {
      (void)std::fprintf(stderr, "roundtrip: %s\n", answer.error().message.c_str());
      return 1;
    }
    us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
  }
  const double cpu_per_call = (CpuUs() - cpu0) / calls;
  std::sort(us.begin(), us.end());
  std::printf("roundtrip calls=%d median_us=%.1f p90_us=%.1f client_cpu_us=%.1f\n", calls,
              us[us.size() / 2], us[us.size() * 9 / 10], cpu_per_call);
  return 0;
}
