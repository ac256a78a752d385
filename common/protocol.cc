#include "common/protocol.h"

namespace staffgate::common {
namespace {

// Longest account name we accept on the wire; POSIX tools cap at 32, we
// leave headroom and still refuse absurd input.
constexpr std::size_t kMaxFieldBytes = 256;

JsonLimits LineLimits() { return JsonLimits{kMaxLineBytes, 8}; }

Result<std::string> OptionalField(const Json& obj, const char* key) {
  auto value = GetOptionalString(obj, key);
  if (!value) return tl::unexpected(value.error());
  std::string out = value->value_or("");
  if (out.size() > kMaxFieldBytes) {
    return Fail(ErrorKind::kInvalidInput, std::string("\"") + key + "\" is too long");
  }
  if (out.find('\0') != std::string::npos) {
    return Fail(ErrorKind::kInvalidInput, std::string("\"") + key + "\" contains NUL");
  }
  return out;
}

Result<std::string> RequiredField(const Json& obj, const char* key) {
  if (!obj.contains(key)) {
    return Fail(ErrorKind::kInvalidInput, std::string("missing \"") + key + "\"");
  }
  auto value = OptionalField(obj, key);
  if (value && value->empty()) {
    return Fail(ErrorKind::kInvalidInput, std::string("\"") + key + "\" is empty");
  }
  return value;
}

}  // namespace

std::string_view OpName(Op op) {
  switch (op) {
    case Op::kCheck: return "check";
    case Op::kSessionOpen: return "session_open";
    case Op::kSessionClose: return "session_close";
    case Op::kStatus: return "status";
  }
  return "status";
}

std::string_view PhaseName(Phase phase) {
  switch (phase) {
    case Phase::kAuth: return "auth";
    case Phase::kAccount: return "account";
    case Phase::kSession: return "session";
  }
  return "account";
}

std::string_view DecisionName(Decision decision) {
  switch (decision) {
    case Decision::kAllow: return "allow";
    case Decision::kDeny: return "deny";
    case Decision::kIgnore: return "ignore";
    case Decision::kResetRequired: return "reset_required";
  }
  return "deny";
}

std::optional<Phase> ParsePhase(std::string_view name) {
  if (name == "auth") return Phase::kAuth;
  if (name == "account") return Phase::kAccount;
  if (name == "session") return Phase::kSession;
  return std::nullopt;
}

std::optional<Decision> ParseDecision(std::string_view name) {
  if (name == "allow") return Decision::kAllow;
  if (name == "deny") return Decision::kDeny;
  if (name == "ignore") return Decision::kIgnore;
  if (name == "reset_required") return Decision::kResetRequired;
  return std::nullopt;
}

Result<Request> ParseRequest(std::string_view line) {
  auto parsed = ParseJson(line, LineLimits());
  if (!parsed) return tl::unexpected(parsed.error());
  const Json& obj = *parsed;
  if (!obj.is_object()) return Fail(ErrorKind::kInvalidInput, "request must be a JSON object");
  auto v = obj.find("v");
  if (v == obj.end() || !v->is_number_integer()) {
    return Fail(ErrorKind::kInvalidInput, "missing protocol version \"v\"");
  }
  if (v->get<std::int64_t>() != kProtocolVersion) {
    return Fail(ErrorKind::kInvalidInput, "unsupported protocol version");
  }
  auto op_name = GetString(obj, "op");
  if (!op_name) return tl::unexpected(op_name.error());

  Request req;
  if (*op_name == "check") {
    req.op = Op::kCheck;
    auto phase_name = GetOptionalString(obj, "phase");
    if (!phase_name) return tl::unexpected(phase_name.error());
    auto phase = ParsePhase(phase_name->value_or("account"));
    if (!phase) return Fail(ErrorKind::kInvalidInput, "unknown phase '" + **phase_name + "'");
    req.phase = *phase;
  } else if (*op_name == "session_open") {
    req.op = Op::kSessionOpen;
    req.phase = Phase::kSession;
  } else if (*op_name == "session_close") {
    req.op = Op::kSessionClose;
    req.phase = Phase::kSession;
  } else if (*op_name == "status") {
    req.op = Op::kStatus;
    return req;
  } else {
    return Fail(ErrorKind::kInvalidInput, "unknown op '" + op_name->substr(0, 64) + "'");
  }

  if (req.op != Op::kSessionClose) {
    auto account = RequiredField(obj, "account");
    if (!account) return tl::unexpected(account.error());
    req.account = std::move(*account);
  }
  for (auto [key, field] : {std::pair{"service", &req.service}, std::pair{"tty", &req.tty},
                            std::pair{"rhost", &req.rhost}}) {
    auto value = OptionalField(obj, key);
    if (!value) return tl::unexpected(value.error());
    *field = std::move(*value);
  }
  if (req.op != Op::kCheck) {
    auto session = RequiredField(obj, "session");
    if (!session) return tl::unexpected(session.error());
    req.session = std::move(*session);
    auto pid = GetOptionalInt(obj, "pid");
    if (!pid) return tl::unexpected(pid.error());
    // A pid is positive and fits pid_t; anything else is not a process.
    if (pid->value_or(0) < 0 || pid->value_or(0) > 0x7fffffff) {
      return Fail(ErrorKind::kInvalidInput, "\"pid\" is out of range");
    }
    req.pid = pid->value_or(0);
  }
  return req;
}

std::string SerializeRequest(const Request& request) {
  Json obj = {{"v", kProtocolVersion}, {"op", OpName(request.op)}};
  if (request.op == Op::kCheck) obj["phase"] = PhaseName(request.phase);
  if (request.op == Op::kCheck || request.op == Op::kSessionOpen) {
    obj["account"] = request.account;
    if (!request.service.empty()) obj["service"] = request.service;
    if (!request.tty.empty()) obj["tty"] = request.tty;
    if (!request.rhost.empty()) obj["rhost"] = request.rhost;
  }
  if (request.op == Op::kSessionOpen || request.op == Op::kSessionClose) {
    obj["session"] = request.session;
  }
  if (request.op == Op::kSessionOpen && request.pid > 0) obj["pid"] = request.pid;
  return DumpJson(obj);
}

Result<Response> ParseResponse(std::string_view line) {
  auto parsed = ParseJson(line, LineLimits());
  if (!parsed) return tl::unexpected(parsed.error());
  Json& obj = *parsed;
  if (!obj.is_object()) return Fail(ErrorKind::kInvalidInput, "response must be a JSON object");
  auto ok = obj.find("ok");
  if (ok == obj.end() || !ok->is_boolean()) {
    return Fail(ErrorKind::kInvalidInput, "response lacks \"ok\"");
  }
  Response resp;
  resp.ok = ok->get<bool>();
  auto message = GetOptionalString(obj, "message");
  if (!message) return tl::unexpected(message.error());
  resp.message = message->value_or("");
  if (!resp.ok) {
    auto error = GetString(obj, "error");
    if (!error) return tl::unexpected(error.error());
    resp.error = std::move(*error);
  } else if (obj.contains("decision")) {
    auto name = GetString(obj, "decision");
    if (!name) return tl::unexpected(name.error());
    auto decision = ParseDecision(*name);
    if (!decision) return Fail(ErrorKind::kInvalidInput, "unknown decision");
    resp.decision = *decision;
    auto reason = GetString(obj, "reason");
    if (!reason) return tl::unexpected(reason.error());
    resp.reason = std::move(*reason);
  }
  if (auto serial = obj.find("serial"); serial != obj.end() && serial->is_number_unsigned()) {
    resp.serial = serial->get<std::uint64_t>();
  }
  for (const char* known : {"v", "ok", "decision", "reason", "message", "serial", "error"}) {
    obj.erase(known);
  }
  resp.extra = std::move(obj);
  return resp;
}

std::string SerializeResponse(const Response& response) {
  Json obj = {{"v", kProtocolVersion}, {"ok", response.ok}};
  if (response.ok) {
    if (!response.reason.empty()) {
      obj["decision"] = DecisionName(response.decision);
      obj["reason"] = response.reason;
      obj["message"] = response.message;
      obj["serial"] = response.serial;
    }
  } else {
    obj["error"] = response.error;
    obj["message"] = response.message;
  }
  if (response.extra.is_object()) {
    for (const auto& [key, value] : response.extra.items()) {
      if (!obj.contains(key)) obj[key] = value;
    }
  }
  return DumpJson(obj);
}

Response ErrorResponse(std::string error, std::string message) {
  Response resp;
  resp.ok = false;
  resp.error = std::move(error);
  resp.message = std::move(message);
  return resp;
}

}  // namespace staffgate::common
