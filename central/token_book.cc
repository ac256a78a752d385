#include "central/token_book.h"

#include <utility>

#include "central/tokens.h"

namespace staffgate::central {

bool TokenBook::IsAdmin(std::string_view token) const {
  const std::string hash = TokenHash(token);
  std::lock_guard<std::mutex> lock(mu_);
  return !admin_hash_.empty() && ConstantTimeEquals(hash, admin_hash_);
}

void TokenBook::SetAdminHash(std::string hash) {
  std::lock_guard<std::mutex> lock(mu_);
  admin_hash_ = std::move(hash);
}

std::optional<std::string> TokenBook::WorkstationFor(std::string_view token) const {
  if (token.empty()) return std::nullopt;
  const std::string hash = TokenHash(token);
  std::lock_guard<std::mutex> lock(mu_);
  // Keyed by the hash, so a lookup reveals nothing about the token; the
  // final comparison is constant-time all the same.
  auto it = workstation_by_hash_.find(hash);
  if (it == workstation_by_hash_.end() || !ConstantTimeEquals(it->first, hash)) {
    return std::nullopt;
  }
  return it->second;
}

void TokenBook::SetWorkstations(const std::map<std::string, WorkstationRecord>& workstations) {
  std::unordered_map<std::string, std::string> by_hash;
  for (const auto& [name, w] : workstations) by_hash[w.token_hash] = name;
  std::lock_guard<std::mutex> lock(mu_);
  workstation_by_hash_ = std::move(by_hash);
}

}  // namespace staffgate::central
