// Delivers the outbox to the central (POST /v1/events) in batches, on its
// own thread. A batch leaves the outbox only after HTTP 202; any failure
// backs off with jitter and the same events (same ids) are tried again.
#ifndef STAFFGATE_AGENT_SYNC_EVENT_SENDER_H_
#define STAFFGATE_AGENT_SYNC_EVENT_SENDER_H_

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "agent/sync/backoff.h"
#include "agent/sync/event_outbox.h"
#include "common/log.h"
#include "common/result.h"

namespace staffgate::agent {

// Posts one JSON array of events; returns the HTTP status. Injected so the
// sender is tested without a network.
using PostEventsFn = std::function<common::Result<long>(const std::string& json_array)>;

class EventSender {
 public:
  EventSender(EventOutbox& outbox, PostEventsFn post, common::LogFn log);
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

 private:
  void Run();

  EventOutbox& outbox_;
  PostEventsFn post_;
  common::LogFn log_;
  Backoff backoff_;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  bool pending_ = true;
  std::thread thread_;
};

}  // namespace staffgate::agent

#endif  // STAFFGATE_AGENT_SYNC_EVENT_SENDER_H_
