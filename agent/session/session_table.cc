#include "agent/session/session_table.h"

#include <algorithm>

namespace staffgate::agent {

SessionTable::OpenResult SessionTable::CheckLocked(const SessionInfo& info) const {
  auto it = sessions_.find(info.id);
  if (it != sessions_.end()) {
    const SessionInfo& held = it->second;
    const bool same = held.opener_uid == info.opener_uid && held.account == info.account;
    return same ? OpenResult::kOpened : OpenResult::kIdTaken;
  }
  if (sessions_.size() >= limits_.max_sessions) return OpenResult::kFull;
  if (info.opener_uid == 0) return OpenResult::kOpened;
  const std::size_t reserve = std::min(limits_.root_reserve, limits_.max_sessions / 2);
  if (non_root_ >= limits_.max_sessions - reserve) return OpenResult::kFull;
  auto mine = by_opener_.find(info.opener_uid);
  if (mine != by_opener_.end() && mine->second >= limits_.per_uid) return OpenResult::kUidFull;
  return OpenResult::kOpened;
}

SessionTable::OpenResult SessionTable::CanOpen(const SessionInfo& info) const {
  std::lock_guard<std::mutex> lock(mu_);
  return CheckLocked(info);
}

SessionTable::OpenResult SessionTable::Open(const SessionInfo& info) {
  std::lock_guard<std::mutex> lock(mu_);
  const OpenResult result = CheckLocked(info);
  if (result != OpenResult::kOpened) return result;
  ++version_;
  auto [it, added] = sessions_.insert_or_assign(info.id, info);
  if (added && info.opener_uid != 0) {
    ++by_opener_[info.opener_uid];
    ++non_root_;
  }
  return result;
}

std::optional<SessionInfo> SessionTable::Close(const std::string& id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return std::nullopt;
  ++version_;
  SessionInfo info = std::move(it->second);
  sessions_.erase(it);
  if (info.opener_uid != 0) {
    --non_root_;
    auto mine = by_opener_.find(info.opener_uid);
    if (mine != by_opener_.end() && --mine->second == 0) by_opener_.erase(mine);
  }
  return info;
}

std::optional<SessionInfo> SessionTable::Find(const std::string& id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return std::nullopt;
  return it->second;
}

std::vector<SessionInfo> SessionTable::List() const {
  std::vector<SessionInfo> out;
  {
    std::lock_guard<std::mutex> lock(mu_);
    out.reserve(sessions_.size());
    for (const auto& [id, info] : sessions_) out.push_back(info);
  }
  std::stable_sort(out.begin(), out.end(), [](const SessionInfo& a, const SessionInfo& b) {
    return a.opened_at < b.opened_at;
  });
  return out;
}

std::size_t SessionTable::Size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return sessions_.size();
}

std::uint64_t SessionTable::Version() const {
  std::lock_guard<std::mutex> lock(mu_);
  return version_;
}

std::size_t SessionTable::CountFor(const std::string& account) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::size_t n = 0;
  for (const auto& [id, info] : sessions_) n += info.account == account ? 1 : 0;
  return n;
}

const char* OpenResultText(SessionTable::OpenResult result) {
  switch (result) {
    case SessionTable::OpenResult::kOpened:
      return "recorded";
    case SessionTable::OpenResult::kIdTaken:
      return "the session id is already in use";
    case SessionTable::OpenResult::kUidFull:
      return "too many open sessions for this user";
    case SessionTable::OpenResult::kFull:
      return "the session table is full";
  }
  return "refused";
}

}  // namespace staffgate::agent
