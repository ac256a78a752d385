// staffgated --config FILE: the workstation agent (docs/design.md §5). Runs in
// the foreground; logs to stderr with <N> priority prefixes; SIGTERM or
// SIGINT stop it cleanly (socket removed), SIGHUP re-reads the config.
// Signals are taken synchronously through a signalfd, so no work ever
// happens in a signal handler.
#include <signal.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstdio>
#include <string>

#include "agent/agent.h"
#include "agent/config/agent_config.h"
#include "agent/users/user_db.h"
#include "common/https/https_client.h"
#include "common/log.h"
#include "common/time_util.h"
#include "common/unique_fd.h"

namespace {

using staffgate::common::LogToStderr;

// Enough descriptors for the connection cap, whatever the unit's default.
void RaiseFileLimit() {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max < 8192 ? lim.rlim_max : 8192;
    setrlimit(RLIMIT_NOFILE, &lim);
  }
}

int Run(const std::string& config_path) {
  auto config = staffgate::agent::LoadAgentConfig(config_path);
  if (!config) {
    LogToStderr(LOG_ERR, "refusing to start: " + config.error().message);
    return 1;
  }
  // Block before any thread exists, so every thread inherits the mask and
  // only the signalfd sees these signals.
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGTERM);
  sigaddset(&mask, SIGINT);
  sigaddset(&mask, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &mask, nullptr);
  (void)signal(SIGPIPE, SIG_IGN);
  staffgate::common::UniqueFd sfd(signalfd(-1, &mask, SFD_CLOEXEC));
  if (!sfd) {
    LogToStderr(LOG_ERR, std::string("signalfd: ") + strerror(errno));
    return 1;
  }
  RaiseFileLimit();
  // Before any thread: curl's global state is set up once, here.
  staffgate::common::HttpsGlobal https;

  staffgate::common::SystemClock clock;
  staffgate::agent::SystemUserDb users;
  staffgate::agent::Agent agent(std::move(*config), staffgate::common::StderrLogger(), clock,
                                users);
  if (auto started = agent.Start(); !started) {
    LogToStderr(LOG_ERR, "refusing to start: " + started.error().message);
    return 1;
  }
  for (;;) {
    signalfd_siginfo info{};
    ssize_t n = read(sfd.get(), &info, sizeof(info));
    if (n < 0 && errno == EINTR) continue;
    if (n != static_cast<ssize_t>(sizeof(info))) {
      LogToStderr(LOG_ERR, "signalfd read failed; stopping");
      break;
    }
    if (info.ssi_signo == SIGHUP) {
      LogToStderr(LOG_INFO, "SIGHUP: reloading " + config_path);
      // A failed reload keeps the old configuration and has logged why; the
      // agent serves on, so there is nothing more to do with the error here.
      (void)agent.Reload(config_path);
      continue;
    }
    LogToStderr(LOG_INFO, info.ssi_signo == SIGTERM ? "SIGTERM: stopping" : "SIGINT: stopping");
    break;
  }
  agent.Stop();
  sfd.Reset();
  return 0;
}

}  // namespace

// A function-try-block: an exception escaping the daemon's setup (out of
// memory, say) is reported and exits 1 instead of calling std::terminate.
int main(int argc, char** argv) try {
  CLI::App app{"staffgated: the staffgate workstation agent"};
  std::string config_path = staffgate::agent::kDefaultAgentConfigPath;
  app.add_option("--config", config_path, "agent configuration (TOML)");
  app.set_version_flag("--version", "staffgated " STAFFGATE_VERSION);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  return Run(config_path);
} catch (const std::exception& e) {
  LogToStderr(LOG_CRIT, std::string("staffgated: ") + e.what());
  return 1;
} catch (...) {
  return 1;
}
