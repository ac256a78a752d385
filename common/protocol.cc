#include "common/protocol.h"

#include "common/json_util.h"
#include "common/protocol_fields.h"

namespace staffgate::common {
namespace {

using protocol_internal::RequiredShortField;
using protocol_internal::ShortField;

Result<LoginFields> ParseLogin(const Json& obj) {
  LoginFields login;
  STAFFGATE_PROTO_ASSIGN(login.account, RequiredShortField(obj, "account"));
  STAFFGATE_PROTO_ASSIGN(login.service, ShortField(obj, "service"));
  STAFFGATE_PROTO_ASSIGN(login.tty, ShortField(obj, "tty"));
  STAFFGATE_PROTO_ASSIGN(login.rhost, ShortField(obj, "rhost"));
  return login;
}

Result<Request> ParseCheck(const Json& obj) {
  CheckRequest req;
  auto phase_name = GetOptionalString(obj, "phase");
  if (!phase_name) return tl::unexpected(phase_name.error());
  auto phase = ParsePhase(phase_name->value_or("account"));
  if (!phase) return Fail(ErrorKind::kInvalidInput, "unknown phase '" + **phase_name + "'");
  req.phase = *phase;
  STAFFGATE_PROTO_ASSIGN(req.login, ParseLogin(obj));
  return req;
}

Result<Request> ParseSessionOpen(const Json& obj) {
  SessionOpenRequest req;
  STAFFGATE_PROTO_ASSIGN(req.login, ParseLogin(obj));
  STAFFGATE_PROTO_ASSIGN(req.session, RequiredShortField(obj, "session"));
  auto pid = GetOptionalInt(obj, "pid");
  if (!pid) return tl::unexpected(pid.error());
  // A pid is positive and fits pid_t; anything else is not a process.
  if (pid->value_or(0) < 0 || pid->value_or(0) > 0x7fffffff) {
    return Fail(ErrorKind::kInvalidInput, "\"pid\" is out of range");
  }
  req.pid = pid->value_or(0);
  return req;
}

Result<Request> ParseSessionClose(const Json& obj) {
  SessionCloseRequest req;
  STAFFGATE_PROTO_ASSIGN(req.session, RequiredShortField(obj, "session"));
  return req;
}

Result<Request> ParseRosterInstall(const Json& obj) {
  RosterInstallRequest req;
  STAFFGATE_PROTO_ASSIGN(req.path, GetString(obj, "path"));
  return req;
}

Result<Request> ParseBody(Op op, const Json& obj) {
  switch (op) {
    case Op::kCheck:
      return ParseCheck(obj);
    case Op::kSessionOpen:
      return ParseSessionOpen(obj);
    case Op::kSessionClose:
      return ParseSessionClose(obj);
    case Op::kStatus:
      return StatusRequest{};
    case Op::kSessions:
      return SessionsRequest{};
    case Op::kSync:
      return SyncRequest{};
    case Op::kReload:
      return ReloadRequest{};
    case Op::kRosterInstall:
      return ParseRosterInstall(obj);
  }
  return Fail(ErrorKind::kInternal, "unhandled op");
}

void PutLogin(const LoginFields& login, Json& obj) {
  obj["account"] = login.account;
  if (!login.service.empty()) obj["service"] = login.service;
  if (!login.tty.empty()) obj["tty"] = login.tty;
  if (!login.rhost.empty()) obj["rhost"] = login.rhost;
}

struct RequestWriter {
  Json& obj;
  void operator()(const CheckRequest& r) const {
    obj["phase"] = PhaseName(r.phase);
    PutLogin(r.login, obj);
  }
  void operator()(const SessionOpenRequest& r) const {
    PutLogin(r.login, obj);
    obj["session"] = r.session;
    if (r.pid > 0) obj["pid"] = r.pid;
  }
  void operator()(const SessionCloseRequest& r) const { obj["session"] = r.session; }
  void operator()(const RosterInstallRequest& r) const { obj["path"] = r.path; }
  // Status, sessions, sync, reload: the op says it all.
  template <typename Bare>
  void operator()(const Bare&) const {}
};

}  // namespace

Op OpOf(const Request& request) { return static_cast<Op>(request.index()); }

const LoginFields* LoginOf(const Request& request) {
  if (auto* check = std::get_if<CheckRequest>(&request)) return &check->login;
  if (auto* open = std::get_if<SessionOpenRequest>(&request)) return &open->login;
  return nullptr;
}

Result<Request> ParseRequest(std::string_view line) {
  auto parsed = protocol_internal::ParseLineObject(line, "request");
  if (!parsed) return tl::unexpected(parsed.error());
  const Json& obj = *parsed;
  auto v = obj.find("v");
  if (v == obj.end() || !v->is_number_integer()) {
    return Fail(ErrorKind::kInvalidInput, "missing protocol version \"v\"");
  }
  if (v->get<std::int64_t>() != kProtocolVersion) {
    return Fail(ErrorKind::kInvalidInput, "unsupported protocol version");
  }
  auto op_name = GetString(obj, "op");
  if (!op_name) return tl::unexpected(op_name.error());
  auto op = ParseOp(*op_name);
  if (!op) return Fail(ErrorKind::kInvalidInput, "unknown op '" + op_name->substr(0, 64) + "'");
  return ParseBody(*op, obj);
}

std::string SerializeRequest(const Request& request) {
  Json obj = {{"v", kProtocolVersion}, {"op", OpName(OpOf(request))}};
  std::visit(RequestWriter{obj}, request);
  return DumpJson(obj);
}

}  // namespace staffgate::common
