#include "common/auth_api.h"

#include <array>
#include <utility>

#include "common/json_util.h"

namespace staffgate::common {
namespace {

constexpr std::size_t kMaxAccountBytes = 256;
constexpr std::size_t kMaxFieldBytes = 1024;  // service, rhost, messages

struct ResultName {
  VerifyResult result;
  std::string_view name;
};
constexpr std::array<ResultName, 5> kResultNames{{
    {VerifyResult::kOk, "ok"},
    {VerifyResult::kBadCredentials, "bad_credentials"},
    {VerifyResult::kLockedOut, "locked_out"},
    {VerifyResult::kResetRequired, "reset_required"},
    {VerifyResult::kNotManaged, "not_managed"},
}};

Result<Json> ParseObject(std::string_view body) {
  auto json = ParseJson(body, JsonLimits{kMaxAuthBodyBytes, 4});
  if (!json) return tl::unexpected(json.error());
  if (!json->is_object()) return Fail(ErrorKind::kInvalidInput, "the body must be a JSON object");
  return json;
}

// A string field within `cap` bytes, without NUL; never echoes the value.
Result<std::string> Field(const Json& obj, const char* key, bool required, std::size_t cap) {
  std::string value;
  if (required) {
    auto got = GetString(obj, key);
    if (!got) return got;
    value = std::move(*got);
  } else {
    auto got = GetOptionalString(obj, key);
    if (!got) return tl::unexpected(got.error());
    value = got->value_or("");
  }
  if (value.size() > cap) {
    return Fail(ErrorKind::kInvalidInput,
                std::string("\"") + key + "\" is longer than " + std::to_string(cap) + " bytes");
  }
  if (value.find('\0') != std::string::npos) {
    return Fail(ErrorKind::kInvalidInput, std::string("\"") + key + "\" contains a NUL byte");
  }
  return value;
}

Result<std::string> Account(const Json& obj) {
  auto account = Field(obj, "account", true, kMaxAccountBytes);
  if (account && account->empty()) return Fail(ErrorKind::kInvalidInput, "\"account\" is empty");
  return account;
}

}  // namespace

std::string_view VerifyResultName(VerifyResult result) {
  for (const auto& entry : kResultNames) {
    if (entry.result == result) return entry.name;
  }
  return "bad_credentials";
}

Result<VerifyRequest> ParseVerifyRequest(std::string_view body) {
  auto obj = ParseObject(body);
  if (!obj) return tl::unexpected(obj.error());
  VerifyRequest request;
  auto account = Account(*obj);
  if (!account) return tl::unexpected(account.error());
  auto password = Field(*obj, "password", true, kMaxPasswordBytes);
  if (!password) return tl::unexpected(password.error());
  auto service = Field(*obj, "service", false, kMaxFieldBytes);
  if (!service) return tl::unexpected(service.error());
  auto rhost = Field(*obj, "rhost", false, kMaxFieldBytes);
  if (!rhost) return tl::unexpected(rhost.error());
  return VerifyRequest{std::move(*account), std::move(*password), std::move(*service),
                       std::move(*rhost)};
}

std::string SerializeVerifyRequest(const VerifyRequest& request) {
  return DumpJson(Json{{"account", request.account},
                       {"password", request.password},
                       {"service", request.service},
                       {"rhost", request.rhost}});
}

Result<VerifyAnswer> ParseVerifyAnswer(std::string_view body) {
  auto obj = ParseObject(body);
  if (!obj) return tl::unexpected(obj.error());
  auto name = Field(*obj, "result", true, kMaxFieldBytes);
  if (!name) return tl::unexpected(name.error());
  for (const auto& entry : kResultNames) {
    if (entry.name == *name) return VerifyAnswer{entry.result};
  }
  return Fail(ErrorKind::kInvalidInput, "unknown \"result\"");
}

std::string SerializeVerifyAnswer(const VerifyAnswer& answer) {
  return DumpJson(Json{{"result", std::string(VerifyResultName(answer.result))}});
}

Result<ChangeRequest> ParseChangeRequest(std::string_view body) {
  auto obj = ParseObject(body);
  if (!obj) return tl::unexpected(obj.error());
  auto account = Account(*obj);
  if (!account) return tl::unexpected(account.error());
  auto old_password = Field(*obj, "old", true, kMaxPasswordBytes);
  if (!old_password) return tl::unexpected(old_password.error());
  auto new_password = Field(*obj, "new", true, kMaxPasswordBytes);
  if (!new_password) return tl::unexpected(new_password.error());
  return ChangeRequest{std::move(*account), std::move(*old_password), std::move(*new_password)};
}

std::string SerializeChangeRequest(const ChangeRequest& request) {
  return DumpJson(Json{
      {"account", request.account}, {"old", request.old_password}, {"new", request.new_password}});
}

Result<ChangeRefusal> ParseChangeRefusal(std::string_view body) {
  auto obj = ParseObject(body);
  if (!obj) return tl::unexpected(obj.error());
  auto error = Field(*obj, "error", true, kMaxFieldBytes);
  if (!error) return tl::unexpected(error.error());
  auto message = Field(*obj, "message", false, kMaxFieldBytes);
  if (!message) return tl::unexpected(message.error());
  return ChangeRefusal{std::move(*error), std::move(*message)};
}

std::string SerializeChangeRefusal(const ChangeRefusal& refusal) {
  return DumpJson(Json{{"error", refusal.error}, {"message", refusal.message}});
}

}  // namespace staffgate::common
