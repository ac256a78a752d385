#include "agent/revoke/session_terminator.h"

#include <dirent.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>

namespace staffgate::agent {
namespace {

// Reads the real and effective uid from /proc/PID/status.
bool ProcUids(pid_t pid, uid_t* real, uid_t* effective) {
  char path[64];
  (void)std::snprintf(path, sizeof(path), "/proc/%d/status", static_cast<int>(pid));
  FILE* f = std::fopen(path, "re");
  if (f == nullptr) return false;
  char line[256];
  bool found = false;
  while (std::fgets(line, sizeof(line), f) != nullptr) {
    unsigned r = 0;
    unsigned e = 0;
    // sscanf's %u cannot report overflow; /proc's uids are the kernel's own.
    // NOLINTNEXTLINE(cert-err34-c)
    if (std::sscanf(line, "Uid: %u %u", &r, &e) == 2) {
      *real = r;
      *effective = e;
      found = true;
      break;
    }
  }
  (void)std::fclose(f);
  return found;
}

template <typename Fn>
void ForEachProcess(Fn fn) {
  DIR* dir = opendir("/proc");
  if (dir == nullptr) return;
  const pid_t self = getpid();
  while (dirent* entry = readdir(dir)) {
    char* end = nullptr;
    long pid = std::strtol(entry->d_name, &end, 10);
    if (end == entry->d_name || *end != '\0' || pid <= 1 || pid == self) continue;
    uid_t real = 0;
    uid_t effective = 0;
    if (ProcUids(static_cast<pid_t>(pid), &real, &effective)) fn(static_cast<pid_t>(pid), real, effective);
  }
  closedir(dir);
}

}  // namespace

std::vector<pid_t> SystemProcessControl::ProcessesOf(uid_t uid) {
  std::vector<pid_t> out;
  ForEachProcess([&](pid_t pid, uid_t real, uid_t effective) {
    if (real == uid || effective == uid) out.push_back(pid);
  });
  return out;
}

std::set<uid_t> SystemProcessControl::UidsWithProcesses() {
  std::set<uid_t> out;
  ForEachProcess([&](pid_t, uid_t real, uid_t effective) {
    out.insert(real);
    out.insert(effective);
  });
  return out;
}

void SystemProcessControl::Signal(pid_t pid, int sig) { kill(pid, sig); }

bool SystemProcessControl::LogindTerminateUser(uid_t uid) {
  struct stat st {};
  if (stat("/run/systemd/seats", &st) != 0) return false;  // logind is not running.
  std::string uid_text = std::to_string(uid);
  const char* argv[] = {"loginctl", "terminate-user", uid_text.c_str(), nullptr};
  pid_t child = 0;
  // posix_spawnp takes char* const[] for C's sake and never writes to it.
  // NOLINTNEXTLINE(cppcoreguidelines-pro-type-const-cast)
  if (posix_spawnp(&child, "loginctl", nullptr, nullptr, const_cast<char**>(argv), environ) != 0) {
    return false;
  }
  int status = 0;
  while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

void SystemProcessControl::Sleep(std::chrono::milliseconds d) { std::this_thread::sleep_for(d); }

TerminationReport TerminateUser(ProcessControl& os, uid_t uid, uid_t min_uid,
                                std::chrono::milliseconds grace) {
  TerminationReport report;
  if (uid == 0 || uid < min_uid) return report;
  report.used_logind = os.LogindTerminateUser(uid);
  // Processes outside logind sessions (cron jobs, nohup, su from another
  // account) are ended too.
  for (pid_t pid : os.ProcessesOf(uid)) {
    os.Signal(pid, SIGTERM);
    ++report.signalled;
  }
  const auto step = std::chrono::milliseconds(100);
  for (auto waited = std::chrono::milliseconds(0); waited < grace; waited += step) {
    if (os.ProcessesOf(uid).empty()) return report;
    os.Sleep(step);
  }
  for (pid_t pid : os.ProcessesOf(uid)) {
    os.Signal(pid, SIGKILL);
    ++report.killed;
  }
  return report;
}

}  // namespace staffgate::agent
