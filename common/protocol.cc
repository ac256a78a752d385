#include "common/protocol.h"

#include <cstring>
#include <initializer_list>
#include <utility>

#include "common/auth_api.h"
#include "common/json_util.h"
#include "common/protocol_fields.h"
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

// `head` (a JSON object) with `secrets` appended as string members, built
// in one buffer reserved up front so no copy of a secret is freed unwiped.
std::string WithSecrets(const Json& head,
                        std::initializer_list<std::pair<const char*, const std::string*>> secrets) {
  const std::string first = DumpJson(head);
  std::size_t bound = first.size();
  for (const auto& [key, value] : secrets) bound += std::strlen(key) + 4 + JsonStringBound(*value);
  std::string out;
  out.reserve(bound);
  out.append(first, 0, first.size() - 1);  // Without the closing brace.
  for (const auto& [key, value] : secrets) {
    out += ",\"";
    out += key;
    out += "\":";
    AppendJsonString(out, *value);
  }
  out += '}';
  return out;
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
  void operator()(const PasswordChangedRequest& r) const { obj["account"] = r.account; }
  // Written by WithSecrets (SerializeRequest), never here.
  void operator()(const AuthenticateRequest& /*unused*/) const {}
  void operator()(const ChauthtokRequest& /*unused*/) const {}
  // Status, sessions, sync, reload: the op says it all.
  template <typename Bare>
  void operator()(const Bare& /*unused*/) const {}
};

}  // namespace

Op OpOf(const Request& request) { return static_cast<Op>(request.index()); }

const LoginFields* LoginOf(const Request& request) {
  if (const auto* check = std::get_if<CheckRequest>(&request)) return &check->login;
  if (const auto* open = std::get_if<SessionOpenRequest>(&request)) return &open->login;
  return nullptr;
}

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
  Json obj = {{"v", kProtocolVersion}, {"op", OpName(OpOf(request))}};
  if (const auto* auth = std::get_if<AuthenticateRequest>(&request)) {
    obj["account"] = auth->account;
    if (!auth->service.empty()) obj["service"] = auth->service;
    if (!auth->rhost.empty()) obj["rhost"] = auth->rhost;
    return WithSecrets(obj, {{"password", &auth->password}});
  }
  if (const auto* change = std::get_if<ChauthtokRequest>(&request)) {
    obj["account"] = change->account;
    return WithSecrets(obj, {{"old", &change->old_password}, {"new", &change->new_password}});
  }
  std::visit(RequestWriter{obj}, request);
  return DumpJson(obj);
}

const std::string* AccountOf(const Request& request) {
  if (const auto* login = LoginOf(request)) return &login->account;
  if (const auto* auth = std::get_if<AuthenticateRequest>(&request)) return &auth->account;
  if (const auto* change = std::get_if<ChauthtokRequest>(&request)) return &change->account;
  if (const auto* done = std::get_if<PasswordChangedRequest>(&request)) return &done->account;
  return nullptr;
}

void WipeSecrets(Request& request) {
  if (auto* auth = std::get_if<AuthenticateRequest>(&request)) WipeString(auth->password);
  if (auto* change = std::get_if<ChauthtokRequest>(&request)) {
    WipeString(change->old_password);
    WipeString(change->new_password);
  }
}

}  // namespace staffgate::common
