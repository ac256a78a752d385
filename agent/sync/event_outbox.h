// A durable queue of audit events waiting for the central (docs/design.md §7:
// <state_dir>/outbox/). Events are JSON lines appended to segment files;
// the sender reads from the oldest segment and records how far the central
// has acknowledged (HTTP 202) in a small offset file, written atomically.
//
// Guarantees:
//  - An event appended before a crash (kill -9) is sent after restart:
//    appends are plain write(2)s, which survive the death of the process.
//  - An event is removed only after the central acknowledged it; a crash
//    between the 202 and the offset update resends it with the same id,
//    which the central ignores (events are idempotent by id).
//  - Size cap: past `max_bytes`, the oldest closed segments are rewritten
//    without their "allow" events (logged once, counted in Dropped());
//    denials are never dropped.
//  - A line that is not one JSON event object with an "id" (a damaged
//    segment) never blocks the lines after it: Peek moves it to
//    <dir>/quarantine.jsonl and reports it in OutboxBatch::quarantined.
//  - Files are opened O_NOFOLLOW: a symlink planted in the directory is
//    refused, never written through.
//
// Thread-safe: Append may be called from any thread concurrently with the
// sender's Peek/Ack.
#ifndef STAFFGATE_AGENT_SYNC_EVENT_OUTBOX_H_
#define STAFFGATE_AGENT_SYNC_EVENT_OUTBOX_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/log.h"
#include "common/result.h"
#include "common/unique_fd.h"

namespace staffgate::agent {

struct OutboxBatch {
  std::uint64_t segment = 0;
  std::uint64_t end_offset = 0;     // Offset just after the last line taken.
  std::vector<std::string> events;  // Complete JSON lines, without newline.
  // Lines skipped as unreadable, moved to quarantine.jsonl (or, when even
  // that failed, lost: quarantine_failed counts those).
  std::size_t quarantined = 0;
  std::size_t quarantine_failed = 0;
  std::uint64_t start_offset = 0;  // Where this batch began in the segment.
};

class EventOutbox {
 public:
  struct Options {
    std::string dir;                      // <state_dir>/outbox
    std::size_t segment_bytes = 1 << 20;  // Rotate the active segment past this.
    std::size_t max_bytes = 64U << 20;    // Cap before allow events are dropped.
  };

  // Creates the directory (0700), drops an incomplete last line left by a
  // crash mid-append. Errors: kIo.
  static common::Result<std::unique_ptr<EventOutbox>> Open(Options options, common::LogFn log);

  // Appends one event (a JSON object on one line, no newline inside).
  // Errors: kIo (disk full: the caller logs; the decision is still answered).
  ~EventOutbox();
  EventOutbox(const EventOutbox&) = delete;
  EventOutbox& operator=(const EventOutbox&) = delete;

  common::Result<void> Append(const std::string& event_json);

  // Up to `max_events` unacknowledged events from the oldest segment (empty
  // when there are none). Does not remove anything.
  common::Result<OutboxBatch> Peek(std::size_t max_events, std::size_t max_bytes);
  // Marks everything up to batch.end_offset of batch.segment as delivered.
  common::Result<void> Ack(const OutboxBatch& batch);

  // Events not yet acknowledged (counted by lines; O(size) — for status,
  // read without blocking Append).
  std::size_t Depth();
  std::size_t Bytes();
  // Allow events dropped by the size cap since Open.
  std::uint64_t Dropped();
  std::string QuarantinePath() const { return options_.dir + "/quarantine.jsonl"; }

 private:
  EventOutbox(Options options, common::LogFn log)
      : options_(std::move(options)), log_(std::move(log)) {}
  common::Result<void> Load();
  std::string SegmentPath(std::uint64_t n) const;
  std::string AckPath(std::uint64_t n) const;
  std::uint64_t ReadAck(std::uint64_t n) const;
  void EnforceCapLocked();
  // Bytes written and not yet acknowledged, over every segment. Needs mu_.
  std::size_t PendingBytesLocked() const;
  // Splits `data` (from `start` in the segment) into batch.events, moving
  // unreadable lines to the quarantine file.
  void TakeLines(const std::string& data, std::uint64_t start, std::size_t max_events,
                 OutboxBatch& batch);
  bool Quarantine(std::string_view line);

  Options options_;
  common::LogFn log_;
  std::mutex mu_;
  std::vector<std::uint64_t> segments_;  // Ascending; last is active.
  common::UniqueFd active_fd_;
  std::size_t active_size_ = 0;
  bool cap_logged_ = false;
  std::uint64_t dropped_ = 0;
};

}  // namespace staffgate::agent

#endif  // STAFFGATE_AGENT_SYNC_EVENT_OUTBOX_H_
