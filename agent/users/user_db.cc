#include "agent/users/user_db.h"

#include <pwd.h>
#include <shadow.h>
#include <unistd.h>

#include <mutex>
#include <vector>

namespace staffgate::agent {
namespace {

std::mutex& ShadowMutex() {
  static std::mutex mu;
  return mu;
}

}  // namespace

std::optional<uid_t> SystemUserDb::UidOf(const std::string& account) const {
  long hint = sysconf(_SC_GETPW_R_SIZE_MAX);
  std::vector<char> buf(hint > 0 ? static_cast<std::size_t>(hint) : 4096);
  for (int attempt = 0; attempt < 6; ++attempt) {
    struct passwd pw;
    struct passwd* result = nullptr;
    int rc = getpwnam_r(account.c_str(), &pw, buf.data(), buf.size(), &result);
    if (rc == ERANGE) {
      buf.resize(buf.size() * 4);
      continue;
    }
    if (rc != 0 || result == nullptr) return std::nullopt;
    return pw.pw_uid;
  }
  return std::nullopt;
}

std::optional<std::int64_t> SystemUserDb::PasswordChangedDay(const std::string& account) const {
  std::lock_guard<std::mutex> lock(ShadowMutex());
  struct spwd* sp = getspnam(account.c_str());
  if (sp == nullptr) return std::nullopt;
  return static_cast<std::int64_t>(sp->sp_lstchg);
}

std::optional<uid_t> StaticUserDb::UidOf(const std::string& account) const {
  auto it = entries_.find(account);
  if (it == entries_.end()) return std::nullopt;
  return it->second.uid;
}

std::optional<std::int64_t> StaticUserDb::PasswordChangedDay(const std::string& account) const {
  auto it = entries_.find(account);
  if (it == entries_.end()) return std::nullopt;
  return it->second.changed_day;
}

}  // namespace staffgate::agent
