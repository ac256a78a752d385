// A process table in memory for the revoker's tests: ProcessesOf and
// UidsWithProcesses answer from `procs`, Signal records every signal and
// removes the process unless it is `stubborn` and the signal is not
// SIGKILL. Not thread-safe: a test reads it only after the revoker is idle.
#ifndef STAFFGATE_TESTS_UNIT_FAKE_PROCESS_CONTROL_H_
#define STAFFGATE_TESTS_UNIT_FAKE_PROCESS_CONTROL_H_

#include <signal.h>

#include <map>
#include <set>
#include <utility>
#include <vector>

#include "agent/revoke/session_terminator.h"

namespace staffgate::testutil {

class FakeProcessControl : public agent::ProcessControl {
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

}  // namespace staffgate::testutil

#endif  // STAFFGATE_TESTS_UNIT_FAKE_PROCESS_CONTROL_H_
