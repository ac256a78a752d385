// The guarded thread entry (common/thread.h): an exception escaping a
// worker is logged with the thread's name and the worker runs again; it
// never reaches std::terminate.
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/thread.h"

namespace {

using namespace std::chrono_literals;

struct Captured {
  std::mutex mu;
  std::vector<std::pair<int, std::string>> lines;
  staffgate::common::LogFn Fn() {
    return [this](int priority, const std::string& line) {
      std::lock_guard<std::mutex> lock(mu);
      lines.emplace_back(priority, line);
    };
  }
};

}  // namespace

TEST_CASE("a worker that throws is logged by name and restarted", "[thread]") {
  Captured log;
  std::atomic<int> runs{0};
  std::thread worker = staffgate::common::StartGuardedThread(
      "test-worker", log.Fn(),
      [&runs] {
        // Throws on its first two runs (std and non-std), then ends.
        const int run = ++runs;
        if (run == 1) throw std::runtime_error("disk on fire");
        if (run == 2) throw 42;
      },
      1ms);
  worker.join();
  CHECK(runs == 3);
  REQUIRE(log.lines.size() == 2);
  CHECK(log.lines[0].first == LOG_CRIT);
  CHECK(log.lines[0].second.find("thread test-worker failed: disk on fire") == 0);
  CHECK(log.lines[0].second.find("restarting") != std::string::npos);
  CHECK(log.lines[1].second.find("test-worker failed: unknown exception") != std::string::npos);
}

TEST_CASE("a worker that returns ends its thread without a log line", "[thread]") {
  Captured log;
  int runs = 0;
  staffgate::common::RunGuarded("quiet", log.Fn(), [&runs] { ++runs; });
  CHECK(runs == 1);
  CHECK(log.lines.empty());
}

TEST_CASE("a worker's stop flag still ends it after a failure", "[thread]") {
  Captured log;
  std::atomic<bool> stop{false};
  std::atomic<int> runs{0};
  std::thread worker = staffgate::common::StartGuardedThread(
      "stopper", log.Fn(),
      [&] {
        ++runs;
        if (stop) return;  // Every worker body checks its flag on entry.
        stop = true;       // As if Stop() came in meanwhile.
        throw std::logic_error("bug");
      },
      1ms);
  worker.join();
  CHECK(runs == 2);
  CHECK(log.lines.size() == 1);
}
