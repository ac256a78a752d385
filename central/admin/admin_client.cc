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
  auto resp = common::TransferHttps(options_, req);
  if (!resp) {
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
  const long status = resp->status;
  auto parsed = common::ParseJson(resp->body, common::JsonLimits{kMaxResponseBytes, 64});
  if (status >= 200 && status < 300) {
    if (status == 204) return Json(nullptr);  // No Content.
    if (!parsed) return Fail(ErrorKind::kInternal, "the central sent an unreadable answer");
    return parsed;
  }
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
  return Fail(kind, message);
}

}  // namespace staffgate::central::admin
