#include "agent/audit/audit_log.h"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "common/time_util.h"

namespace staffgate::agent {
namespace {

void MakeParentDirs(const std::string& path) {
  for (std::size_t pos = path.find('/', 1); pos != std::string::npos;
       pos = path.find('/', pos + 1)) {
    mkdir(path.substr(0, pos).c_str(), 0750);  // EEXIST is fine.
  }
}

}  // namespace

std::string_view AuditTypeName(AuditType type) {
  switch (type) {
    case AuditType::kDecision:
      return "decision";
    case AuditType::kSessionOpen:
      return "session_open";
    case AuditType::kSessionClose:
      return "session_close";
    case AuditType::kSessionsTerminated:
      return "sessions_terminated";
    case AuditType::kRosterInstalled:
      return "roster_installed";
    case AuditType::kRosterRejected:
      return "roster_rejected";
    case AuditType::kAgentStart:
      return "agent_start";
    case AuditType::kAgentStop:
      return "agent_stop";
    case AuditType::kConfigReloaded:
      return "config_reloaded";
    case AuditType::kLeaseAcquired:
      return "lease_acquired";
    case AuditType::kLeaseRefused:
      return "lease_refused";
    case AuditType::kLeaseUnverified:
      return "lease_unverified";
    case AuditType::kLeaseLost:
      return "lease_lost";
    case AuditType::kLeaseReleased:
      return "lease_released";
    case AuditType::kNssIdentitySkipped:
      return "nss_identity_skipped";
    case AuditType::kAuditLost:
      return "audit_lost";
    case AuditType::kRosterNotSaved:
      return "roster_not_saved";
    case AuditType::kOutboxQuarantine:
      return "outbox_quarantine";
    case AuditType::kAuthenticate:
      return "authenticate";
    case AuditType::kChauthtok:
      return "chauthtok";
    case AuditType::kPasswordChanged:
      return "password_changed";
  }
  return "decision";
}

common::Json AuditEvent::ToJson() const {
  common::Json obj = {{"id", id},
                      {"time", common::FormatRfc3339Ms(time_ms)},
                      {"workstation", workstation},
                      {"type", AuditTypeName(type)}};
  for (auto [key, value] :
       {std::pair{"account", &account}, std::pair{"phase", &phase}, std::pair{"service", &service},
        std::pair{"tty", &tty}, std::pair{"rhost", &rhost}, std::pair{"decision", &decision},
        std::pair{"reason", &reason}, std::pair{"detail", &detail}}) {
    if (!value->empty()) obj[key] = *value;
  }
  if (serial) obj["serial"] = *serial;
  if (count) obj["count"] = *count;
  return obj;
}

std::string NewEventId() {
  // Random bytes are fetched 512 at a time per thread: one getrandom(2)
  // per event was a fifth of the system calls of a decision. The agent
  // never forks, so no two processes can share a pool.
  thread_local unsigned char pool[512];
  thread_local std::size_t used = sizeof(pool);
  if (used + 16 > sizeof(pool)) {
    std::size_t got = 0;
    while (got < sizeof(pool)) {
      ssize_t n = getrandom(pool + got, sizeof(pool) - got, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;  // Cannot happen on Linux >= 3.17 after boot.
      got += static_cast<std::size_t>(n);
    }
    used = 0;
  }
  unsigned char b[16];
  std::memcpy(b, pool + used, sizeof(b));
  used += sizeof(b);
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);
  char out[37];
  (void)std::snprintf(out, sizeof(out),
                      "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
                      b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
                      b[13], b[14], b[15]);
  return out;
}

AuditLog::AuditLog(std::string path, common::LogFn log)
    : path_(std::move(path)), log_(std::move(log)) {}

AuditLog::~AuditLog() = default;

common::Result<void> AuditLog::OpenLocked() {
  MakeParentDirs(path_);
  fd_.Reset(
      open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0640));
  if (!fd_) {
    return common::Fail(common::ErrorKind::kIo,
                        "cannot open audit log " + path_ + ": " + strerror(errno));
  }
  return common::Ok();
}

common::Result<void> AuditLog::Open() {
  std::lock_guard<std::mutex> lock(mu_);
  return OpenLocked();
}

common::Result<void> AuditLog::Reopen(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  path_ = path;
  return OpenLocked();
}

void AuditLog::Record(const AuditEvent& event) {
  std::string line;
  if (event.id.empty()) {
    AuditEvent copy = event;
    copy.id = NewEventId();
    line = common::DumpJson(copy.ToJson());
  } else {
    line = common::DumpJson(event.ToJson());
  }
  auto appended = AppendLine(std::move(line));
  if (appended) return;
  std::lock_guard<std::mutex> lock(mu_);
  // The first loss and then every 1000th, so a full disk does not also
  // flood the journal.
  if (failures_++ % 1000 == 0 && log_) {
    log_(LOG_ERR, "audit event lost (" + std::to_string(failures_) +
                      " so far): " + appended.error().message);
  }
}

common::Result<void> AuditLog::AppendLine(std::string line) {
  line += '\n';
  std::lock_guard<std::mutex> lock(mu_);
  if (!fd_) return common::Fail(common::ErrorKind::kIo, "audit log " + path_ + " is not open");
  // O_APPEND makes each line one atomic append, also against other writers.
  ssize_t n = write(fd_.get(), line.data(), line.size());
  if (n == static_cast<ssize_t>(line.size())) return common::Ok();
  const int saved = n < 0 ? errno : ENOSPC;
  return common::Fail(common::ErrorKind::kIo,
                      "cannot write to audit log " + path_ + ": " + strerror(saved));
}

}  // namespace staffgate::agent
