#include "agent/ctl/commands.h"

#include <limits.h>
#include <stdlib.h>

#include <cstdio>
#include <iostream>

#include "common/protocol.h"
#include "common/terminal_text.h"

namespace staffgate::agent {
namespace {

using common::ErrorKind;

bool Unreachable(const common::Error& err) {
  return err.kind == ErrorKind::kUnavailable || err.kind == ErrorKind::kTimeout ||
         err.kind == ErrorKind::kPermission;
}

// Sends one request and parses the answer. On a failure to get or parse
// one, prints the error, sets *exit_code and returns nullopt.
std::optional<common::Response> Exchange(const CtlContext& ctx, const common::Request& request,
                                         int* exit_code, int timeout_ms, std::string* raw) {
  common::ClientOptions options = ctx.client;
  if (timeout_ms > 0) options.timeout_ms = timeout_ms;
  auto answer = common::CallAgentRaw(options, common::SerializeRequest(request));
  if (!answer) {
    if (Unreachable(answer.error())) {
      std::cerr << "staffgatectl: agent unreachable at " << options.socket_path << ": "
                << answer.error().message << "\n";
      *exit_code = kExitUnreachable;
    } else {
      std::cerr << "staffgatectl: bad answer from the agent: " << answer.error().message << "\n";
      *exit_code = kExitFailed;
    }
    return std::nullopt;
  }
  auto resp = common::ParseResponse(common::OpOf(request), *answer);
  if (!resp) {
    std::cerr << "staffgatectl: bad answer from the agent: " << resp.error().message << "\n";
    *exit_code = kExitFailed;
    return std::nullopt;
  }
  if (raw != nullptr) *raw = std::move(*answer);
  return std::move(*resp);
}

const char* YesNo(bool value) { return value ? "yes" : "no"; }

std::string Number(std::uint64_t value) { return std::to_string(value); }

// The central in use and every one down (docs/design.md §12). Text from
// the central (errors) is escaped: it is shown on a terminal.
void PrintCentrals(const std::vector<common::CentralEntry>& centrals) {
  for (const auto& c : centrals) {
    if (c.in_use) {
      std::printf("%-18s %s%s\n", "central in use:", common::EscapeForTerminal(c.url).c_str(),
                  c.down ? " (down: every central is)" : "");
    }
  }
  for (const auto& c : centrals) {
    if (!c.down) continue;
    std::printf("%-18s %s since %s: %s\n",
                "central down:", common::EscapeForTerminal(c.url).c_str(), c.down_since.c_str(),
                common::EscapeForTerminal(c.last_error).c_str());
  }
}

void PrintStatus(const common::StatusReply& s) {
  std::printf("%-18s %s\n", "enrolled:", YesNo(s.enrolled));
  std::printf("%-18s %s\n", "workstation:", s.workstation.c_str());
  if (s.roster) {
    std::printf("%-18s %s (%s)\n", "roster serial:", Number(s.roster->serial).c_str(),
                s.roster->state.c_str());
    std::printf("%-18s %s\n", "roster issued:", s.roster->issued_at.c_str());
    std::printf("%-18s %s\n", "roster expires:", s.roster->expires_at.c_str());
    std::printf("%-18s %s\n", "employees:", Number(s.roster->employees).c_str());
  } else {
    std::printf("%-18s %s\n", "roster:", "none");
  }
  std::printf("%-18s %s\n", "open sessions:", Number(s.sessions).c_str());
  std::printf("%-18s %s\n", "last sync:", s.last_sync.value_or("never").c_str());
  if (s.last_sync_result) {
    std::printf("%-18s %s\n", "last sync result:", s.last_sync_result->c_str());
  }
  std::string reachable = s.central_reachable    ? YesNo(*s.central_reachable)
                          : s.central_configured ? "unknown"
                                                 : "no central configured";
  std::printf("%-18s %s\n", "central reachable:", reachable.c_str());
  PrintCentrals(s.centrals);
  if (s.outbox_depth) {
    std::printf("%-18s %s\n", "events to send:", Number(*s.outbox_depth).c_str());
  }
  if (s.roster_problem) std::printf("%-18s %s\n", "ROSTER PROBLEM:", s.roster_problem->c_str());
  const std::uint64_t lost = s.audit_lost.value_or(0);
  if (lost + s.audit_not_in_local_log.value_or(0) + s.audit_not_queued.value_or(0) > 0) {
    std::printf("%-18s %s lost, %s missing from the local log, %s not queued for the central\n",
                "AUDIT EVENTS:", Number(lost).c_str(),
                Number(s.audit_not_in_local_log.value_or(0)).c_str(),
                Number(s.audit_not_queued.value_or(0)).c_str());
  }
  if (s.outbox_dropped.value_or(0) + s.outbox_quarantined.value_or(0) > 0) {
    std::printf("%-18s %s allow events dropped by the cap, %s unreadable set aside\n",
                "outbox:", Number(s.outbox_dropped.value_or(0)).c_str(),
                Number(s.outbox_quarantined.value_or(0)).c_str());
  }
}

// The lease line of `check --phase session`.
std::string LeaseWords(const std::string& state, const std::string& holders) {
  if (state == "held_here") return "held here";
  if (state == "held_elsewhere") return "held on another workstation: " + holders;
  if (state == "none") return "none";
  if (state == "unreachable") return "unknown: the central is unreachable";
  if (state == "refused") return "none: the central gives this account no lease here";
  if (state == "no_central") return "not checked: no central configured";
  return state;
}

}  // namespace

std::optional<common::Response> CallOp(const CtlContext& ctx, const common::Request& request,
                                       int* exit_code, int timeout_ms, std::string* raw) {
  auto resp = Exchange(ctx, request, exit_code, timeout_ms, raw);
  if (!resp) return std::nullopt;
  if (const auto* refused = std::get_if<common::ErrorReply>(&*resp)) {
    if (refused->error == "forbidden") {
      // docs/design.md §4: another uid may check only its own account, and
      // only root may list sessions, sync or install.
      std::cerr << (common::LoginOf(request) != nullptr
                        ? "staffgatectl: forbidden: only root may ask about another account\n"
                        : "staffgatectl: forbidden: this command needs root (run it with sudo)\n");
      *exit_code = kExitFailed;
      return std::nullopt;
    }
    std::cerr << "staffgatectl: " << refused->error;
    if (!refused->message.empty()) std::cerr << ": " << refused->message;
    std::cerr << "\n";
    *exit_code = kExitFailed;
    return std::nullopt;
  }
  return resp;
}

int CmdStatus(const CtlContext& ctx, bool json) {
  int rc = kExitOk;
  std::string line;
  auto status = Ask<common::StatusReply>(ctx, common::StatusRequest{}, &rc, 0, &line);
  if (!status) return rc;
  if (json) {
    std::cout << line << "\n";
  } else {
    PrintStatus(*status);
  }
  return kExitOk;
}

int CmdCheck(const CtlContext& ctx, const std::string& account, const std::string& phase,
             const std::string& service, bool json) {
  auto parsed_phase = common::ParsePhase(phase);
  if (!parsed_phase) {
    std::cerr << "staffgatectl: --phase must be auth, account or session\n";
    return kExitUsage;
  }
  int rc = kExitOk;
  common::CheckRequest request{*parsed_phase, {account, service, "", ""}};
  std::string line;
  auto resp = Ask<common::DecisionReply>(ctx, request, &rc, 0, &line);
  if (!resp) return rc;
  const bool refused = resp->decision == common::Decision::kDeny ||
                       resp->decision == common::Decision::kResetRequired;
  if (json) {
    std::cout << line << "\n";
  } else {
    std::printf("%-9s %s\n", "account:", account.c_str());
    std::printf("%-9s %s\n",
                "decision:", std::string(common::DecisionName(resp->decision)).c_str());
    std::printf("%-9s %s\n", "reason:", std::string(common::ReasonName(resp->reason)).c_str());
    if (!resp->message.empty()) std::printf("%-9s %s\n", "message:", resp->message.c_str());
    if (resp->serial != 0) std::printf("%-9s %s\n", "serial:", Number(resp->serial).c_str());
    if (!resp->lease.empty()) {
      std::printf("%-9s %s\n", "lease:", LeaseWords(resp->lease, resp->lease_workstation).c_str());
    }
  }
  return refused ? kExitFailed : kExitOk;
}

int CmdSessions(const CtlContext& ctx, bool json) {
  int rc = kExitOk;
  std::string line;
  auto resp = Ask<common::SessionsReply>(ctx, common::SessionsRequest{}, &rc, 0, &line);
  if (!resp) return rc;
  if (json) {
    std::cout << line << "\n";
    return kExitOk;
  }
  if (resp->sessions.empty()) {
    std::printf("no open sessions\n");
    return kExitOk;
  }
  std::printf("%-12s %-10s %-10s %-8s %-21s %-32s %s\n", "ACCOUNT", "SERVICE", "TTY", "PID",
              "OPENED", "SESSION", "CENTRAL LEASE");
  for (const auto& s : resp->sessions) {
    std::string lease = s.lease.empty() ? "-" : s.lease + " until " + s.lease_expires_at;
    std::printf("%-12s %-10s %-10s %-8s %-21s %-32s %s\n", s.account.c_str(), s.service.c_str(),
                s.tty.c_str(), std::to_string(s.pid).c_str(), s.opened_at.c_str(),
                s.session.c_str(), lease.c_str());
  }
  if (resp->truncated) std::printf("(list truncated)\n");
  return kExitOk;
}

int CmdRosterInstall(const CtlContext& ctx, const std::string& file) {
  char resolved[PATH_MAX];
  if (realpath(file.c_str(), resolved) == nullptr) {
    std::cerr << "staffgatectl: cannot read " << file << "\n";
    return kExitFailed;
  }
  int rc = kExitOk;
  // Verifying a large roster takes a moment; allow for it.
  auto resp = Exchange(ctx, common::RosterInstallRequest{resolved}, &rc, 30000, nullptr);
  if (!resp) {
    if (rc != kExitUnreachable || !ctx.config) return rc;
    std::cerr << "staffgatectl: installing directly into " << ctx.config->state_dir << "\n";
    return InstallRosterDirectly(*ctx.config, resolved);
  }
  if (const auto* refused = std::get_if<common::ErrorReply>(&*resp)) {
    if (refused->error == "forbidden") {
      std::cerr << "staffgatectl: forbidden: this command needs root (run it with sudo)\n";
    } else if (refused->error == "rejected") {
      std::cerr << "staffgatectl: roster rejected ("
                << (refused->kind.empty() ? "invalid" : refused->kind) << "): " << refused->message
                << "\n";
    } else {
      std::cerr << "staffgatectl: " << refused->error << ": " << refused->message << "\n";
    }
    return kExitFailed;
  }
  const auto& installed = std::get<common::RosterInstallReply>(*resp);
  if (installed.no_change) {
    std::printf("roster serial %s is already installed (no change)\n",
                Number(installed.serial).c_str());
  } else {
    std::printf("installed roster serial %s\n", Number(installed.serial).c_str());
  }
  if (!installed.warning.empty()) {
    std::cerr << "staffgatectl: warning: " << installed.warning << "\n";
  }
  return kExitOk;
}

}  // namespace staffgate::agent
