// Identical decisions counted, not repeated (docs/design.md §13): a user
// who asks `check` for her own account a million times must not make a
// million audit events, locally or at the central.
//
// Two `decision` events are identical when their account, phase, service,
// decision, reason and workstation are equal. The first `burst` of a
// window are recorded at once, each on its own (a person retrying a login
// is never summarised, and a crash loses nothing of it); the identical
// ones that follow within `window_ms` are only counted. When the window
// ends, one summary is recorded: the last of them, with `count` (how many
// were counted) and `detail` saying so. Counts not yet summarised are
// lost if the agent is killed (never on a clean stop, which flushes
// them). Other event types pass through.
//
// Memory is bounded: past `max_keys` open windows, further distinct
// decisions pass through uncounted (they are not identical, so a flood of
// them is bounded by the caller rules and the central's quota).
//
// Thread-compatible: the owner (AuditFanout) serialises calls.
#ifndef STAFFGATE_AGENT_AUDIT_DECISION_COALESCER_H_
#define STAFFGATE_AGENT_AUDIT_DECISION_COALESCER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "agent/audit/audit_log.h"

namespace staffgate::agent {

class DecisionCoalescer {
 public:
  struct Options {
    std::int64_t window_ms = 60'000;
    std::size_t max_keys = 4096;
    std::uint64_t burst = 10;  // Recorded one by one before counting starts.
  };
  DecisionCoalescer() : DecisionCoalescer(Options{}) {}
  explicit DecisionCoalescer(Options options) : options_(options) {}

  // The events to record now, in order, for `event` (stamped with its
  // time): nothing when it is counted; else summaries of windows it closes,
  // then the event itself.
  std::vector<AuditEvent> Admit(const AuditEvent& event);
  // Summaries of the windows that ended by `now_ms` (every window when
  // now_ms is INT64_MAX, as at shutdown).
  std::vector<AuditEvent> Flush(std::int64_t now_ms);
  std::size_t OpenWindows() const { return windows_.size(); }

 private:
  struct Window {
    std::int64_t first_ms = 0;
    std::uint64_t recorded = 1;  // Recorded one by one so far.
    std::uint64_t repeats = 0;   // Counted, not yet recorded.
    AuditEvent last;             // The latest counted one.
  };
  static std::string KeyOf(const AuditEvent& event);
  // The summary of `window`, or nothing when it counted none.
  static void Summarise(const Window& window, std::vector<AuditEvent>& out);

  Options options_;
  std::unordered_map<std::string, Window> windows_;
  std::int64_t last_sweep_ms_ = 0;
};

}  // namespace staffgate::agent

#endif  // STAFFGATE_AGENT_AUDIT_DECISION_COALESCER_H_
