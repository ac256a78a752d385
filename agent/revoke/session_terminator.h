// Ends the sessions of people a new roster has just revoked (on_revoke =
// "terminate"): `loginctl terminate-user` where logind runs, then SIGTERM to
// every remaining process of the uid and SIGKILL to survivors after a grace
// period. Accounts below min_uid and exempt accounts are never touched; the
// caller filters them, and Terminate refuses uid 0 and uids below the floor
// again as a last line of defence.
#ifndef STAFFGATE_AGENT_REVOKE_SESSION_TERMINATOR_H_
#define STAFFGATE_AGENT_REVOKE_SESSION_TERMINATOR_H_

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <set>
#include <string>
#include <vector>

namespace staffgate::agent {

// The operating system seen by the terminator; injected for tests.
class ProcessControl {
 public:
  virtual ~ProcessControl() = default;
  // Pids whose real or effective uid is `uid` (never pid 1 or ourselves).
  virtual std::vector<pid_t> ProcessesOf(uid_t uid) = 0;
  // All uids that own at least one process.
  virtual std::set<uid_t> UidsWithProcesses() = 0;
  virtual void Signal(pid_t pid, int sig) = 0;
  // Asks logind to end the user's sessions; false when logind is absent.
  virtual bool LogindTerminateUser(uid_t uid) = 0;
  virtual void Sleep(std::chrono::milliseconds d) = 0;
};

// The real thing: /proc, kill(2), loginctl.
class SystemProcessControl : public ProcessControl {
 public:
  std::vector<pid_t> ProcessesOf(uid_t uid) override;
  std::set<uid_t> UidsWithProcesses() override;
  void Signal(pid_t pid, int sig) override;
  bool LogindTerminateUser(uid_t uid) override;
  void Sleep(std::chrono::milliseconds d) override;
};

struct TerminationReport {
  bool used_logind = false;
  int signalled = 0;  // Processes sent SIGTERM.
  int killed = 0;     // Processes that needed SIGKILL.
};

// Ends every process of `uid`. Blocks for up to `grace` (call it off the
// decision path). Refuses uid 0 and uids below `min_uid` (returns an empty
// report).
TerminationReport TerminateUser(ProcessControl& os, uid_t uid, uid_t min_uid,
                                std::chrono::milliseconds grace = std::chrono::seconds(3));

}  // namespace staffgate::agent

#endif  // STAFFGATE_AGENT_REVOKE_SESSION_TERMINATOR_H_
