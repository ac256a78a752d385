// Keeps a repeating log line from flooding the journal: at most one line
// per interval, and the next line let through says how many were held
// back. The clock is passed in, so tests need no sleeps. Not thread-safe:
// one limiter per thread (or guard it).
#ifndef STAFFGATE_COMMON_LOG_LIMITER_H_
#define STAFFGATE_COMMON_LOG_LIMITER_H_

#include <chrono>
#include <cstddef>
#include <optional>

namespace staffgate::common {

class LogLimiter {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  explicit LogLimiter(std::chrono::milliseconds interval) : interval_(interval) {}

  // nullopt: stay quiet. Otherwise log now; the value is how many lines
  // were held back since the last one let through.
  std::optional<std::size_t> Allow(TimePoint now) {
    if (started_ && now < next_) {
      ++held_;
      return std::nullopt;
    }
    started_ = true;
    next_ = now + interval_;
    const std::size_t held = held_;
    held_ = 0;
    return held;
  }

 private:
  const std::chrono::milliseconds interval_;
  bool started_ = false;
  TimePoint next_{};
  std::size_t held_ = 0;
};

}  // namespace staffgate::common

#endif  // STAFFGATE_COMMON_LOG_LIMITER_H_
