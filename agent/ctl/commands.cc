#include "agent/ctl/commands.h"

#include <limits.h>
#include <stdlib.h>

#include <cstdio>
#include <iostream>

#include "common/json_util.h"
#include "common/protocol.h"

namespace staffgate::agent {
namespace {

using common::ErrorKind;
using common::Json;

bool Unreachable(const common::Error& err) {
  return err.kind == ErrorKind::kUnavailable || err.kind == ErrorKind::kTimeout ||
         err.kind == ErrorKind::kPermission;
}

// Sends one raw line. On failure prints the error and sets *exit_code.
std::optional<std::string> Call(const CtlContext& ctx, const Json& request, int* exit_code,
                                int timeout_ms = 0) {
  common::ClientOptions options = ctx.client;
  if (timeout_ms > 0) options.timeout_ms = timeout_ms;
  auto answer = common::CallAgentRaw(options, common::DumpJson(request));
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
  return *answer;
}

// Parses an answer; prints agent-side errors. nullopt means "done, use *exit_code".
std::optional<common::Response> Parse(const std::string& line, int* exit_code) {
  auto resp = common::ParseResponse(line);
  if (!resp) {
    std::cerr << "staffgatectl: bad answer from the agent: " << resp.error().message << "\n";
    *exit_code = kExitFailed;
    return std::nullopt;
  }
  if (!resp->ok) {
    std::cerr << "staffgatectl: " << resp->error;
    if (!resp->message.empty()) std::cerr << ": " << resp->message;
    std::cerr << "\n";
    *exit_code = kExitFailed;
    return std::nullopt;
  }
  return std::move(*resp);
}

}  // namespace

std::optional<common::Response> CallOp(const CtlContext& ctx, const Json& request, int* exit_code,
                                       int timeout_ms, std::string* raw) {
  auto line = Call(ctx, request, exit_code, timeout_ms);
  if (!line) return std::nullopt;
  if (raw != nullptr) *raw = *line;
  return Parse(*line, exit_code);
}

namespace {

std::string Text(const Json& obj, const char* key, const std::string& fallback) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return fallback;
  if (it->is_string()) return it->get<std::string>();
  if (it->is_boolean()) return it->get<bool>() ? "yes" : "no";
  return common::DumpJson(*it);
}

}  // namespace

int CmdStatus(const CtlContext& ctx, bool json) {
  int rc = kExitOk;
  std::string line;
  auto resp = CallOp(ctx, Json{{"v", 1}, {"op", "status"}}, &rc, 0, &line);
  if (!resp) return rc;
  if (json) {
    std::cout << line << "\n";
    return kExitOk;
  }
  const Json& s = resp->extra;
  std::printf("%-18s %s\n", "enrolled:", Text(s, "enrolled", "?").c_str());
  std::printf("%-18s %s\n", "workstation:", Text(s, "workstation", "?").c_str());
  const Json roster = s.value("roster", Json());
  if (roster.is_object()) {
    std::printf("%-18s %s (%s)\n", "roster serial:", Text(roster, "serial", "?").c_str(),
                Text(roster, "state", "?").c_str());
    std::printf("%-18s %s\n", "roster issued:", Text(roster, "issued_at", "?").c_str());
    std::printf("%-18s %s\n", "roster expires:", Text(roster, "expires_at", "?").c_str());
    std::printf("%-18s %s\n", "employees:", Text(roster, "employees", "?").c_str());
  } else {
    std::printf("%-18s %s\n", "roster:", "none");
  }
  std::printf("%-18s %s\n", "open sessions:", Text(s, "sessions", "0").c_str());
  std::printf("%-18s %s\n", "last sync:", Text(s, "last_sync", "never").c_str());
  if (s.contains("last_sync_result")) {
    std::printf("%-18s %s\n", "last sync result:", Text(s, "last_sync_result", "").c_str());
  }
  std::printf("%-18s %s\n", "central reachable:",
              Text(s, "central_reachable",
                   s.value("central_configured", false) ? "unknown" : "no central configured")
                  .c_str());
  if (s.contains("outbox_depth")) {
    std::printf("%-18s %s\n", "events to send:", Text(s, "outbox_depth", "0").c_str());
  }
  return kExitOk;
}

int CmdCheck(const CtlContext& ctx, const std::string& account, const std::string& phase,
             const std::string& service, bool json) {
  if (!common::ParsePhase(phase)) {
    std::cerr << "staffgatectl: --phase must be auth, account or session\n";
    return kExitUsage;
  }
  int rc = kExitOk;
  Json request = {{"v", 1}, {"op", "check"}, {"phase", phase}, {"account", account},
                  {"service", service}};
  std::string line;
  auto resp = CallOp(ctx, request, &rc, 0, &line);
  if (!resp) return rc;
  if (resp->reason.empty()) {
    std::cerr << "staffgatectl: the agent's answer has no decision\n";
    return kExitFailed;
  }
  const bool refused = resp->decision == common::Decision::kDeny ||
                       resp->decision == common::Decision::kResetRequired;
  if (json) {
    std::cout << line << "\n";
  } else {
    std::printf("%-9s %s\n", "account:", account.c_str());
    std::printf("%-9s %s\n", "decision:", std::string(common::DecisionName(resp->decision)).c_str());
    std::printf("%-9s %s\n", "reason:", resp->reason.c_str());
    if (!resp->message.empty()) std::printf("%-9s %s\n", "message:", resp->message.c_str());
    if (resp->serial != 0) {
      std::printf("%-9s %llu\n", "serial:", static_cast<unsigned long long>(resp->serial));
    }
  }
  return refused ? kExitFailed : kExitOk;
}

int CmdSessions(const CtlContext& ctx, bool json) {
  int rc = kExitOk;
  std::string line;
  auto resp = CallOp(ctx, Json{{"v", 1}, {"op", "sessions"}}, &rc, 0, &line);
  if (!resp) return rc;
  if (json) {
    std::cout << line << "\n";
    return kExitOk;
  }
  const Json list = resp->extra.value("sessions", Json::array());
  if (list.empty()) {
    std::printf("no open sessions\n");
    return kExitOk;
  }
  std::printf("%-12s %-10s %-10s %-8s %-21s %-32s %s\n", "ACCOUNT", "SERVICE", "TTY", "PID",
              "OPENED", "SESSION", "CENTRAL LEASE");
  for (const auto& s : list) {
    std::printf("%-12s %-10s %-10s %-8s %-21s %-32s %s\n", Text(s, "account", "").c_str(),
                Text(s, "service", "-").c_str(), Text(s, "tty", "-").c_str(),
                Text(s, "pid", "-").c_str(), Text(s, "opened_at", "").c_str(),
                Text(s, "session", "").c_str(),
                s.contains("lease") ? (Text(s, "lease", "") + " until " +
                                       Text(s, "lease_expires_at", "")).c_str()
                                    : "-");
  }
  if (resp->extra.value("truncated", false)) std::printf("(list truncated)\n");
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
  auto line = Call(ctx, Json{{"v", 1}, {"op", "roster_install"}, {"path", resolved}}, &rc, 30000);
  if (!line) {
    if (rc != kExitUnreachable || !ctx.config) return rc;
    std::cerr << "staffgatectl: installing directly into " << ctx.config->state_dir << "\n";
    return InstallRosterDirectly(*ctx.config, resolved);
  }
  auto resp = common::ParseResponse(*line);
  if (!resp) {
    std::cerr << "staffgatectl: bad answer from the agent: " << resp.error().message << "\n";
    return kExitFailed;
  }
  if (!resp->ok) {
    if (resp->error == "rejected") {
      std::cerr << "staffgatectl: roster rejected (" << Text(resp->extra, "kind", "invalid")
                << "): " << resp->message << "\n";
    } else {
      std::cerr << "staffgatectl: " << resp->error << ": " << resp->message << "\n";
    }
    return kExitFailed;
  }
  if (resp->extra.value("no_change", false)) {
    std::printf("roster serial %llu is already installed (no change)\n",
                static_cast<unsigned long long>(resp->serial));
  } else {
    std::printf("installed roster serial %llu\n", static_cast<unsigned long long>(resp->serial));
  }
  if (resp->extra.contains("warning")) {
    std::cerr << "staffgatectl: warning: " << Text(resp->extra, "warning", "") << "\n";
  }
  return kExitOk;
}

}  // namespace staffgate::agent
