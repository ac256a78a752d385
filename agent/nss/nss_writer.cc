#include "agent/nss/nss_writer.h"

#include <sys/stat.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/file_util.h"

namespace staffgate::agent {
namespace {

constexpr char kNscdSocket[] = "/var/run/nscd/socket";  // nscd and unscd alike.

common::Result<void> EnsureDirectory(const std::string& dir) {
  if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
    return common::Fail(common::ErrorKind::kIo,
                        "cannot create " + dir + ": " + std::strerror(errno));
  }
  // Readable by every process that resolves a user.
  if (chmod(dir.c_str(), 0755) != 0) {
    return common::Fail(common::ErrorKind::kIo,
                        "cannot chmod " + dir + ": " + std::strerror(errno));
  }
  return common::Ok();
}

}  // namespace

std::string NssSnapshotPath(const std::string& state_dir) { return state_dir + "/nss/db"; }

void InvalidateNscdCaches() {
  if (access(kNscdSocket, F_OK) != 0) return;
  static const char* const kCandidates[] = {"/usr/sbin/nscd", "/usr/sbin/unscd"};
  const char* binary = nullptr;
  for (const char* candidate : kCandidates) {
    if (access(candidate, X_OK) == 0) {
      binary = candidate;
      break;
    }
  }
  if (binary == nullptr) return;
  // execv takes char* const[] for C's sake; exec never writes to it.
  // NOLINTBEGIN(cppcoreguidelines-pro-type-const-cast)
  char* const argv[] = {const_cast<char*>(binary),   const_cast<char*>("-i"),
                        const_cast<char*>("passwd"), const_cast<char*>("-i"),
                        const_cast<char*>("group"),  nullptr};
  // NOLINTEND(cppcoreguidelines-pro-type-const-cast)
  // Double fork: the grandchild runs nscd and is reaped by init, so the
  // agent waits only for the child's immediate exit. Between fork and exec
  // only async-signal-safe calls.
  pid_t child = fork();
  if (child < 0) return;
  if (child == 0) {
    if (fork() == 0) {
      execv(binary, argv);
      _exit(127);
    }
    _exit(0);
  }
  int status = 0;
  while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
}

NssWriter::NssWriter(Deps deps) : deps_(std::move(deps)) {}

common::Result<NssModel> NssWriter::Write(const common::Roster& roster, const AgentConfig& config) {
  std::lock_guard<std::mutex> lock(mu_);
  auto local = LoadLocalIdentities(deps_.files);
  if (!local) {
    return common::Fail(
        local.error().kind,
        "NSS snapshot not written (cannot tell local accounts apart): " + local.error().message);
  }
  NssOptions options{config.workstation, static_cast<std::uint32_t>(config.min_uid),
                     config.nss_enumerate};
  NssModel model = BuildNssModel(roster, *local, options);
  const std::string dir = config.state_dir + "/nss";
  if (auto made = EnsureDirectory(dir); !made) return tl::unexpected(made.error());
  auto wrote = common::WriteFileAtomic(NssSnapshotPath(config.state_dir),
                                       EncodeNssSnapshot(model, roster.serial, options), 0644);
  if (!wrote) return tl::unexpected(wrote.error());
  AuditSkips(model, roster);
  if (deps_.invalidate_caches) deps_.invalidate_caches();
  return model;
}

void NssWriter::AuditSkips(const NssModel& model, const common::Roster& roster) {
  std::set<std::string> now;
  for (const NssSkip& skip : model.skipped) {
    now.insert(skip.detail);
    if (audited_.contains(skip.detail)) continue;
    if (deps_.log)
      deps_.log(LOG_WARNING, "NSS: " + skip.detail + "; it is not served by staffgate");
    if (deps_.record) {
      AuditEvent event;
      event.type = AuditType::kNssIdentitySkipped;
      event.account = skip.name;
      event.serial = roster.serial;
      event.detail = skip.detail;
      deps_.record(std::move(event));
    }
  }
  audited_ = std::move(now);
}

}  // namespace staffgate::agent
