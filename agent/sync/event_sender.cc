#include "agent/sync/event_sender.h"

#include <syslog.h>

#include <algorithm>

#include "common/thread.h"

namespace staffgate::agent {
namespace {

constexpr std::size_t kBatchEvents = 500;
constexpr std::size_t kBatchBytes = 256UL * 1024;
constexpr long kMaxRetryAfterS = 3600;
constexpr long kDefaultRetryAfterS = 60;

// 429 and 507: the central keeps nothing of the batch and names when to
// come back.
bool IsHoldBack(long status) { return status == 429 || status == 507; }

}  // namespace

EventSender::EventSender(EventOutbox& outbox, PostEventsFn post, common::LogFn log,
                         QuarantineFn quarantined)
    : outbox_(outbox),
      post_(std::move(post)),
      log_(std::move(log)),
      quarantined_(std::move(quarantined)),
      backoff_(
          std::chrono::seconds(1), std::chrono::seconds(60),
          static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count())) {
}

EventSender::~EventSender() { Stop(); }

void EventSender::Start() {
  stop_ = false;
  thread_ = common::StartGuardedThread("event-sender", log_, [this] { Run(); });
}

void EventSender::Stop() {
  stop_ = true;
  Notify();
  if (thread_.joinable()) thread_.join();
}

void EventSender::Notify() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    pending_ = true;
  }
  cv_.notify_all();
}

std::optional<std::chrono::seconds> EventSender::RetryAfter() const {
  long s = retry_after_s_.load();
  if (s <= 0) return std::nullopt;
  return std::chrono::seconds(s);
}

common::Result<std::size_t> EventSender::DrainOnce() {
  retry_after_s_ = 0;
  std::size_t delivered = 0;
  while (!stop_) {
    auto batch = outbox_.Peek(kBatchEvents, kBatchBytes);
    if (!batch) return tl::unexpected(batch.error());
    if ((batch->quarantined > 0 || batch->quarantine_failed > 0) && quarantined_) {
      quarantined_(batch->quarantined, batch->quarantine_failed);
    }
    if (batch->events.empty()) {
      // Only unreadable or oversized lines, which Peek skipped: record the
      // progress and go on with the lines after them.
      if (batch->end_offset <= batch->start_offset) return delivered;
      auto acked = outbox_.Ack(*batch);
      if (!acked) return tl::unexpected(acked.error());
      continue;
    }
    std::string body = "[";
    for (std::size_t i = 0; i < batch->events.size(); ++i) {
      if (i != 0U) body += ',';
      body += batch->events[i];
    }
    body += ']';
    auto reply = post_(body);
    if (!reply) return tl::unexpected(reply.error());
    const long status = reply->status;
    if (IsHoldBack(status)) {
      retry_after_s_ =
          std::clamp(reply->retry_after_s.value_or(kDefaultRetryAfterS), 1L, kMaxRetryAfterS);
      return common::Fail(common::ErrorKind::kUnavailable,
                          "the central answered HTTP " + std::to_string(status) +
                              (status == 429 ? " (over this workstation's event quota)"
                                             : " (its event store is full)") +
                              "; the events stay in the outbox and are sent again in " +
                              std::to_string(retry_after_s_.load()) + " s");
    }
    if (status != 202 && status != 200) {
      return common::Fail(
          status == 401 ? common::ErrorKind::kPermission : common::ErrorKind::kUnavailable,
          "the central answered HTTP " + std::to_string(status) + " to a batch of events");
    }
    auto acked = outbox_.Ack(*batch);
    if (!acked) return tl::unexpected(acked.error());
    delivered += batch->events.size();
  }
  return delivered;
}

void EventSender::Run() {
  std::string last_error;
  while (!stop_) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      // Wake at least every 2 s: appends from other processes' paths and
      // retries of a small backlog need no explicit notification.
      cv_.wait_for(lock, std::chrono::seconds(2), [this] { return pending_ || stop_.load(); });
      // Linger a second so a burst of logins becomes one batch: each batch
      // is one fsynced commit at the central, under the store lock that
      // admin changes take too (lease answers never wait for that lock).
      if (pending_ && !stop_) {
        cv_.wait_for(lock, std::chrono::seconds(1), [this] { return stop_.load(); });
      }
      pending_ = false;
    }
    if (stop_) break;
    auto sent = DrainOnce();
    if (sent) {
      backoff_.Reset();
      if (!last_error.empty()) log_(LOG_NOTICE, "audit events reach the central again");
      last_error.clear();
      continue;
    }
    // The central's Retry-After, when it gave one, replaces the backoff:
    // sooner would only be refused again.
    std::chrono::milliseconds delay = backoff_.Next();
    if (auto wait = RetryAfter()) delay = *wait;
    if (sent.error().message != last_error) {
      log_(LOG_WARNING,
           "cannot deliver audit events (kept in the outbox): " + sent.error().message);
    }
    last_error = sent.error().message;
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, delay, [this] { return stop_.load(); });
  }
}

}  // namespace staffgate::agent
