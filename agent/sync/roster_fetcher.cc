#include "agent/sync/roster_fetcher.h"

#include "common/central_api.h"
#include "common/file_util.h"

namespace staffgate::agent {
namespace {

using common::ErrorKind;
using common::Fail;

constexpr std::size_t kMaxTokenBytes = 4096;
// Added to the long-poll wait for the total transfer deadline.
constexpr int kSlackS = 10;

}  // namespace

common::Result<std::string> ReadToken(const std::string& path) {
  auto token = common::ReadSecretFile(path, kMaxTokenBytes);
  if (!token) return tl::unexpected(token.error());
  std::string text = std::move(*token);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
    text.pop_back();
  }
  if (text.empty()) return Fail(ErrorKind::kInvalidInput, path + " is empty");
  return text;
}

std::string TrimSlashes(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

common::Result<FetchResult> CurlRosterSource::Fetch(const FetchRequest& request) {
  common::HttpsRequest req;
  req.path = "/v1/roster";
  req.central_url = request.central_url;
  const int wait_s = request.probe ? 0 : request.wait_s;
  if (request.current_serial) {
    req.headers.push_back("If-None-Match: \"" + std::to_string(*request.current_serial) + "\"");
    if (wait_s > 0) req.headers.push_back("Prefer: wait=" + std::to_string(wait_s));
  }
  // The connect deadline (HttpsOptions::connect_timeout_s, TCP and TLS)
  // catches a hung central; the total one only a hold that overran.
  req.total_timeout_s = wait_s + kSlackS;
  if (request.probe) req.total_timeout_ms = kProbeTimeoutMs;
  req.response_headers = {common::kLeaseEndedHeader, common::kWorkstationHeader};
  auto resp = common::PerformHttps(options_, req);
  if (!resp) return tl::unexpected(resp.error());
  const bool lease_ended = resp->headers.contains(common::kLeaseEndedHeader);
  auto name = resp->headers.find(common::kWorkstationHeader);
  std::string workstation = name == resp->headers.end() ? std::string() : name->second;
  switch (resp->status) {
    case 200:
      return FetchResult{false, std::move(resp->body), lease_ended, std::move(workstation)};
    case 304:
      return FetchResult{true, {}, lease_ended, std::move(workstation)};
    case 401:
    case 403:
      return Fail(ErrorKind::kPermission, "the central refused this workstation's token (HTTP " +
                                              std::to_string(resp->status) + ")");
    default:
      if (resp->status >= 500) {
        return Fail(ErrorKind::kUnavailable,
                    "the central answered HTTP " + std::to_string(resp->status));
      }
      return Fail(ErrorKind::kInvalidInput,
                  "unexpected HTTP " + std::to_string(resp->status) + " from the central");
  }
}

}  // namespace staffgate::agent
