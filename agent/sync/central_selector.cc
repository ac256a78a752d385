#include "agent/sync/central_selector.h"

#include <syslog.h>

#include <algorithm>

#include "agent/sync/roster_fetcher.h"

namespace staffgate::agent {

CentralSelector::CentralSelector(std::vector<std::string> urls, const common::Clock& clock,
                                 common::LogFn log, std::uint64_t seed)
    : clock_(clock), log_(std::move(log)) {
  entries_.reserve(urls.size());
  for (auto& url : urls) {
    // Each central its own jitter, so two dead ones are not retried in step.
    entries_.push_back(Entry{
        TrimSlashes(std::move(url)), false, 0, 0, {}, Backoff(kRetryFloor, kRetryCeiling, seed)});
    ++seed;
  }
}

std::size_t CentralSelector::ActiveLocked(std::int64_t now_ms) const {
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    if (!entries_[i].down) return i;
  }
  // All down: the first one whose retry is due, else the one due soonest.
  std::size_t best = 0;
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    if (entries_[i].retry_at_ms <= now_ms) return i;
    if (entries_[i].retry_at_ms < entries_[best].retry_at_ms) best = i;
  }
  return best;
}

CentralChoice CentralSelector::Active() const {
  std::lock_guard<std::mutex> lock(mu_);
  if (entries_.empty()) return {};
  const std::size_t i = ActiveLocked(clock_.NowMs());
  return CentralChoice{i, entries_[i].url, entries_[i].down};
}

void CentralSelector::NoteSwitch(std::size_t before, std::int64_t now_ms) const {
  const std::size_t after = ActiveLocked(now_ms);
  if (after == before || !log_ || entries_.size() < 2) return;
  const Entry& old = entries_[before];
  const Entry& fresh = entries_[after];
  if (fresh.down) return;  // Every central is down: nothing to announce.
  std::string why = old.down ? " (" + old.url + " is down: " + old.last_error + ")"
                             : " (" + fresh.url + " answers again)";
  log_(LOG_NOTICE, "now using the central at " + fresh.url + why);
}

void CentralSelector::Succeeded(std::size_t index) {
  std::lock_guard<std::mutex> lock(mu_);
  if (index >= entries_.size()) return;
  Entry& e = entries_[index];
  if (!e.down) return;
  const std::int64_t now = clock_.NowMs();
  const std::size_t before = ActiveLocked(now);
  e.down = false;
  e.down_since_ms = 0;
  e.retry_at_ms = 0;
  e.last_error.clear();
  e.backoff.Reset();
  NoteSwitch(before, now);
}

bool CentralSelector::Failed(std::size_t index, const std::string& error) {
  std::lock_guard<std::mutex> lock(mu_);
  if (index >= entries_.size()) return false;
  const std::int64_t now = clock_.NowMs();
  const std::size_t before = ActiveLocked(now);
  Entry& e = entries_[index];
  if (!e.down) {
    e.down = true;
    e.down_since_ms = now;
    if (log_ && entries_.size() > 1) log_(LOG_WARNING, "central " + e.url + " is down: " + error);
  }
  e.last_error = error;
  e.retry_at_ms = now + e.backoff.Next().count();
  NoteSwitch(before, now);
  const std::size_t after = ActiveLocked(now);
  return after != before && !entries_[after].down;
}

std::optional<CentralChoice> CentralSelector::DueProbe() const {
  std::lock_guard<std::mutex> lock(mu_);
  const std::int64_t now = clock_.NowMs();
  const std::size_t active = ActiveLocked(now);
  for (std::size_t i = 0; i < active; ++i) {
    const Entry& e = entries_[i];
    if (e.down && e.retry_at_ms <= now) return CentralChoice{i, e.url, true};
  }
  return std::nullopt;
}

std::optional<CentralSelector::Ms> CentralSelector::UntilProbe() const {
  std::lock_guard<std::mutex> lock(mu_);
  const std::int64_t now = clock_.NowMs();
  const std::size_t active = ActiveLocked(now);
  std::optional<std::int64_t> soonest;
  for (std::size_t i = 0; i < active; ++i) {
    const std::int64_t at = entries_[i].retry_at_ms;
    if (!soonest || at < *soonest) soonest = at;
  }
  if (!soonest) return std::nullopt;
  return Ms(std::max<std::int64_t>(0, *soonest - now));
}

std::vector<CentralState> CentralSelector::States() const {
  std::lock_guard<std::mutex> lock(mu_);
  const std::size_t active = ActiveLocked(clock_.NowMs());
  std::vector<CentralState> out;
  out.reserve(entries_.size());
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    const Entry& e = entries_[i];
    out.push_back(CentralState{e.url, i == active, e.down, e.down_since_ms, e.last_error});
  }
  return out;
}

}  // namespace staffgate::agent
