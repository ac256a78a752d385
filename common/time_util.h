// Time as an injected dependency (logic never calls now() itself) and
// RFC 3339 UTC timestamps as used in rosters and audit events.
#ifndef STAFFGATE_COMMON_TIME_UTIL_H_
#define STAFFGATE_COMMON_TIME_UTIL_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"

namespace staffgate::common {

// Seconds since the Unix epoch, UTC.
using UnixSeconds = std::int64_t;

// The clock interface. Implementations must be thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual UnixSeconds Now() const = 0;
  // Milliseconds since the epoch, for audit timestamps.
  virtual std::int64_t NowMs() const { return Now() * 1000; }
};

class SystemClock : public Clock {
 public:
  UnixSeconds Now() const override;
  std::int64_t NowMs() const override;
};

// A clock tests set by hand.
class FakeClock : public Clock {
 public:
  explicit FakeClock(UnixSeconds now) : now_(now) {}
  UnixSeconds Now() const override { return now_; }
  void Set(UnixSeconds now) { now_ = now; }
  void Advance(UnixSeconds delta) { now_ += delta; }

 private:
  UnixSeconds now_;
};

// Parses "YYYY-MM-DDTHH:MM:SS[.fraction](Z|+00:00)". Offsets other than UTC
// are accepted and converted. Errors: kInvalidInput.
Result<UnixSeconds> ParseRfc3339(std::string_view s);

// Formats as "YYYY-MM-DDTHH:MM:SSZ".
std::string FormatRfc3339(UnixSeconds t);
// Formats milliseconds as "YYYY-MM-DDTHH:MM:SS.mmmZ".
std::string FormatRfc3339Ms(std::int64_t ms);

}  // namespace staffgate::common

#endif  // STAFFGATE_COMMON_TIME_UTIL_H_
