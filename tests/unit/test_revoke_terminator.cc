#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <map>

#include "agent/revoke/session_terminator.h"

namespace {

using staffgate::agent::ProcessControl;
using staffgate::agent::SystemProcessControl;
using staffgate::agent::TerminateUser;

// A process table where some processes ignore SIGTERM.
class FakeOs : public ProcessControl {
 public:
  std::map<pid_t, uid_t> procs;
  std::set<pid_t> stubborn;
  std::vector<std::pair<pid_t, int>> signals;
  bool logind = false;
  std::vector<pid_t> ProcessesOf(uid_t uid) override {
    std::vector<pid_t> out;
    for (auto [pid, owner] : procs)
      if (owner == uid) out.push_back(pid);
    return out;
  }
  std::set<uid_t> UidsWithProcesses() override {
    std::set<uid_t> out;
    for (auto [pid, owner] : procs) out.insert(owner);
    return out;
  }
  void Signal(pid_t pid, int sig) override {
    signals.emplace_back(pid, sig);
    if (sig == SIGKILL || !stubborn.count(pid)) procs.erase(pid);
  }
  bool LogindTerminateUser(uid_t) override { return logind; }
  void Sleep(std::chrono::milliseconds) override {}
};

}  // namespace

TEST_CASE("terminator: TERM first, KILL only for survivors", "[revoke]") {
  FakeOs os;
  os.procs = {{100, 2001}, {101, 2001}, {102, 2002}, {103, 0}};
  os.stubborn = {101};
  auto report = TerminateUser(os, 2001, 1000);
  REQUIRE(report.signalled == 2);
  REQUIRE(report.killed == 1);
  REQUIRE(os.procs.count(102) == 1);  // Another person's process is untouched.
  REQUIRE(os.procs.count(103) == 1);
  REQUIRE(os.signals.back() == std::make_pair(pid_t{101}, SIGKILL));
}

TEST_CASE("terminator: never touches root or system accounts", "[revoke]") {
  FakeOs os;
  os.procs = {{200, 0}, {201, 999}};
  REQUIRE(TerminateUser(os, 0, 1000).signalled == 0);
  REQUIRE(TerminateUser(os, 999, 1000).signalled == 0);
  REQUIRE(os.signals.empty());
}

TEST_CASE("terminator: the real process table sees our own children", "[revoke]") {
  pid_t child = fork();
  if (child == 0) {
    pause();
    _exit(0);
  }
  SystemProcessControl os;
  auto mine = os.ProcessesOf(getuid());
  REQUIRE(std::find(mine.begin(), mine.end(), child) != mine.end());
  REQUIRE(std::find(mine.begin(), mine.end(), getpid()) == mine.end());
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
}
