#include "common/protocol.h"

#include <utility>

#include "common/auth_api.h"
#include "common/json_util.h"
#include "common/protocol_fields.h"
#include "common/protocol_module.h"
#include "common/secret.h"

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

// A password: required, a string within kMaxPasswordBytes, no NUL. The
// messages name the field only; the value is wiped from `obj` as it is
// taken out, so the parsed document holds no copy.
Result<std::string> SecretField(Json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end())
    return Fail(ErrorKind::kInvalidInput, std::string("missing \"") + key + "\"");
  if (!it->is_string()) {
    return Fail(ErrorKind::kInvalidInput, std::string("\"") + key + "\" must be a string");
  }
  std::string value = std::move(it->get_ref<std::string&>());
  if (value.size() > kMaxPasswordBytes || value.find('\0') != std::string::npos) {
    WipeString(value);
    return Fail(ErrorKind::kInvalidInput, std::string("\"") + key + "\" is longer than " +
                                              std::to_string(kMaxPasswordBytes) +
                                              " bytes or contains NUL");
  }
  return value;
}

Result<Request> ParseAuthenticate(Json& obj) {
  AuthenticateRequest req;
  STAFFGATE_PROTO_ASSIGN(req.account, RequiredShortField(obj, "account"));
  STAFFGATE_PROTO_ASSIGN(req.service, ShortField(obj, "service"));
  STAFFGATE_PROTO_ASSIGN(req.rhost, ShortField(obj, "rhost"));
  STAFFGATE_PROTO_ASSIGN(req.password, SecretField(obj, "password"));
  return req;
}

Result<Request> ParseChauthtok(Json& obj) {
  ChauthtokRequest req;
  STAFFGATE_PROTO_ASSIGN(req.account, RequiredShortField(obj, "account"));
  STAFFGATE_PROTO_ASSIGN(req.old_password, SecretField(obj, "old"));
  auto fresh = SecretField(obj, "new");
  if (!fresh) {
    WipeString(req.old_password);
    return tl::unexpected(fresh.error());
  }
  req.new_password = std::move(*fresh);
  return req;
}

// Wipes every string value left in a parsed request object (the secrets
// of a request that failed half-way).
void WipeStrings(Json& obj) {
  for (const auto& item : obj.items()) {
    if (item.value().is_string()) WipeString(item.value().get_ref<std::string&>());
  }
}

Result<Request> ParseBody(Op op, Json& obj) {
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
    case Op::kAuthenticate:
      return ParseAuthenticate(obj);
    case Op::kChauthtok:
      return ParseChauthtok(obj);
    case Op::kPasswordChanged: {
      PasswordChangedRequest req;
      STAFFGATE_PROTO_ASSIGN(req.account, RequiredShortField(obj, "account"));
      return req;
    }
  }
  return Fail(ErrorKind::kInternal, "unhandled op");
}

// The ops left to nlohmann here: status, sessions, sync, reload and
// roster_install (the module's own ops are common/protocol_module.h's).
struct RequestWriter {
  Json& obj;
  void operator()(const RosterInstallRequest& r) const { obj["path"] = r.path; }
  // Status, sessions, sync, reload: the op says it all.
  template <typename Other>
  void operator()(const Other& /*unused*/) const {}
};

}  // namespace

Result<Request> ParseRequest(std::string_view line) {
  auto parsed = protocol_internal::ParseLineObject(line, "request");
  if (!parsed) return tl::unexpected(parsed.error());
  Json& obj = *parsed;
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
  auto request = ParseBody(*op, obj);
  if (IsPasswordOp(*op)) WipeStrings(obj);
  return request;
}

std::string SerializeRequest(const Request& request) {
  if (IsModuleOp(OpOf(request))) return EncodeModuleRequest(request);
  Json obj = {{"v", kProtocolVersion}, {"op", OpName(OpOf(request))}};
  std::visit(RequestWriter{obj}, request);
  return DumpJson(obj);
}

}  // namespace staffgate::common
