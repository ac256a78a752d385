#include "common/protocol_module.h"

#include <cstdint>
#include <initializer_list>
#include <utility>

#include "common/json_line.h"
#include "common/protocol_assign.h"
#include "common/secret.h"

namespace staffgate::common {
namespace {

using Type = JsonValue::Type;

// The cap of a short field (names, ids, ttys), as protocol_fields.cc.
constexpr std::size_t kMaxFieldBytes = 256;

// One object written key by key into a buffer reserved up front: keys in
// byte order, as nlohmann's sorted objects were written, and never a
// reallocation (a secret's copy would be freed unwiped).
class LineWriter {
 public:
  explicit LineWriter(std::size_t bound) { out_.reserve(bound + 64); }

  void Text(const char* key, const std::string& value) {
    Key(key);
    AppendJsonText(out_, value);
  }
  void OptionalText(const char* key, const std::string& value) {
    if (!value.empty()) Text(key, value);
  }
  void Name(const char* key, std::string_view value) {
    Key(key);
    AppendJsonText(out_, value);
  }
  void Integer(const char* key, std::int64_t value) {
    Key(key);
    out_ += std::to_string(value);
  }
  // A password, written as the agent has always read it (common/secret.h).
  void Secret(const char* key, const std::string& value) {
    Key(key);
    AppendJsonString(out_, value);
  }
  std::string Finish() {
    out_ += '}';
    return std::move(out_);
  }

 private:
  void Key(const char* key) {
    out_ += out_.empty() ? "{\"" : ",\"";
    out_ += key;
    out_ += "\":";
  }

  std::string out_;
};

// Room for the fields of a request: each string escaped at worst, its key
// and punctuation (LineWriter adds 64 for the op, "v" and digits).
std::size_t Bound(std::initializer_list<const std::string*> fields) {
  std::size_t bound = 0;
  for (const std::string* field : fields) bound += 24 + JsonStringBound(*field);
  return bound;
}

std::string OpValue(Op op) { return std::string(OpName(op)); }

std::string EncodeCheck(const CheckRequest& r) {
  const LoginFields& l = r.login;
  LineWriter w(Bound({&l.account, &l.service, &l.tty, &l.rhost}));
  w.Text("account", l.account);
  w.Name("op", OpName(Op::kCheck));
  w.Name("phase", PhaseName(r.phase));
  w.OptionalText("rhost", l.rhost);
  w.OptionalText("service", l.service);
  w.OptionalText("tty", l.tty);
  w.Integer("v", kProtocolVersion);
  return w.Finish();
}

std::string EncodeSessionOpen(const SessionOpenRequest& r) {
  const LoginFields& l = r.login;
  LineWriter w(Bound({&l.account, &l.service, &l.tty, &l.rhost, &r.session}));
  w.Text("account", l.account);
  w.Name("op", OpName(Op::kSessionOpen));
  if (r.pid > 0) w.Integer("pid", r.pid);
  w.OptionalText("rhost", l.rhost);
  w.OptionalText("service", l.service);
  w.Text("session", r.session);
  w.OptionalText("tty", l.tty);
  w.Integer("v", kProtocolVersion);
  return w.Finish();
}

std::string EncodeAuthenticate(const AuthenticateRequest& r) {
  LineWriter w(Bound({&r.account, &r.password, &r.service, &r.rhost}));
  w.Text("account", r.account);
  w.Name("op", OpName(Op::kAuthenticate));
  w.OptionalText("rhost", r.rhost);
  w.OptionalText("service", r.service);
  w.Integer("v", kProtocolVersion);
  w.Secret("password", r.password);
  return w.Finish();
}

std::string EncodeChauthtok(const ChauthtokRequest& r) {
  LineWriter w(Bound({&r.account, &r.old_password, &r.new_password}));
  w.Text("account", r.account);
  w.Name("op", OpName(Op::kChauthtok));
  w.Integer("v", kProtocolVersion);
  w.Secret("old", r.old_password);
  w.Secret("new", r.new_password);
  return w.Finish();
}

// Field readers with the rules and messages of protocol_fields.h.
Result<void> WrongType(const char* key, const char* type) {
  return Fail(ErrorKind::kInvalidInput, std::string("\"") + key + "\" must be " + type);
}

// Required string (GetString): missing or another type is an error.
Result<std::string> RequiredString(const JsonLine& obj, const char* key) {
  const JsonValue* v = obj.Find(key);
  if (v == nullptr) return Fail(ErrorKind::kInvalidInput, std::string("missing \"") + key + "\"");
  if (v->type != Type::kString) return tl::unexpected(WrongType(key, "a string").error());
  return v->text;
}

// TextField: missing or null is "".
Result<std::string> Text(const JsonLine& obj, const char* key) {
  const JsonValue* v = obj.Find(key);
  if (v == nullptr || v->type == Type::kNull) return std::string();
  if (v->type != Type::kString) return tl::unexpected(WrongType(key, "a string").error());
  return v->text;
}

// ShortField: TextField within kMaxFieldBytes and without NUL.
Result<std::string> Short(const JsonLine& obj, const char* key) {
  auto text = Text(obj, key);
  if (!text) return text;
  if (text->size() > kMaxFieldBytes) {
    return Fail(ErrorKind::kInvalidInput, std::string("\"") + key + "\" is too long");
  }
  if (text->find('\0') != std::string::npos) {
    return Fail(ErrorKind::kInvalidInput, std::string("\"") + key + "\" contains NUL");
  }
  return text;
}

Result<Response> DecodeError(const JsonLine& obj) {
  ErrorReply reply;
  STAFFGATE_PROTO_ASSIGN(reply.error, RequiredString(obj, "error"));
  STAFFGATE_PROTO_ASSIGN(reply.message, Text(obj, "message"));
  STAFFGATE_PROTO_ASSIGN(reply.kind, Text(obj, "kind"));
  return reply;
}

Result<Response> DecodeDecision(const JsonLine& obj) {
  DecisionReply reply;
  std::string name;
  STAFFGATE_PROTO_ASSIGN(name, RequiredString(obj, "decision"));
  auto decision = ParseDecision(name);
  if (!decision) return Fail(ErrorKind::kInvalidInput, "unknown decision");
  reply.decision = *decision;
  STAFFGATE_PROTO_ASSIGN(name, RequiredString(obj, "reason"));
  reply.reason = ParseReason(name);
  STAFFGATE_PROTO_ASSIGN(reply.message, Text(obj, "message"));
  // UintField: missing or null is 0.
  if (const JsonValue* serial = obj.Find("serial");
      serial != nullptr && serial->type != Type::kNull) {
    if (serial->type != Type::kUnsigned) {
      return tl::unexpected(WrongType("serial", "a non-negative integer").error());
    }
    reply.serial = serial->unsigned_value;
  }
  STAFFGATE_PROTO_ASSIGN(reply.lease, Short(obj, "lease"));
  STAFFGATE_PROTO_ASSIGN(reply.lease_workstation, Text(obj, "lease_workstation"));
  return reply;
}

Result<Response> DecodeOk(Op op, const JsonLine& obj) {
  switch (op) {
    case Op::kCheck:
    case Op::kSessionOpen:
    case Op::kAuthenticate:
      return DecodeDecision(obj);
    case Op::kChauthtok:
    case Op::kPasswordChanged:
      return ChauthtokReply{};
    case Op::kSessionClose: {
      // BoolField: missing is false.
      SessionCloseReply reply;
      if (const JsonValue* closed = obj.Find("closed")) {
        if (closed->type != Type::kBool) {
          return tl::unexpected(WrongType("closed", "true or false").error());
        }
        reply.closed = closed->boolean;
      }
      return reply;
    }
    default:
      break;
  }
  return Fail(ErrorKind::kInternal, "op '" + OpValue(op) + "' is not one the module sends");
}

}  // namespace

bool IsModuleOp(Op op) {
  switch (op) {
    case Op::kCheck:
    case Op::kSessionOpen:
    case Op::kSessionClose:
    case Op::kAuthenticate:
    case Op::kChauthtok:
    case Op::kPasswordChanged:
      return true;
    default:
      return false;
  }
}

std::string EncodeModuleRequest(const Request& request) {
  if (const auto* check = std::get_if<CheckRequest>(&request)) return EncodeCheck(*check);
  if (const auto* open = std::get_if<SessionOpenRequest>(&request)) return EncodeSessionOpen(*open);
  if (const auto* close = std::get_if<SessionCloseRequest>(&request)) {
    LineWriter w(Bound({&close->session}));
    w.Name("op", OpName(Op::kSessionClose));
    w.Text("session", close->session);
    w.Integer("v", kProtocolVersion);
    return w.Finish();
  }
  if (const auto* auth = std::get_if<AuthenticateRequest>(&request)) {
    return EncodeAuthenticate(*auth);
  }
  if (const auto* change = std::get_if<ChauthtokRequest>(&request)) return EncodeChauthtok(*change);
  if (const auto* done = std::get_if<PasswordChangedRequest>(&request)) {
    LineWriter w(Bound({&done->account}));
    w.Text("account", done->account);
    w.Name("op", OpName(Op::kPasswordChanged));
    w.Integer("v", kProtocolVersion);
    return w.Finish();
  }
  return {};
}

Result<Response> DecodeModuleReply(Op op, std::string_view line) {
  if (!IsModuleOp(op)) {
    return Fail(ErrorKind::kInternal, "op '" + OpValue(op) + "' is not one the module sends");
  }
  auto parsed = ParseJsonLine(line, kMaxLineBytes, "response");
  if (!parsed) return tl::unexpected(parsed.error());
  const JsonLine& obj = *parsed;
  const JsonValue* ok = obj.Find("ok");
  if (ok == nullptr || ok->type != Type::kBool) {
    return Fail(ErrorKind::kInvalidInput, "response lacks \"ok\"");
  }
  // "message" is text wherever it appears.
  if (auto message = Text(obj, "message"); !message) return tl::unexpected(message.error());
  if (!ok->boolean) return DecodeError(obj);
  return DecodeOk(op, obj);
}

}  // namespace staffgate::common
