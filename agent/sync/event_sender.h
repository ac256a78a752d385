// Delivers the outbox to the central (POST /v1/events) in batches, on its
// own thread. A batch leaves the outbox only after HTTP 202; any failure
// backs off with jitter and the same events (same ids) are tried again.
// A 429 (over this workstation's event quota) or 507 (event store full)
// keeps the batch and waits the central's Retry-After before the next try
// (docs/design.md §13), so a flood never turns into a storm of refusals.
#ifndef STAFFGATE_AGENT_SYNC_EVENT_SENDER_H_
#define STAFFGATE_AGENT_SYNC_EVENT_SENDER_H_

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "agent/sync/backoff.h"
#include "agent/sync/event_outbox.h"
#include "common/log.h"
#include "common/result.h"

namespace staffgate::agent {

// The central's answer to one batch.
struct PostReply {
  PostReply(long status_code, std::optional<long> retry_after = std::nullopt)  // NOLINT
      : status(status_code), retry_after_s(retry_after) {}
  long status = 0;
  std::optional<long> retry_after_s;  // Retry-After, in seconds, when sent.
};

// Posts one JSON array of events. Injected so the sender is tested without
// a network.
using PostEventsFn = std::function<common::Result<PostReply>(const std::string& json_array)>;
// Told about outbox lines moved aside as unreadable (EventOutbox::Peek):
// how many were kept in quarantine and how many could not be. May be empty.
using QuarantineFn = std::function<void(std::size_t kept, std::size_t lost)>;

class EventSender {
 public:
  EventSender(EventOutbox& outbox, PostEventsFn post, common::LogFn log,
              QuarantineFn quarantined = {});
  ~EventSender();
  EventSender(const EventSender&) = delete;
  EventSender& operator=(const EventSender&) = delete;

  void Start();
  void Stop();
  // New events were appended: send soon.
  void Notify();
  // Sends batches until the outbox is empty or a batch fails. Returns the
  // number of events delivered, or the failure. Used by the thread and tests.
  common::Result<std::size_t> DrainOnce();
  // After a DrainOnce that failed on 429 or 507: the wait the central asked
  // for (Retry-After, clamped to 1 s..1 h; 60 s when it named none).
  // Nullopt after any other outcome.
  std::optional<std::chrono::seconds> RetryAfter() const;

 private:
  void Run();

  EventOutbox& outbox_;
  PostEventsFn post_;
  common::LogFn log_;
  QuarantineFn quarantined_;
  Backoff backoff_;
  std::atomic<long> retry_after_s_{0};  // 0: none.
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  bool pending_ = true;
  std::thread thread_;
};

}  // namespace staffgate::agent

#endif  // STAFFGATE_AGENT_SYNC_EVENT_SENDER_H_
