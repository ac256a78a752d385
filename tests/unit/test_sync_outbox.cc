#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include "agent/sync/event_outbox.h"
#include "agent/sync/event_sender.h"
#include "common/json_util.h"
#include "tests/lib/temp_dir.h"

namespace {

using staffgate::agent::EventOutbox;
using staffgate::agent::EventSender;
using staffgate::common::ErrorKind;
using staffgate::common::Fail;
using staffgate::common::Result;
using staffgate::testutil::TempDir;

std::string Event(int i, const char* decision) {
  return std::string("{\"id\":\"ev-") + std::to_string(i) + "\",\"decision\":\"" + decision + "\"}";
}

std::unique_ptr<EventOutbox> OpenBox(const std::string& dir, std::size_t segment = 1 << 20,
                                     std::size_t cap = 64u << 20) {
  auto box = EventOutbox::Open({dir + "/outbox", segment, cap}, [](int, const std::string&) {});
  REQUIRE(box);
  return std::move(*box);
}

// Collects the ids a fake central received.
struct FakeCentral {
  std::multiset<std::string> ids;
  int fail_next = 0;
  Result<long> Post(const std::string& body) {
    if (fail_next > 0) {
      --fail_next;
      return Fail(ErrorKind::kUnavailable, "cannot reach the central");
    }
    auto parsed = staffgate::common::ParseJson(body, {64u << 20, 8});
    REQUIRE(parsed);
    REQUIRE(parsed->is_array());
    for (const auto& e : *parsed) ids.insert(e["id"].get<std::string>());
    return 202L;
  }
};

}  // namespace

TEST_CASE("outbox: events survive a restart until acknowledged, each delivered once", "[outbox]") {
  TempDir tmp("outbox");
  FakeCentral central;
  {
    auto box = OpenBox(tmp.path(), 4096);  // Small segments: exercise rotation.
    for (int i = 0; i < 300; ++i) REQUIRE(box->Append(Event(i, i % 3 ? "allow" : "deny")));
    REQUIRE(box->Depth() == 300);
    // Central down: nothing leaves the outbox.
    EventSender sender(*box, [&](const std::string& b) { return central.Post(b); },
                       [](int, const std::string&) {});
    central.fail_next = 1;
    REQUIRE_FALSE(sender.DrainOnce());
    REQUIRE(box->Depth() == 300);
  }
  // "Restart": a new outbox object over the same directory.
  auto box = OpenBox(tmp.path(), 4096);
  REQUIRE(box->Depth() == 300);
  EventSender sender(*box, [&](const std::string& b) { return central.Post(b); },
                     [](int, const std::string&) {});
  auto sent = sender.DrainOnce();
  REQUIRE(sent);
  REQUIRE(*sent == 300);
  REQUIRE(box->Depth() == 0);
  REQUIRE(central.ids.size() == 300);
  for (int i = 0; i < 300; ++i) REQUIRE(central.ids.count("ev-" + std::to_string(i)) == 1);
  // Nothing is sent twice.
  REQUIRE(*sender.DrainOnce() == 0);
}

TEST_CASE("outbox: an incomplete last line from a crash is dropped", "[outbox]") {
  TempDir tmp("outbox");
  {
    auto box = OpenBox(tmp.path());
    REQUIRE(box->Append(Event(1, "deny")));
  }
  // Simulate kill -9 in the middle of an append.
  std::string seg;
  for (const auto& entry : std::filesystem::directory_iterator(tmp.path() + "/outbox")) {
    if (entry.path().extension() == ".jsonl") seg = entry.path();
  }
  int fd = open(seg.c_str(), O_WRONLY | O_APPEND);
  REQUIRE(write(fd, "{\"id\":\"half", 11) == 11);
  close(fd);
  auto box = OpenBox(tmp.path());
  REQUIRE(box->Depth() == 1);
  auto batch = box->Peek(10, 1 << 20);
  REQUIRE(batch);
  REQUIRE(batch->events.size() == 1);
  REQUIRE(batch->events[0] == Event(1, "deny"));
}

TEST_CASE("outbox: past its cap, old allow events go and denials stay", "[outbox]") {
  TempDir tmp("outbox");
  const std::size_t cap = 8 * 1024;
  auto box = OpenBox(tmp.path(), 1024, cap);
  for (int i = 0; i < 1000; ++i) REQUIRE(box->Append(Event(i, i % 10 == 0 ? "deny" : "allow")));
  FakeCentral central;
  EventSender sender(*box, [&](const std::string& b) { return central.Post(b); },
                     [](int, const std::string&) {});
  REQUIRE(sender.DrainOnce());
  // Every denial arrived; allow events were dropped to respect the cap.
  for (int i = 0; i < 1000; i += 10) REQUIRE(central.ids.count("ev-" + std::to_string(i)) == 1);
  REQUIRE(central.ids.size() < 1000);
}

TEST_CASE("event sender: a post that throws is logged by thread name and the sender carries on",
          "[outbox][thread]") {
  TempDir tmp("outbox");
  auto box = OpenBox(tmp.path());
  REQUIRE(box->Append(Event(1, "deny")));
  std::mutex mu;
  std::vector<std::string> logged;
  int posts = 0;
  bool delivered = false;
  EventSender sender(
      *box,
      [&](const std::string&) -> Result<long> {
        std::lock_guard<std::mutex> lock(mu);
        if (++posts == 1) throw std::runtime_error("bug in the post path");
        delivered = true;
        return 202;
      },
      [&](int, const std::string& line) {
        std::lock_guard<std::mutex> lock(mu);
        logged.push_back(line);
      });
  sender.Start();
  sender.Notify();
  // The worker restarts after common::kWorkerRestartPause and drains again.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(mu);
      if (delivered || std::chrono::steady_clock::now() > deadline) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  sender.Stop();
  REQUIRE(delivered);
  CHECK(box->Depth() == 0);
  REQUIRE_FALSE(logged.empty());
  CHECK(logged[0].find("thread event-sender failed: bug in the post path") == 0);
}
