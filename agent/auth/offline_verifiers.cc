#include "agent/auth/offline_verifiers.h"

#include <argon2.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "common/file_util.h"
#include "common/json_util.h"
#include "common/unique_fd.h"

namespace staffgate::agent {
namespace {

constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kHashBytes = 32;
constexpr std::size_t kMaxFileBytes = 4096;

common::Result<std::string> HashPassword(const std::string& password) {
  unsigned char salt[kSaltBytes];
  if (getrandom(salt, sizeof(salt), 0) != static_cast<ssize_t>(sizeof(salt))) {
    return common::Fail(common::ErrorKind::kIo, "no random bytes for a salt");
  }
  std::vector<char> encoded(
      argon2_encodedlen(kVerifierPasses, kVerifierMemoryKiB, 1, kSaltBytes, kHashBytes, Argon2_id) +
      1);
  int rc = argon2id_hash_encoded(kVerifierPasses, kVerifierMemoryKiB, 1, password.data(),
                                 password.size(), salt, sizeof(salt), kHashBytes, encoded.data(),
                                 encoded.size());
  if (rc != ARGON2_OK) {
    return common::Fail(common::ErrorKind::kInternal,
                        std::string("argon2id: ") + argon2_error_message(rc));
  }
  return std::string(encoded.data());
}

}  // namespace

bool VerifierStillValid(const VerifierRecord& record, const common::Employee* employee,
                        common::UnixSeconds now) {
  if (employee == nullptr || employee->status != common::EmployeeStatus::kActive) return false;
  if (now >= record.expires_at) return false;
  if (employee->credentials_changed_at) {
    // Changed since the verifier was made, on our clock or the central's.
    if (*employee->credentials_changed_at > record.created_at) return false;
    if (record.changed_at && *employee->credentials_changed_at != *record.changed_at) return false;
  }
  return true;
}

std::string SerializeVerifier(const VerifierRecord& record) {
  common::Json obj = {{"v", 1},
                      {"hash", record.hash},
                      {"created_at", record.created_at},
                      {"expires_at", record.expires_at},
                      {"failures", record.failures}};
  if (record.changed_at) obj["changed_at"] = *record.changed_at;
  return common::DumpJson(obj) + "\n";
}

common::Result<VerifierRecord> ParseVerifier(const std::string& text) {
  auto obj = common::ParseJson(text, common::JsonLimits{kMaxFileBytes, 2});
  if (!obj) return tl::unexpected(obj.error());
  auto bad = [] { return common::Fail(common::ErrorKind::kInvalidInput, "malformed verifier"); };
  if (!obj->is_object()) return bad();
  VerifierRecord record;
  auto hash = obj->find("hash");
  auto created = obj->find("created_at");
  auto expires = obj->find("expires_at");
  auto failures = obj->find("failures");
  if (hash == obj->end() || !hash->is_string() || created == obj->end() ||
      !created->is_number_integer() || expires == obj->end() || !expires->is_number_integer() ||
      failures == obj->end() || !failures->is_number_integer()) {
    return bad();
  }
  record.hash = hash->get<std::string>();
  if (record.hash.rfind("$argon2id$", 0) != 0) return bad();
  record.created_at = created->get<common::UnixSeconds>();
  record.expires_at = expires->get<common::UnixSeconds>();
  record.failures = failures->get<int>();
  if (auto changed = obj->find("changed_at"); changed != obj->end()) {
    if (!changed->is_number_integer()) return bad();
    record.changed_at = changed->get<common::UnixSeconds>();
  }
  return record;
}

OfflineVerifiers::OfflineVerifiers(std::string dir, const common::Clock& clock, common::LogFn log)
    : dir_(std::move(dir)), clock_(clock), log_(std::move(log)) {}

std::string OfflineVerifiers::PathOf(const std::string& account) const {
  return dir_ + "/" + account;
}

common::Result<void> OfflineVerifiers::EnsureDir() {
  if (mkdir(dir_.c_str(), 0700) != 0 && errno != EEXIST) {
    return common::Fail(common::ErrorKind::kIo, "cannot create " + dir_ + ": " + strerror(errno));
  }
  struct stat st {};
  if (lstat(dir_.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
      (st.st_mode & 0077) != 0) {
    return common::Fail(common::ErrorKind::kPermission,
                        dir_ + " must be a directory of the agent's, mode 0700 (not a symlink)");
  }
  return common::Ok();
}

std::optional<VerifierRecord> OfflineVerifiers::Load(const std::string& account) {
  if (!common::IsValidPosixName(account)) return std::nullopt;
  auto text = common::ReadRegularFile(PathOf(account), kMaxFileBytes, /*no_follow=*/true);
  if (!text) {
    if (text.error().kind != common::ErrorKind::kNotFound) {
      log_(LOG_WARNING, "offline verifier: " + text.error().message);
    }
    return std::nullopt;
  }
  auto record = ParseVerifier(*text);
  if (!record) {
    log_(LOG_WARNING, "offline verifier " + PathOf(account) + " is unreadable; deleting it");
    unlink(PathOf(account).c_str());
    return std::nullopt;
  }
  return *record;
}

common::Result<void> OfflineVerifiers::Store(const std::string& account,
                                             const VerifierRecord& record) {
  if (auto dir = EnsureDir(); !dir) return dir;
  return common::WriteFileAtomic(PathOf(account), SerializeVerifier(record), 0600);
}

void OfflineVerifiers::RemoveLocked(const std::string& account, const char* why) {
  if (!common::IsValidPosixName(account)) return;
  if (unlink(PathOf(account).c_str()) == 0) {
    log_(LOG_INFO, "offline verifier of '" + account + "' deleted: " + why);
  }
}

common::Result<void> OfflineVerifiers::Save(const std::string& account, const std::string& password,
                                            common::UnixSeconds expires_at,
                                            std::optional<common::UnixSeconds> changed_at) {
  if (!common::IsValidPosixName(account)) {
    return common::Fail(common::ErrorKind::kInvalidInput,
                        "no offline verifier for an account name unfit for a file name");
  }
  auto hash = HashPassword(password);
  if (!hash) return tl::unexpected(hash.error());
  VerifierRecord record;
  record.hash = std::move(*hash);
  record.created_at = clock_.Now();
  record.expires_at = expires_at;
  record.changed_at = changed_at;
  std::lock_guard<std::mutex> lock(mu_);
  return Store(account, record);
}

OfflineVerifiers::Check OfflineVerifiers::Verify(const std::string& account,
                                                 const std::string& password,
                                                 const common::Employee* employee) {
  std::optional<VerifierRecord> record;
  {
    std::lock_guard<std::mutex> lock(mu_);
    record = Load(account);
    if (!record) return Check::kNone;
    if (!VerifierStillValid(*record, employee, clock_.Now())) {
      RemoveLocked(account, "expired or no longer valid for the roster");
      return Check::kNone;
    }
  }
  const bool match =
      argon2id_verify(record->hash.c_str(), password.data(), password.size()) == ARGON2_OK;
  std::lock_guard<std::mutex> lock(mu_);
  auto current = Load(account);
  if (!current || current->hash != record->hash) return match ? Check::kMatch : Check::kMismatch;
  if (match) {
    if (current->failures != 0) {
      current->failures = 0;
      (void)Store(account, *current);
    }
    return Check::kMatch;
  }
  if (++current->failures >= kMaxOfflineFailures) {
    RemoveLocked(account, "too many wrong passwords offline");
    return Check::kUsedUp;
  }
  if (auto stored = Store(account, *current); !stored) log_(LOG_WARNING, stored.error().message);
  return Check::kMismatch;
}

void OfflineVerifiers::Remove(const std::string& account) {
  std::lock_guard<std::mutex> lock(mu_);
  RemoveLocked(account, "the central no longer vouches for the password");
}

std::size_t OfflineVerifiers::Prune(const common::Roster& roster) {
  std::lock_guard<std::mutex> lock(mu_);
  DIR* dir = opendir(dir_.c_str());
  if (dir == nullptr) return 0;
  std::vector<std::string> names;
  while (dirent* entry = readdir(dir)) {
    std::string name = entry->d_name;
    if (common::IsValidPosixName(name)) names.push_back(std::move(name));
  }
  closedir(dir);
  std::size_t removed = 0;
  const common::UnixSeconds now = clock_.Now();
  for (const auto& account : names) {
    auto record = Load(account);
    if (!record) continue;
    if (!VerifierStillValid(*record, roster.FindEmployee(account), now)) {
      RemoveLocked(account, "no longer active, password changed, or expired");
      ++removed;
    }
  }
  return removed;
}

}  // namespace staffgate::agent
