#include "central/admins/console_sessions.h"

#include <algorithm>

#include "central/tokens.h"

namespace staffgate::central {

bool ConsoleSessions::FormTokenMatches(const ConsoleSession& session, const std::string& token) {
  return !session.form_token.empty() && ConstantTimeEquals(session.form_token, token);
}

std::string ConsoleSessions::FormTokenOf(const std::string& id) {
  // Another hash than the stored TokenHash(id): the form token, which pages
  // carry, never opens the session, and the table never holds it.
  return TokenHash("staffgate console form token\n" + id);
}

bool ConsoleSessions::Expired(const ConsoleSession& s, common::UnixSeconds now,
                              const SessionLimits& limits) {
  return now - s.last_seen >= limits.idle_s || now - s.created_at >= limits.absolute_s;
}

common::Result<NewConsoleSession> ConsoleSessions::Create(const std::string& name, Role role,
                                                          bool must_change_password,
                                                          const std::string& replacing) {
  auto id = NewToken();
  if (!id) return tl::unexpected(id.error());
  const common::UnixSeconds now = clock_.Now();
  NewConsoleSession out;
  out.id = std::move(*id);
  out.session = ConsoleSession{name, role, FormTokenOf(out.id), now, now, must_change_password};
  const std::string replaced = replacing.empty() ? "" : TokenHash(replacing);
  if (auto kept = Keep(TokenHash(out.id), out.session, replaced, now); !kept) {
    return tl::unexpected(kept.error());
  }
  return out;
}

std::optional<ConsoleSession> ConsoleSessions::Find(const std::string& id) {
  if (id.empty()) return std::nullopt;
  std::optional<ConsoleSession> session = Load(TokenHash(id), clock_.Now());
  if (session) session->form_token = FormTokenOf(id);
  return session;
}

common::Result<void> ConsoleSessions::End(const std::string& id) { return Forget(TokenHash(id)); }

common::Result<void> MemoryConsoleSessions::Keep(const std::string& hash,
                                                 const ConsoleSession& session,
                                                 const std::string& replacing,
                                                 common::UnixSeconds now) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!replacing.empty()) by_hash_.erase(replacing);
  std::erase_if(by_hash_, [&](const auto& item) { return Expired(item.second, now, limits()); });
  if (by_hash_.size() >= limits().max_sessions && !by_hash_.empty()) {
    auto oldest = std::min_element(
        by_hash_.begin(), by_hash_.end(),
        [](const auto& a, const auto& b) { return a.second.created_at < b.second.created_at; });
    by_hash_.erase(oldest);
  }
  ConsoleSession& kept = by_hash_[hash] = session;
  kept.form_token.clear();  // Find derives it from the id.
  return common::Ok();
}

std::optional<ConsoleSession> MemoryConsoleSessions::Load(const std::string& hash,
                                                          common::UnixSeconds now) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = by_hash_.find(hash);
  if (it == by_hash_.end()) return std::nullopt;
  if (Expired(it->second, now, limits())) {
    by_hash_.erase(it);
    return std::nullopt;
  }
  it->second.last_seen = now;
  return it->second;
}

common::Result<void> MemoryConsoleSessions::Forget(const std::string& hash) {
  std::lock_guard<std::mutex> lock(mu_);
  by_hash_.erase(hash);
  return common::Ok();
}

void MemoryConsoleSessions::EndAllOf(const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  std::erase_if(by_hash_, [&](const auto& item) { return item.second.name == name; });
}

std::size_t MemoryConsoleSessions::Size() {
  std::lock_guard<std::mutex> lock(mu_);
  return by_hash_.size();
}

}  // namespace staffgate::central
