// Writes the NSS snapshot (<state_dir>/nss/db, docs/design.md §9) after
// each accepted roster and at start from the cached one: atomic replace,
// mode 0644 in a 0755 directory (world-readable, no secrets), then asks a
// running nscd/unscd to drop its passwd and group caches. Roster
// identities left out (clashes with local accounts, uids below min_uid)
// are logged and audited once each, not at every write.
//
// Threads: Write may be called from any thread; calls are serialised.
#ifndef STAFFGATE_AGENT_NSS_NSS_WRITER_H_
#define STAFFGATE_AGENT_NSS_NSS_WRITER_H_

#include <functional>
#include <mutex>
#include <set>
#include <string>

#include "agent/audit/audit_log.h"
#include "agent/config/agent_config.h"
#include "agent/nss/local_identities.h"
#include "agent/nss/nss_snapshot.h"
#include "common/log.h"
#include "common/result.h"
#include "common/roster.h"

namespace staffgate::agent {

// <state_dir>/nss/db
std::string NssSnapshotPath(const std::string& state_dir);

// Starts `nscd -i passwd -i group` when an nscd socket exists, detached
// (never waited for: a hung nscd must not stall the agent). Best effort.
void InvalidateNscdCaches();

class NssWriter {
 public:
  struct Deps {
    LocalFiles files;
    common::LogFn log;
    std::function<void(AuditEvent)> record;  // May be empty.
    std::function<void()> invalidate_caches = InvalidateNscdCaches;
  };
  explicit NssWriter(Deps deps);

  // Builds and writes the snapshot of `roster` for `config`. Errors: the
  // local files could not be read, or the file could not be written
  // (kIo): the previous snapshot stays; logged by the caller.
  common::Result<NssModel> Write(const common::Roster& roster, const AgentConfig& config);

 private:
  void AuditSkips(const NssModel& model, const common::Roster& roster);

  Deps deps_;
  std::mutex mu_;
  std::set<std::string> audited_;  // Skip details already audited.
};

}  // namespace staffgate::agent

#endif  // STAFFGATE_AGENT_NSS_NSS_WRITER_H_
