// What the failover tests share (test_central_selector.cc,
// test_sync_failover.cc): central URLs, a millisecond clock set by hand and
// a log that keeps its lines.
#ifndef STAFFGATE_TESTS_UNIT_FAILOVER_WORLD_H_
#define STAFFGATE_TESTS_UNIT_FAILOVER_WORLD_H_

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "common/log.h"
#include "common/time_util.h"

namespace failover_world {

using std::chrono::milliseconds;

constexpr char kA[] = "https://a.test:8443";
constexpr char kB[] = "https://b.test:8443";
constexpr char kC[] = "https://c.test:8443";

// A clock with milliseconds, set by hand.
class MsClock : public staffgate::common::Clock {
 public:
  std::int64_t ms = 1'800'000'000'000;
  staffgate::common::UnixSeconds Now() const override { return ms / 1000; }
  std::int64_t NowMs() const override { return ms; }
  void Advance(milliseconds d) { ms += d.count(); }
};

struct Logged {
  std::vector<std::string> lines;
  staffgate::common::LogFn fn() {
    return [this](int, const std::string& line) { lines.push_back(line); };
  }
};

const std::string kRefused = "cannot reach the central: Connection refused";

}  // namespace failover_world

#endif  // STAFFGATE_TESTS_UNIT_FAILOVER_WORLD_H_
