#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
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
#include "agent/sync/roster_fetcher.h"
#include "common/file_util.h"
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
  return std::string(R"({"id":"ev-)") + std::to_string(i) + R"(","decision":")" + decision + "\"}";
}

std::unique_ptr<EventOutbox> OpenBox(const std::string& dir, std::size_t segment = 1 << 20,
                                     std::size_t cap = 64U << 20) {
  auto box = EventOutbox::Open({dir + "/outbox", segment, cap}, [](int, const std::string&) {});
  REQUIRE(box);
  return std::move(*box);
}

// Collects the ids a fake central received.
struct FakeCentral {
  std::multiset<std::string> ids;
  int fail_next = 0;
  Result<staffgate::agent::PostReply> Post(const std::string& body) {
    if (fail_next > 0) {
      --fail_next;
      return Fail(ErrorKind::kUnavailable, "cannot reach the central");
    }
    auto parsed = staffgate::common::ParseJson(body, {64U << 20, 8});
    REQUIRE(parsed);
    REQUIRE(parsed->is_array());
    for (const auto& e : *parsed) ids.insert(e["id"].get<std::string>());
    return staffgate::agent::PostReply{202};
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
    EventSender sender(
        *box, [&](const std::string& b) { return central.Post(b); },
        [](int, const std::string&) {});
    central.fail_next = 1;
    REQUIRE_FALSE(sender.DrainOnce());
    REQUIRE(box->Depth() == 300);
  }
  // "Restart": a new outbox object over the same directory.
  auto box = OpenBox(tmp.path(), 4096);
  REQUIRE(box->Depth() == 300);
  EventSender sender(
      *box, [&](const std::string& b) { return central.Post(b); }, [](int, const std::string&) {});
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
  const std::size_t cap = 8UL * 1024;
  auto box = OpenBox(tmp.path(), 1024, cap);
  for (int i = 0; i < 1000; ++i) REQUIRE(box->Append(Event(i, i % 10 == 0 ? "deny" : "allow")));
  FakeCentral central;
  EventSender sender(
      *box, [&](const std::string& b) { return central.Post(b); }, [](int, const std::string&) {});
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
      [&](const std::string&) -> Result<staffgate::agent::PostReply> {
        std::lock_guard<std::mutex> lock(mu);
        if (++posts == 1) throw std::runtime_error("bug in the post path");
        delivered = true;
        return staffgate::agent::PostReply{202};
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

TEST_CASE("event sender: 429 and 507 keep the events and wait the central's Retry-After",
          "[outbox]") {
  TempDir tmp("outbox");
  auto box = OpenBox(tmp.path());
  for (int i = 0; i < 3; ++i) REQUIRE(box->Append(Event(i, "deny")));
  long status = 429;
  std::optional<long> retry_after = 120;
  EventSender sender(
      *box,
      [&](const std::string&) -> Result<staffgate::agent::PostReply> {
        return staffgate::agent::PostReply{status, retry_after};
      },
      [](int, const std::string&) {});
  auto sent = sender.DrainOnce();
  REQUIRE_FALSE(sent);
  CHECK(sent.error().message.find("sent again in 120 s") != std::string::npos);
  CHECK(box->Depth() == 3);
  REQUIRE(sender.RetryAfter());
  CHECK(sender.RetryAfter()->count() == 120);
  status = 507;
  retry_after.reset();  // None named: a minute.
  REQUIRE_FALSE(sender.DrainOnce());
  CHECK(sender.RetryAfter()->count() == 60);
  status = 500;
  REQUIRE_FALSE(sender.DrainOnce());
  CHECK_FALSE(sender.RetryAfter());  // Other failures back off as before.
  status = 202;
  CHECK(*sender.DrainOnce() == 3);
}

TEST_CASE("event sender: the thread waits out Retry-After before posting again",
          "[outbox][thread]") {
  TempDir tmp("outbox");
  auto box = OpenBox(tmp.path());
  REQUIRE(box->Append(Event(1, "deny")));
  std::mutex mu;
  std::vector<std::chrono::steady_clock::time_point> posts;
  EventSender sender(
      *box,
      [&](const std::string&) -> Result<staffgate::agent::PostReply> {
        std::lock_guard<std::mutex> lock(mu);
        posts.push_back(std::chrono::steady_clock::now());
        if (posts.size() == 1) return staffgate::agent::PostReply{429, 4};
        return staffgate::agent::PostReply{202};
      },
      [](int, const std::string&) {});
  sender.Start();
  sender.Notify();
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (box->Depth() != 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  sender.Stop();
  std::lock_guard<std::mutex> lock(mu);
  REQUIRE(posts.size() == 2);
  // Without Retry-After the first backoff is about a second.
  CHECK(posts[1] - posts[0] >= std::chrono::milliseconds(3900));
}

TEST_CASE("outbox: an unreadable line is quarantined and the events after it are delivered",
          "[outbox]") {
  TempDir tmp("outbox");
  auto box = OpenBox(tmp.path());
  REQUIRE(box->Append(Event(1, "deny")));
  REQUIRE(box->Append("{\"id\":\"broken\", garbage"));
  REQUIRE(box->Append("\xff\xfe not even UTF-8"));
  REQUIRE(box->Append(Event(2, "deny")));
  FakeCentral central;
  std::size_t kept = 0;
  EventSender sender(
      *box, [&](const std::string& b) { return central.Post(b); }, [](int, const std::string&) {},
      [&](std::size_t k, std::size_t lost) { kept += k + lost; });
  auto sent = sender.DrainOnce();
  REQUIRE(sent);
  CHECK(*sent == 2);
  CHECK(central.ids.count("ev-1") == 1);
  CHECK(central.ids.count("ev-2") == 1);
  CHECK(kept == 2);
  CHECK(box->Depth() == 0);
  auto quarantined = staffgate::common::ReadFileCapped(box->QuarantinePath(), 4096);
  REQUIRE(quarantined);
  CHECK(quarantined->find("garbage") != std::string::npos);
  // A batch of nothing but unreadable lines does not stop the ones after it.
  REQUIRE(box->Append("nope"));
  REQUIRE(box->Append(Event(3, "deny")));
  REQUIRE(*sender.DrainOnce() == 1);
  CHECK(central.ids.count("ev-3") == 1);
}

TEST_CASE("workstation token: refused when group or others may read it, as ssh does",
          "[outbox][sync]") {
  TempDir tmp("token");
  const std::string path = tmp.path() + "/ws.token";
  REQUIRE(staffgate::common::WriteFileAtomic(path, "secret-token\n", 0644));
  auto open_token = staffgate::agent::ReadToken(path);
  REQUIRE_FALSE(open_token);
  CHECK(open_token.error().kind == ErrorKind::kPermission);
  CHECK(open_token.error().message.find("too open") != std::string::npos);
  CHECK(open_token.error().message.find("secret-token") == std::string::npos);
  REQUIRE(chmod(path.c_str(), 0600) == 0);
  CHECK(staffgate::agent::ReadToken(path).value() == "secret-token");
}
