#include "agent/audit/decision_coalescer.h"

#include <limits>

#include "common/time_util.h"

namespace staffgate::agent {
namespace {

// Expired windows are swept at most this often from Admit, so a flood of
// distinct keys does not pay for a scan per event.
constexpr std::int64_t kSweepEveryMs = 1000;

}  // namespace

std::string DecisionCoalescer::KeyOf(const AuditEvent& event) {
  std::string key;
  for (const std::string* part : {&event.account, &event.phase, &event.service, &event.decision,
                                  &event.reason, &event.workstation}) {
    key += *part;
    key += '\0';
  }
  return key;
}

void DecisionCoalescer::Summarise(const Window& window, std::vector<AuditEvent>& out) {
  if (window.repeats == 0) return;
  AuditEvent summary = window.last;
  summary.id.clear();  // A new event: the sink gives it its own id.
  summary.count = window.repeats;
  summary.detail = "repeated " + std::to_string(window.repeats) + " time(s) from " +
                   common::FormatRfc3339Ms(window.first_ms) + " to " +
                   common::FormatRfc3339Ms(window.last.time_ms) +
                   " (identical decisions are counted, not repeated)";
  out.push_back(std::move(summary));
}

std::vector<AuditEvent> DecisionCoalescer::Admit(const AuditEvent& event) {
  std::vector<AuditEvent> out;
  if (event.type != AuditType::kDecision) {
    out.push_back(event);
    return out;
  }
  if (event.time_ms - last_sweep_ms_ >= kSweepEveryMs) out = Flush(event.time_ms);
  std::string key = KeyOf(event);
  auto it = windows_.find(key);
  if (it != windows_.end() && event.time_ms - it->second.first_ms < options_.window_ms) {
    if (it->second.recorded < options_.burst) {
      ++it->second.recorded;
      out.push_back(event);
      return out;
    }
    ++it->second.repeats;
    it->second.last = event;
    return out;
  }
  if (it != windows_.end()) {
    Summarise(it->second, out);
    windows_.erase(it);
  }
  if (windows_.size() < options_.max_keys)
    windows_.emplace(std::move(key), Window{event.time_ms, 1, 0, event});
  out.push_back(event);
  return out;
}

std::vector<AuditEvent> DecisionCoalescer::Flush(std::int64_t now_ms) {
  std::vector<AuditEvent> out;
  const bool all = now_ms == std::numeric_limits<std::int64_t>::max();
  if (!all) last_sweep_ms_ = now_ms;
  for (auto it = windows_.begin(); it != windows_.end();) {
    if (all || now_ms - it->second.first_ms >= options_.window_ms) {
      Summarise(it->second, out);
      it = windows_.erase(it);
    } else {
      ++it;
    }
  }
  return out;
}

}  // namespace staffgate::agent
