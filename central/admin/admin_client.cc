#include "central/admin/admin_client.h"

#include <utility>

namespace staffgate::central::admin {

using common::ErrorKind;
using common::Fail;
using common::Json;

namespace {

constexpr int kConnectTimeoutS = 10;

}  // namespace

AdminClient::AdminClient(std::string central_url, std::string ca_file, std::string token,
                         int total_timeout_s)
    : total_timeout_s_(total_timeout_s > 0 ? total_timeout_s : kTotalTimeoutS) {
  options_.central_url = std::move(central_url);
  options_.ca_file = std::move(ca_file);
  options_.token = std::move(token);
  options_.user_agent = "staffgate-admin/" STAFFGATE_VERSION;
  options_.connect_timeout_s = kConnectTimeoutS;
  options_.max_body_bytes = kMaxResponseBytes;
}

common::Result<common::HttpsResponse> AdminClient::Exchange(const common::HttpsRequest& req,
                                                            int timeout) {
  auto resp = common::TransferHttps(options_, req);
  if (resp) return std::move(*resp);
  using Cause = common::TransferError::Cause;
  switch (resp.error().cause) {
    case Cause::kInit:
      return Fail(ErrorKind::kInternal, "cannot initialise libcurl");
    case Cause::kTooLarge:
      return Fail(ErrorKind::kTooLarge, "the central's answer exceeds 64 MiB");
    case Cause::kTimeout:
      return Fail(ErrorKind::kTimeout, "the central at " + options_.central_url +
                                           " did not answer within " + std::to_string(timeout) +
                                           " s");
    default:
      return Fail(ErrorKind::kUnavailable, "cannot reach the central at " + options_.central_url +
                                               ": " + resp.error().detail);
  }
}

namespace {

// The error of a non-2xx answer: the central's message, by status.
common::Error AnswerError(long status, const common::Result<Json>& parsed) {
  std::string message = "HTTP " + std::to_string(status);
  if (parsed && parsed->is_object() && parsed->contains("message") &&
      (*parsed)["message"].is_string()) {
    message = (*parsed)["message"].get<std::string>();
  }
  ErrorKind kind = status == 401   ? ErrorKind::kForbidden
                   : status == 404 ? ErrorKind::kNotFound
                   : status < 500  ? ErrorKind::kInvalidInput
                                   : ErrorKind::kInternal;
  if (status == 401) message = "the central refused the admin token (" + message + ")";
  return common::Error{kind, message};
}

}  // namespace

common::Result<Json> AdminClient::Call(const std::string& method, const std::string& path,
                                       const std::string& body, const std::string& content_type,
                                       int timeout_s) {
  common::HttpsRequest req;
  req.method = method;
  req.path = path;
  req.body = body;
  req.content_type = content_type;
  const int timeout = timeout_s > 0 ? timeout_s : total_timeout_s_;
  req.total_timeout_s = timeout;
  auto resp = Exchange(req, timeout);
  if (!resp) return tl::unexpected(resp.error());
  const long status = resp->status;
  auto parsed = common::ParseJson(resp->body, common::JsonLimits{kMaxResponseBytes, 64});
  if (status >= 200 && status < 300) {
    if (status == 204) return Json(nullptr);  // No Content.
    if (!parsed) return Fail(ErrorKind::kInternal, "the central sent an unreadable answer");
    return parsed;
  }
  return tl::unexpected(AnswerError(status, parsed));
}

common::Result<std::string> AdminClient::GetText(const std::string& path) {
  common::HttpsRequest req;
  req.path = path;
  req.total_timeout_s = total_timeout_s_;
  auto resp = Exchange(req, total_timeout_s_);
  if (!resp) return tl::unexpected(resp.error());
  if (resp->status >= 200 && resp->status < 300) return std::move(resp->body);
  return tl::unexpected(
      AnswerError(resp->status, common::ParseJson(resp->body, common::JsonLimits{1 << 20, 16})));
}

}  // namespace staffgate::central::admin
