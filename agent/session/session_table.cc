#include "agent/session/session_table.h"

#include <algorithm>

namespace staffgate::agent {

bool SessionTable::Open(const SessionInfo& info) {
  std::lock_guard<std::mutex> lock(mu_);
  ++version_;
  auto it = sessions_.find(info.id);
  if (it != sessions_.end()) {
    it->second = info;
    return true;
  }
  if (sessions_.size() >= max_sessions_) return false;
  sessions_.emplace(info.id, info);
  return true;
}

std::optional<SessionInfo> SessionTable::Close(const std::string& id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return std::nullopt;
  ++version_;
  SessionInfo info = std::move(it->second);
  sessions_.erase(it);
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

}  // namespace staffgate::agent
