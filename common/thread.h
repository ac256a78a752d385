// One guarded entry for every worker thread of the agent and the central.
// Exceptions never cross a thread boundary (one escaping a std::thread
// calls std::terminate and ends the whole daemon): an exception escaping
// `body` is caught here, logged at LOG_CRIT with the thread's name, and
// handled by running `body` again after `pause` — the worker's loop
// restarts from the top, keeping the state the exception left. Every body
// checks its stop flag on entry, so a stop requested meanwhile still ends
// the thread (after the pause at most). `body` returning ends the thread.
#ifndef STAFFGATE_COMMON_THREAD_H_
#define STAFFGATE_COMMON_THREAD_H_

#include <chrono>
#include <functional>
#include <string>
#include <thread>

#include "common/log.h"

namespace staffgate::common {

inline constexpr std::chrono::milliseconds kWorkerRestartPause{1000};

// Runs `body` on the calling thread under the guard above; returns when
// `body` returns. `log` is called from this thread.
void RunGuarded(const std::string& name, const LogFn& log, const std::function<void()>& body,
                std::chrono::milliseconds pause = kWorkerRestartPause);

// Starts a thread named `name` (shown by ps/top, cut to 15 bytes) that
// runs RunGuarded(name, log, body, pause). The caller joins it.
std::thread StartGuardedThread(std::string name, LogFn log, std::function<void()> body,
                               std::chrono::milliseconds pause = kWorkerRestartPause);

}  // namespace staffgate::common

#endif  // STAFFGATE_COMMON_THREAD_H_
