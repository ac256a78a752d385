#include "common/thread.h"

#include <pthread.h>

#include <exception>
#include <utility>

namespace staffgate::common {

void RunGuarded(const std::string& name, const LogFn& log, const std::function<void()>& body,
                std::chrono::milliseconds pause) {
  for (;;) {
    std::string what;
    try {
      body();
      return;
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
      what = "unknown exception";
    }
    // Logging must not throw out of the guard either.
    try {
      log(LOG_CRIT, "thread " + name + " failed: " + what + "; restarting it in " +
                        std::to_string(pause.count()) + " ms");
    } catch (...) {
    }
    std::this_thread::sleep_for(pause);
  }
}

std::thread StartGuardedThread(std::string name, LogFn log, std::function<void()> body,
                               std::chrono::milliseconds pause) {
  return std::thread([name = std::move(name), log = std::move(log), body = std::move(body), pause] {
    pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
    RunGuarded(name, log, body, pause);
  });
}

}  // namespace staffgate::common
