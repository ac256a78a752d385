// The status op and the root-only ops of Service.
#include <unistd.h>

#include "agent/caller_rules.h"
#include "agent/service.h"
#include "common/envelope.h"
#include "common/file_util.h"

namespace staffgate::agent {
namespace {

using common::Response;

// Keeps the answer well under the 64 KiB line cap of the client.
constexpr std::size_t kMaxSessionsListed = 300;

}  // namespace

Response Service::Status() {
  auto config = this->config();
  auto roster = deps_.store->Current();
  common::StatusReply status;
  status.enrolled = !config->trusted_keys.empty();
  status.workstation = config->workstation;
  status.version = STAFFGATE_VERSION;
  status.central_configured = !config->central_urls.empty();
  status.sessions = deps_.sessions->Size();
  if (roster) {
    status.roster =
        common::RosterSummary{roster->serial, common::FormatRfc3339(roster->issued_at),
                              common::FormatRfc3339(roster->expires_at), roster->employees.size(),
                              roster->expires_at <= deps_.clock->Now() ? "expired" : "valid"};
  }
  status.highest_serial = deps_.store->HighestSerial();
  if (std::string problem = deps_.store->Problem(); !problem.empty()) {
    status.roster_problem = std::move(problem);
  }
  if (deps_.status_extra) deps_.status_extra(status);
  return status;
}

std::optional<Response> Service::RefuseAdmin(const common::Request& req, uid_t peer_uid) const {
  const common::Op op = common::OpOf(req);
  switch (op) {
    case common::Op::kSync:
    case common::Op::kReload:
      if (!(op == common::Op::kSync ? deps_.sync : deps_.reload)) {
        return common::ErrorResponse("bad_request",
                                     "unknown op '" + std::string(common::OpName(op)) + "'");
      }
      break;
    case common::Op::kSessions:
    case common::Op::kRosterInstall:
    // Only a password program (setuid root) may say a password changed: a
    // person must not end their own credentials reset by claiming one.
    case common::Op::kPasswordChanged:
      break;
    default:
      return std::nullopt;  // Not an admin op: its own caller rules apply.
  }
  // The agent's own uid is as powerful as the agent (it could ptrace it):
  // an unprivileged agent (tests, a user's own instance) is driven by
  // staffgatectl running as the same user.
  if (peer_uid != geteuid() && !CallerMay(peer_uid, CallerOp::kAdmin, std::nullopt)) {
    return common::ErrorResponse("forbidden", kForbiddenMessage);
  }
  return std::nullopt;
}

Response Service::RosterInstall(const common::RosterInstallRequest& req) {
  if (req.path.empty() || req.path[0] != '/') {
    return common::ErrorResponse("bad_request", "\"path\" must be absolute");
  }
  auto rejected = [](const common::Error& err) {
    return common::ErrorReply{"rejected", err.message,
                              std::string(common::ErrorKindName(err.kind))};
  };
  // Regular files only, opened non-blocking: a FIFO must not hold the slow
  // worker (and every roster_install, sync and reload behind it).
  auto bytes = common::ReadRegularFile(req.path, common::kMaxEnvelopeBytes);
  if (!bytes) return rejected(bytes.error());
  auto outcome = deps_.store->Install(*bytes, "file " + req.path);
  if (!outcome) return rejected(outcome.error());
  return common::RosterInstallReply{outcome->installed, outcome->no_change, outcome->serial,
                                    outcome->warning};
}

Response Service::Sessions() {
  common::SessionsReply reply;
  for (const auto& s : deps_.sessions->List()) {
    if (reply.sessions.size() >= kMaxSessionsListed) {
      reply.truncated = true;
      break;
    }
    reply.sessions.push_back(common::SessionEntry{s.id, s.account, s.service, s.tty, s.pid,
                                                  common::FormatRfc3339(s.opened_at), "", ""});
  }
  if (deps_.leases) reply.leases = deps_.leases();
  // Each session shows the central lease of its account, if one is held.
  for (auto& entry : reply.sessions) {
    for (const auto& lease : reply.leases) {
      if (lease.account == entry.account) {
        entry.lease = lease.lease;
        entry.lease_expires_at = lease.expires_at;
      }
    }
  }
  return reply;
}

}  // namespace staffgate::agent
