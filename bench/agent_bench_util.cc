#include "bench/agent_bench_util.h"

#include <dirent.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <sstream>
#include <thread>

#include "common/agent_client.h"
#include "common/file_util.h"
#include "common/json_util.h"
#include "common/time_util.h"

namespace staffgate::bench {
namespace {

using common::Json;
using Clock = std::chrono::steady_clock;

[[noreturn]] void Die(const std::string& what) {
  (void)std::fprintf(stderr, "bench: %s\n", what.c_str());
  std::exit(1);
}

class LineClient {
 public:
  explicit LineClient(const std::string& path)
      : fd_(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    path.copy(addr.sun_path, sizeof(addr.sun_path) - 1);
    if (connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) Die("connect");
  }
  ~LineClient() { close(fd_); }
  LineClient(const LineClient&) = delete;
  LineClient& operator=(const LineClient&) = delete;
  std::string Ask(const std::string& line) {
    std::string out = line + "\n";
    if (send(fd_, out.data(), out.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(out.size())) {
      Die("send");
    }
    for (;;) {
      auto nl = buf_.find('\n');
      if (nl != std::string::npos) {
        std::string answer = buf_.substr(0, nl);
        buf_.erase(0, nl + 1);
        return answer;
      }
      char chunk[4096];
      ssize_t n = recv(fd_, chunk, sizeof(chunk), 0);
      if (n <= 0) Die("agent closed the connection");
      buf_.append(chunk, static_cast<std::size_t>(n));
    }
  }

 private:
  int fd_ = -1;
  std::string buf_;
};

// CPU time the calling thread has used, in microseconds.
double ThreadCpuUs() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
}

double Percentile(std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  auto i = static_cast<std::size_t>(p * static_cast<double>(sorted.size() - 1));
  return sorted[i];
}

}  // namespace

std::string SyntheticRoster(std::size_t employees, std::uint64_t serial) {
  const char* groups[] = {"sales", "service", "parts", "finance"};
  Json list = Json::array();
  for (std::size_t i = 0; i < employees; ++i) {
    const char* status = i % 50 == 7 ? "terminated" : i % 100 == 13 ? "suspended" : "active";
    Json g = i % 10 == 0 ? Json::array({"*"}) : Json::array({groups[i % 4]});
    Json e = {{"id", "E" + std::to_string(100000 + i)},
              {"status", status},
              {"accounts", Json::array({"u" + std::to_string(i)})},
              {"groups", g}};
    if (i % 97 == 5) e["credentials_reset_after"] = "2026-11-20T10:00:00Z";
    list.push_back(std::move(e));
  }
  const common::UnixSeconds now = common::SystemClock().Now();
  Json doc = {{"schema", "staffgate.roster.v1"},
              {"serial", serial},
              {"issued_at", common::FormatRfc3339(now - 60)},
              {"expires_at", common::FormatRfc3339(now + 7L * 86400)},
              {"organization", "Bench Motors"},
              {"employees", std::move(list)},
              {"shared_accounts", Json::array({"sales", "frontdesk", "service"})},
              {"workstations", {{"BENCH-01", {{"groups", {"service", "parts"}}}}}},
              {"policy", {{"max_workstations_per_account", 1}}}};
  return common::DumpJson(doc);
}

std::vector<std::string> SampleAccounts(std::size_t employees, std::size_t count) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < count; ++i) {
    out.push_back("u" + std::to_string((i * 7919) % employees));
  }
  out.emplace_back("sales");
  out.emplace_back("nosuchperson");
  return out;
}

RunningAgent StartAgent(const std::string& staffgated, const std::string& envelope,
                        const common::PublicKey& key, const std::string& name) {
  RunningAgent agent{-1, testutil::TempDir("bench-" + name), {}};
  agent.socket = agent.dir.path() + "/agent.sock";
  const std::string state = agent.dir.path() + "/state";
  const std::string config = agent.dir.path() + "/agent.conf";
  if (!common::WriteFileAtomic(agent.dir.path() + "/key.pub", key.ToPem(), 0644)) Die("write key");
  if (mkdir(state.c_str(), 0755) != 0) Die("mkdir " + state);
  if (!common::WriteFileAtomic(state + "/roster.dsse", envelope, 0644)) Die("write roster");
  std::string conf =
      "workstation = \"BENCH-01\"\n"
      "trusted_keys = [\"" +
      agent.dir.path() +
      "/key.pub\"]\n"
      "socket = \"" +
      agent.socket +
      "\"\n"
      "state_dir = \"" +
      state +
      "\"\n"
      "audit_log = \"" +
      agent.dir.path() +
      "/audit.jsonl\"\n"
      "min_uid = 1000\n"
      "on_revoke = \"none\"\n";
  if (!common::WriteFileAtomic(config, conf, 0644)) Die("write config");

  agent.pid = fork();
  if (agent.pid < 0) Die("fork");
  if (agent.pid == 0) {
    std::string log = agent.dir.path() + "/agent.log";
    if (freopen(log.c_str(), "w", stderr) == nullptr) _exit(127);
    execl(staffgated.c_str(), staffgated.c_str(), "--config", config.c_str(),
          static_cast<char*>(nullptr));
    _exit(127);
  }
  common::ClientOptions options;
  options.socket_path = agent.socket;
  options.agent_uid = std::nullopt;
  options.timeout_ms = 1000;
  for (int i = 0; i < 600; ++i) {
    const common::Request status = common::StatusRequest{};
    auto line = common::CallAgentRaw(options, common::SerializeRequest(status));
    auto r = line ? common::ParseResponse(common::OpOf(status), *line)
                  : common::Result<common::Response>(tl::unexpected(line.error()));
    if (r && std::holds_alternative<common::StatusReply>(*r)) return agent;
    int st = 0;
    if (waitpid(agent.pid, &st, WNOHANG) == agent.pid) {
      Die("staffgated exited; see " + agent.dir.path());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  Die("staffgated did not come up; see " + agent.dir.path() + "/agent.log");
}

void StopAgent(RunningAgent& agent) {
  if (agent.pid > 0) {
    kill(agent.pid, SIGTERM);
    int st = 0;
    waitpid(agent.pid, &st, 0);
    agent.pid = -1;
  }
}

long RssKb(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string key;
  while (in >> key) {
    if (key == "VmRSS:") {
      long kb = 0;
      in >> kb;
      return kb;
    }
    in.ignore(1 << 12, '\n');
  }
  return 0;
}

double CpuMs(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // Fields after the ")" that closes the command name: state is field 3,
  // utime and stime are fields 14 and 15.
  auto close = text.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream rest(text.substr(close + 2));
  std::string field;
  double utime = 0;
  double stime = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14) utime = std::stod(field);
    if (i == 15) stime = std::stod(field);
  }
  return (utime + stime) * 1000.0 / static_cast<double>(sysconf(_SC_CLK_TCK));
}

double SelfCpuMs() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000.0 +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000.0;
}

bool PinToCpus(pid_t pid, unsigned first, unsigned last) {
  cpu_set_t set;
  CPU_ZERO(&set);
  for (unsigned cpu = first; cpu <= last; ++cpu) CPU_SET(cpu, &set);
  const std::string dir =
      "/proc/" + (pid == 0 ? std::string("self") : std::to_string(pid)) + "/task";
  DIR* tasks = opendir(dir.c_str());
  if (tasks == nullptr) return false;
  bool ok = true;
  while (dirent* entry = readdir(tasks)) {
    if (entry->d_name[0] == '.') continue;
    const auto tid = static_cast<pid_t>(std::strtol(entry->d_name, nullptr, 10));
    ok = sched_setaffinity(tid, sizeof(set), &set) == 0 && ok;
  }
  closedir(tasks);
  return ok;
}

double LoadAverage() {
  double load[1] = {-1};
  return getloadavg(load, 1) == 1 ? load[0] : -1;
}

Stats RunClients(const std::string& socket, int clients, double seconds,
                 const std::vector<std::string>& accounts, bool reconnect) {
  std::vector<std::string> lines;
  lines.reserve(accounts.size());

  for (const auto& a : accounts) {
    lines.push_back(common::DumpJson(Json{{"v", 1}, {"op", "check"}, {"phase", "account"},
                                          {"account", a}, {"service", "bench"}}));
  }
  std::vector<std::vector<double>> latencies(static_cast<std::size_t>(clients));
  std::vector<std::vector<double>> net(static_cast<std::size_t>(clients));
  const auto start = Clock::now();
  const auto deadline = start + std::chrono::duration<double>(seconds);
  std::vector<std::thread> threads;
  threads.reserve(clients);

  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      auto& mine = latencies[static_cast<std::size_t>(c)];
      auto& mine_net = net[static_cast<std::size_t>(c)];
      mine.reserve(200000);
      mine_net.reserve(200000);
      common::ClientOptions options;
      options.socket_path = socket;
      options.agent_uid = std::nullopt;
      std::unique_ptr<LineClient> conn;
      if (!reconnect) conn = std::make_unique<LineClient>(socket);
      std::size_t i = static_cast<std::size_t>(c) * 31;
      while (Clock::now() < deadline) {
        const std::string& line = lines[i++ % lines.size()];
        const double cpu0 = ThreadCpuUs();
        auto t0 = Clock::now();
        if (reconnect) {
          if (!common::CallAgentRaw(options, line)) Die("request failed");
        } else {
          conn->Ask(line);
        }
        const double us = std::chrono::duration<double, std::micro>(Clock::now() - t0).count();
        mine.push_back(us);
        mine_net.push_back(std::max(0.0, us - (ThreadCpuUs() - cpu0)));
      }
    });
  }
  for (auto& t : threads) t.join();
  Stats s;
  s.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::vector<double> all;
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  std::vector<double> all_net;
  for (auto& l : net) all_net.insert(all_net.end(), l.begin(), l.end());
  std::sort(all_net.begin(), all_net.end());
  s.net_p50_us = Percentile(all_net, 0.50);
  s.net_p99_us = Percentile(all_net, 0.99);
  s.requests = all.size();
  s.per_second = static_cast<double>(all.size()) / s.seconds;
  s.p50_us = Percentile(all, 0.50);
  s.p99_us = Percentile(all, 0.99);
  s.max_us = all.empty() ? 0 : all.back();
  return s;
}

}  // namespace staffgate::bench
