#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <map>

#include "agent/revoke/session_terminator.h"
#include "fake_process_control.h"

namespace {

using staffgate::agent::ProcessControl;
using staffgate::agent::SystemProcessControl;
using staffgate::agent::TerminateUser;

// Some of its processes ignore SIGTERM (`stubborn`).
using FakeOs = staffgate::testutil::FakeProcessControl;

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
