#include "common/protocol_response.h"

#include "common/json_util.h"
#include "common/protocol.h"
#include "common/protocol_fields.h"
#include "common/protocol_module.h"

namespace staffgate::common {
namespace {

using protocol_internal::BoolField;
using protocol_internal::IntField;
using protocol_internal::TextField;
using protocol_internal::UintField;

// An optional text field: absent or null is nullopt.
Result<std::optional<std::string>> MaybeText(const Json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return std::optional<std::string>();
  auto text = TextField(obj, key);
  if (!text) return tl::unexpected(text.error());
  return std::optional<std::string>(std::move(*text));
}

Result<std::optional<bool>> MaybeBool(const Json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return std::optional<bool>();
  auto value = BoolField(obj, key, false);
  if (!value) return tl::unexpected(value.error());
  return std::optional<bool>(*value);
}

Result<std::uint64_t> Count(const Json& obj, const char* key) {
  auto value = UintField(obj, key);
  if (!value) return tl::unexpected(value.error());
  return value->value_or(0);
}

Result<const Json*> ObjectsIn(const Json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end()) return nullptr;
  if (!it->is_array())
    return Fail(ErrorKind::kInvalidInput, std::string("\"") + key + "\" must be a list");
  for (const auto& item : *it) {
    if (!item.is_object()) {
      return Fail(ErrorKind::kInvalidInput, std::string("\"") + key + "\" must hold objects");
    }
  }
  return &*it;
}

Result<Response> ParseError(const Json& obj) {
  ErrorReply reply;
  STAFFGATE_PROTO_ASSIGN(reply.error, GetString(obj, "error"));
  STAFFGATE_PROTO_ASSIGN(reply.message, TextField(obj, "message"));
  STAFFGATE_PROTO_ASSIGN(reply.kind, TextField(obj, "kind"));
  return reply;
}

Result<std::optional<RosterSummary>> ParseRosterSummary(const Json& obj) {
  auto it = obj.find("roster");
  if (it == obj.end() || it->is_null()) return std::optional<RosterSummary>();
  if (!it->is_object()) return Fail(ErrorKind::kInvalidInput, "\"roster\" must be an object");
  RosterSummary roster;
  STAFFGATE_PROTO_ASSIGN(roster.serial, Count(*it, "serial"));
  STAFFGATE_PROTO_ASSIGN(roster.issued_at, TextField(*it, "issued_at"));
  STAFFGATE_PROTO_ASSIGN(roster.expires_at, TextField(*it, "expires_at"));
  STAFFGATE_PROTO_ASSIGN(roster.employees, Count(*it, "employees"));
  STAFFGATE_PROTO_ASSIGN(roster.state, TextField(*it, "state"));
  return std::optional<RosterSummary>(std::move(roster));
}

Result<Response> ParseStatus(const Json& obj) {
  StatusReply s;
  STAFFGATE_PROTO_ASSIGN(s.enrolled, BoolField(obj, "enrolled", false));
  STAFFGATE_PROTO_ASSIGN(s.workstation, TextField(obj, "workstation"));
  STAFFGATE_PROTO_ASSIGN(s.version, TextField(obj, "version"));
  STAFFGATE_PROTO_ASSIGN(s.central_configured, BoolField(obj, "central_configured", false));
  STAFFGATE_PROTO_ASSIGN(s.sessions, Count(obj, "sessions"));
  STAFFGATE_PROTO_ASSIGN(s.roster, ParseRosterSummary(obj));
  STAFFGATE_PROTO_ASSIGN(s.highest_serial, UintField(obj, "highest_serial"));
  STAFFGATE_PROTO_ASSIGN(s.last_sync, MaybeText(obj, "last_sync"));
  STAFFGATE_PROTO_ASSIGN(s.last_sync_attempt, MaybeText(obj, "last_sync_attempt"));
  STAFFGATE_PROTO_ASSIGN(s.last_sync_result, MaybeText(obj, "last_sync_result"));
  STAFFGATE_PROTO_ASSIGN(s.central_reachable, MaybeBool(obj, "central_reachable"));
  STAFFGATE_PROTO_ASSIGN(s.central_url, MaybeText(obj, "central_url"));
  STAFFGATE_PROTO_ASSIGN(s.outbox_depth, UintField(obj, "outbox_depth"));
  STAFFGATE_PROTO_ASSIGN(s.roster_problem, MaybeText(obj, "roster_problem"));
  STAFFGATE_PROTO_ASSIGN(s.audit_lost, UintField(obj, "audit_lost"));
  STAFFGATE_PROTO_ASSIGN(s.audit_not_in_local_log, UintField(obj, "audit_not_in_local_log"));
  STAFFGATE_PROTO_ASSIGN(s.audit_not_queued, UintField(obj, "audit_not_queued"));
  STAFFGATE_PROTO_ASSIGN(s.outbox_dropped, UintField(obj, "outbox_dropped"));
  STAFFGATE_PROTO_ASSIGN(s.outbox_quarantined, UintField(obj, "outbox_quarantined"));
  const Json* centrals = nullptr;
  STAFFGATE_PROTO_ASSIGN(centrals, ObjectsIn(obj, "centrals"));
  for (const auto& item : centrals != nullptr ? *centrals : Json::array()) {
    CentralEntry central;
    STAFFGATE_PROTO_ASSIGN(central.url, TextField(item, "url"));
    STAFFGATE_PROTO_ASSIGN(central.in_use, BoolField(item, "in_use", false));
    STAFFGATE_PROTO_ASSIGN(central.down, BoolField(item, "down", false));
    STAFFGATE_PROTO_ASSIGN(central.down_since, TextField(item, "down_since"));
    STAFFGATE_PROTO_ASSIGN(central.last_error, TextField(item, "last_error"));
    s.centrals.push_back(std::move(central));
  }
  return s;
}

Result<SessionEntry> ParseSessionEntry(const Json& obj) {
  SessionEntry e;
  STAFFGATE_PROTO_ASSIGN(e.session, TextField(obj, "session"));
  STAFFGATE_PROTO_ASSIGN(e.account, TextField(obj, "account"));
  STAFFGATE_PROTO_ASSIGN(e.service, TextField(obj, "service"));
  STAFFGATE_PROTO_ASSIGN(e.tty, TextField(obj, "tty"));
  std::optional<std::int64_t> pid;
  STAFFGATE_PROTO_ASSIGN(pid, IntField(obj, "pid"));
  e.pid = pid.value_or(0);
  STAFFGATE_PROTO_ASSIGN(e.opened_at, TextField(obj, "opened_at"));
  STAFFGATE_PROTO_ASSIGN(e.lease, TextField(obj, "lease"));
  STAFFGATE_PROTO_ASSIGN(e.lease_expires_at, TextField(obj, "lease_expires_at"));
  return e;
}

Result<Response> ParseSessions(const Json& obj) {
  SessionsReply reply;
  const Json* list = nullptr;
  STAFFGATE_PROTO_ASSIGN(list, ObjectsIn(obj, "sessions"));
  for (const auto& item : list != nullptr ? *list : Json::array()) {
    SessionEntry entry;
    STAFFGATE_PROTO_ASSIGN(entry, ParseSessionEntry(item));
    reply.sessions.push_back(std::move(entry));
  }
  STAFFGATE_PROTO_ASSIGN(reply.truncated, BoolField(obj, "truncated", false));
  STAFFGATE_PROTO_ASSIGN(list, ObjectsIn(obj, "leases"));
  for (const auto& item : list != nullptr ? *list : Json::array()) {
    LeaseEntry lease;
    STAFFGATE_PROTO_ASSIGN(lease.account, TextField(item, "account"));
    STAFFGATE_PROTO_ASSIGN(lease.lease, TextField(item, "lease"));
    STAFFGATE_PROTO_ASSIGN(lease.expires_at, TextField(item, "expires_at"));
    reply.leases.push_back(std::move(lease));
  }
  return reply;
}

Result<Response> ParseRosterInstall(const Json& obj) {
  RosterInstallReply reply;
  STAFFGATE_PROTO_ASSIGN(reply.installed, BoolField(obj, "installed", false));
  STAFFGATE_PROTO_ASSIGN(reply.no_change, BoolField(obj, "no_change", false));
  STAFFGATE_PROTO_ASSIGN(reply.serial, Count(obj, "serial"));
  STAFFGATE_PROTO_ASSIGN(reply.warning, TextField(obj, "warning"));
  return reply;
}

Result<Response> ParseOkBody(Op op, const Json& obj) {
  switch (op) {
    case Op::kCheck:
    case Op::kSessionOpen:
    case Op::kAuthenticate:
    case Op::kChauthtok:
    case Op::kPasswordChanged:
    case Op::kSessionClose:
      break;  // DecodeModuleReply's (ParseResponse).
    case Op::kStatus:
      return ParseStatus(obj);
    case Op::kSessions:
      return ParseSessions(obj);
    case Op::kSync: {
      SyncReply reply;
      STAFFGATE_PROTO_ASSIGN(reply.result, TextField(obj, "result"));
      return reply;
    }
    case Op::kReload: {
      ReloadReply reply;
      STAFFGATE_PROTO_ASSIGN(reply.reloaded, TextField(obj, "reloaded"));
      return reply;
    }
    case Op::kRosterInstall:
      return ParseRosterInstall(obj);
  }
  return Fail(ErrorKind::kInternal, "unhandled op");
}

template <typename T>
void PutIf(Json& obj, const char* key, const std::optional<T>& value) {
  if (value) obj[key] = *value;
}

// Writes the fields of each reply next to "v" and "ok".
struct ReplyWriter {
  Json& obj;
  void operator()(const ErrorReply& r) const {
    obj["ok"] = false;
    obj["error"] = r.error;
    obj["message"] = r.message;
    if (!r.kind.empty()) obj["kind"] = r.kind;
  }
  void operator()(const DecisionReply& r) const {
    obj["decision"] = DecisionName(r.decision);
    obj["reason"] = ReasonName(r.reason);
    obj["message"] = r.message;
    obj["serial"] = r.serial;
    if (!r.lease.empty()) obj["lease"] = r.lease;
    if (!r.lease_workstation.empty()) obj["lease_workstation"] = r.lease_workstation;
  }
  void operator()(const SessionCloseReply& r) const { obj["closed"] = r.closed; }
  void operator()(const StatusReply& s) const {
    obj["enrolled"] = s.enrolled;
    obj["workstation"] = s.workstation;
    obj["version"] = s.version;
    obj["central_configured"] = s.central_configured;
    obj["sessions"] = s.sessions;
    if (s.roster) {
      obj["serial"] = s.roster->serial;  // Kept at the top for scripts.
      obj["roster"] = Json{{"serial", s.roster->serial},
                           {"issued_at", s.roster->issued_at},
                           {"expires_at", s.roster->expires_at},
                           {"employees", s.roster->employees},
                           {"state", s.roster->state}};
    } else {
      obj["roster"] = nullptr;
    }
    PutIf(obj, "highest_serial", s.highest_serial);
    PutIf(obj, "last_sync", s.last_sync);
    PutIf(obj, "last_sync_attempt", s.last_sync_attempt);
    PutIf(obj, "last_sync_result", s.last_sync_result);
    PutIf(obj, "central_reachable", s.central_reachable);
    PutIf(obj, "central_url", s.central_url);
    PutIf(obj, "outbox_depth", s.outbox_depth);
    PutIf(obj, "roster_problem", s.roster_problem);
    PutIf(obj, "audit_lost", s.audit_lost);
    PutIf(obj, "audit_not_in_local_log", s.audit_not_in_local_log);
    PutIf(obj, "audit_not_queued", s.audit_not_queued);
    PutIf(obj, "outbox_dropped", s.outbox_dropped);
    PutIf(obj, "outbox_quarantined", s.outbox_quarantined);
    if (!s.centrals.empty()) {
      Json list = Json::array();
      for (const auto& c : s.centrals) {
        Json entry = {{"url", c.url}, {"in_use", c.in_use}, {"down", c.down}};
        if (!c.down_since.empty()) entry["down_since"] = c.down_since;
        if (!c.last_error.empty()) entry["last_error"] = c.last_error;
        list.push_back(std::move(entry));
      }
      obj["centrals"] = std::move(list);
    }
  }
  void operator()(const SessionsReply& r) const {
    Json list = Json::array();
    for (const auto& s : r.sessions) {
      Json entry = {{"session", s.session}, {"account", s.account}, {"service", s.service},
                    {"tty", s.tty},         {"pid", s.pid},         {"opened_at", s.opened_at}};
      if (!s.lease.empty()) entry["lease"] = s.lease;
      if (!s.lease_expires_at.empty()) entry["lease_expires_at"] = s.lease_expires_at;
      list.push_back(std::move(entry));
    }
    Json leases = Json::array();
    for (const auto& l : r.leases) {
      leases.push_back({{"account", l.account}, {"lease", l.lease}, {"expires_at", l.expires_at}});
    }
    obj["sessions"] = std::move(list);
    obj["truncated"] = r.truncated;
    obj["leases"] = std::move(leases);
  }
  void operator()(const SyncReply& r) const { obj["result"] = r.result; }
  void operator()(const ChauthtokReply& /*unused*/) const {}
  void operator()(const ReloadReply& r) const { obj["reloaded"] = r.reloaded; }
  void operator()(const RosterInstallReply& r) const {
    obj["installed"] = r.installed;
    obj["no_change"] = r.no_change;
    obj["serial"] = r.serial;
    if (!r.warning.empty()) obj["warning"] = r.warning;
  }
};

}  // namespace

Result<Response> ParseResponse(Op op, std::string_view line) {
  // The module's ops have one reader, the module's own (no nlohmann).
  if (IsModuleOp(op)) return DecodeModuleReply(op, line);
  auto parsed = protocol_internal::ParseLineObject(line, "response");
  if (!parsed) return tl::unexpected(parsed.error());
  const Json& obj = *parsed;
  auto ok = obj.find("ok");
  if (ok == obj.end() || !ok->is_boolean()) {
    return Fail(ErrorKind::kInvalidInput, "response lacks \"ok\"");
  }
  // "message" is text wherever it appears.
  if (auto message = GetOptionalString(obj, "message"); !message) {
    return tl::unexpected(message.error());
  }
  if (!ok->get<bool>()) return ParseError(obj);
  return ParseOkBody(op, obj);
}

std::string SerializeResponse(const Response& response) {
  Json obj = {{"v", kProtocolVersion}, {"ok", true}};
  std::visit(ReplyWriter{obj}, response);
  return DumpJson(obj);
}

}  // namespace staffgate::common
