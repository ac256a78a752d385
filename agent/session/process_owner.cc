#include "agent/session/process_owner.h"

#include <signal.h>

#include <cerrno>
#include <sstream>

#include "common/file_util.h"

namespace staffgate::agent {

std::optional<uid_t> EffectiveUidIn(const std::string& status_text) {
  std::istringstream lines(status_text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("Uid:", 0) != 0) continue;
    std::istringstream fields(line.substr(4));
    long long real = -1;
    long long effective = -1;
    if (!(fields >> real >> effective) || effective < 0) return std::nullopt;
    return static_cast<uid_t>(effective);
  }
  return std::nullopt;
}

bool SessionProcessAlive(const SessionInfo& s) {
  if (s.pid <= 0) return false;
  if (s.opener_uid == 0) {
    return kill(static_cast<pid_t>(s.pid), 0) == 0 || errno == EPERM;
  }
  auto text = common::ReadFileCapped("/proc/" + std::to_string(s.pid) + "/status", 64UL * 1024);
  if (!text) return false;
  auto euid = EffectiveUidIn(*text);
  return euid && *euid == s.opener_uid;
}

}  // namespace staffgate::agent
