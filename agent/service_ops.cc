// The status op and the root-only extension ops of Service.
#include <unistd.h>

#include "agent/caller_rules.h"
#include "agent/service.h"
#include "common/envelope.h"
#include "common/file_util.h"

namespace staffgate::agent {
namespace {

using common::Json;
using common::Response;

// Keeps the answer well under the 64 KiB line cap of the client.
constexpr int kMaxSessionsListed = 300;

}  // namespace

Response Service::Status() {
  auto config = this->config();
  auto roster = deps_.store->Current();
  const auto now = deps_.clock->Now();
  Json extra = {{"enrolled", !config->trusted_keys.empty()},
                {"workstation", config->workstation},
                {"version", STAFFGATE_VERSION},
                {"central_configured", !config->central_url.empty()},
                {"sessions", deps_.sessions->Size()}};
  if (roster) {
    extra["serial"] = roster->serial;
    extra["roster"] = Json{{"serial", roster->serial},
                           {"issued_at", common::FormatRfc3339(roster->issued_at)},
                           {"expires_at", common::FormatRfc3339(roster->expires_at)},
                           {"employees", roster->employees.size()},
                           {"state", roster->expires_at <= now ? "expired" : "valid"}};
  } else {
    extra["roster"] = nullptr;
  }
  if (auto floor = deps_.store->HighestSerial()) extra["highest_serial"] = *floor;
  if (deps_.status_extra) deps_.status_extra(extra);
  Response resp;
  resp.extra = std::move(extra);
  return resp;
}

Response Service::Extension(std::string_view line, uid_t peer_uid,
                            const common::Error& parse_error) {
  auto bad = common::ErrorResponse("bad_request", parse_error.message);
  if (parse_error.kind != common::ErrorKind::kInvalidInput) return bad;
  auto parsed = common::ParseJson(line, common::JsonLimits{common::kMaxLineBytes, 8});
  if (!parsed || !parsed->is_object()) return bad;
  auto v = parsed->find("v");
  auto op = parsed->find("op");
  if (v == parsed->end() || !v->is_number_integer() || *v != common::kProtocolVersion ||
      op == parsed->end() || !op->is_string()) {
    return bad;
  }
  const auto& name = op->get_ref<const std::string&>();
  auto extra_op = deps_.admin_ops.find(name);
  if (name != "roster_install" && name != "sessions" && extra_op == deps_.admin_ops.end()) {
    return bad;
  }
  // The agent's own uid is as powerful as the agent (it could ptrace it):
  // an unprivileged agent (tests, a user's own instance) is driven by
  // staffgatectl running as the same user.
  if (peer_uid != geteuid() && !CallerMay(peer_uid, CallerOp::kAdmin, std::nullopt)) {
    return common::ErrorResponse("forbidden", kForbiddenMessage);
  }
  if (extra_op != deps_.admin_ops.end()) return extra_op->second(*parsed);
  return name == "sessions" ? Sessions() : RosterInstall(*parsed);
}

Response Service::RosterInstall(const Json& request) {
  auto path = common::GetString(request, "path");
  if (!path) return common::ErrorResponse("bad_request", path.error().message);
  if (path->empty() || (*path)[0] != '/') {
    return common::ErrorResponse("bad_request", "\"path\" must be absolute");
  }
  auto rejected = [](const common::Error& err) {
    Response resp = common::ErrorResponse("rejected", err.message);
    resp.extra = Json{{"kind", common::ErrorKindName(err.kind)}};
    return resp;
  };
  auto bytes = common::ReadFileCapped(*path, common::kMaxEnvelopeBytes);
  if (!bytes) return rejected(bytes.error());
  auto outcome = deps_.store->Install(*bytes, "file " + *path);
  if (!outcome) return rejected(outcome.error());
  Response resp;
  resp.extra = Json{{"installed", outcome->installed},
                    {"no_change", outcome->no_change},
                    {"serial", outcome->serial}};
  if (!outcome->warning.empty()) resp.extra["warning"] = outcome->warning;
  return resp;
}

Response Service::Sessions() {
  Json list = Json::array();
  int count = 0;
  bool truncated = false;
  for (const auto& s : deps_.sessions->List()) {
    if (++count > kMaxSessionsListed) {
      truncated = true;
      break;
    }
    list.push_back(Json{{"session", s.id},
                        {"account", s.account},
                        {"service", s.service},
                        {"tty", s.tty},
                        {"pid", s.pid},
                        {"opened_at", common::FormatRfc3339(s.opened_at)}});
  }
  Json leases = deps_.leases ? deps_.leases() : Json::array();
  // Each session shows the central lease of its account, if one is held.
  for (auto& entry : list) {
    for (const auto& lease : leases) {
      if (lease.value("account", "") == entry.value("account", "")) {
        entry["lease"] = lease.value("lease", "");
        entry["lease_expires_at"] = lease.value("expires_at", "");
      }
    }
  }
  Response resp;
  resp.extra = Json{{"sessions", std::move(list)}, {"truncated", truncated},
                    {"leases", std::move(leases)}};
  return resp;
}

}  // namespace staffgate::agent
