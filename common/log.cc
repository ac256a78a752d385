#include "common/log.h"

#include <unistd.h>

#include <cerrno>

namespace staffgate::common {

void LogToStderr(int priority, const std::string& line) {
  std::string out = "<" + std::to_string(priority & LOG_PRIMASK) + ">";
  out.reserve(out.size() + line.size() + 1);
  for (char c : line) out += (c == '\n' || c == '\r') ? ' ' : c;
  out += '\n';
  std::size_t done = 0;
  while (done < out.size()) {
    ssize_t n = write(STDERR_FILENO, out.data() + done, out.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // Nowhere left to complain to.
    done += static_cast<std::size_t>(n);
  }
}

LogFn StderrLogger() { return [](int priority, const std::string& line) { LogToStderr(priority, line); }; }

}  // namespace staffgate::common
