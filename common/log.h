// Logging for the agent and its tools: one line per call on stderr with a
// "<N>" syslog priority prefix (the journald convention), written with one
// write(2) so lines from several threads never interleave.
#ifndef STAFFGATE_COMMON_LOG_H_
#define STAFFGATE_COMMON_LOG_H_

#include <syslog.h>

#include <functional>
#include <string>

namespace staffgate::common {

// Where components send log lines; injected so tests can capture them.
// Must be callable from any thread.
using LogFn = std::function<void(int priority, const std::string& line)>;

// Writes "<priority>line\n" to stderr. Newlines inside `line` are replaced
// so one event stays one journal entry.
void LogToStderr(int priority, const std::string& line);

// A LogFn bound to LogToStderr.
LogFn StderrLogger();

}  // namespace staffgate::common

#endif  // STAFFGATE_COMMON_LOG_H_
