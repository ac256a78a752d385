// staffgate-admin's client of the central's admin API, over common/https
// (TLS verified against the central's CA, the admin token as Bearer,
// answers capped at kMaxResponseBytes).
#ifndef STAFFGATE_CENTRAL_ADMIN_ADMIN_CLIENT_H_
#define STAFFGATE_CENTRAL_ADMIN_ADMIN_CLIENT_H_

#include <string>

#include "common/https/https_client.h"
#include "common/json_util.h"
#include "common/result.h"

namespace staffgate::central::admin {

inline constexpr std::size_t kMaxResponseBytes = 64UL * 1024 * 1024;
// Seconds a call may take by default (--timeout): an import of a large CSV
// takes a while at the central.
inline constexpr int kTotalTimeoutS = 120;

class AdminClient {
 public:
  // `central_url` is https://host:port; `token` is never logged or printed.
  // `total_timeout_s` <= 0: kTotalTimeoutS.
  AdminClient(std::string central_url, std::string ca_file, std::string token,
              int total_timeout_s = 0);

  // Sends one request and returns the parsed JSON answer of a 2xx (null
  // for 204 No Content).
  // Errors: kUnavailable (network/TLS), kTimeout (no answer within
  // kTotalTimeoutS: a change may still be applied), kTooLarge (answer over the
  // cap), kForbidden (401), kInvalidInput/kNotFound/kInternal for
  // 400/404/5xx with the central's message.
  common::Result<common::Json> Call(const std::string& method, const std::string& path,
                                    const std::string& body = "",
                                    const std::string& content_type = "application/json",
                                    int timeout_s = 0);  // <= 0: the client's timeout.
  // A GET whose 2xx answer is returned as it came (a rendered report);
  // errors as for Call.
  common::Result<std::string> GetText(const std::string& path);

 private:
  // One exchange: the answer of any status, or the transport's error.
  common::Result<common::HttpsResponse> Exchange(const common::HttpsRequest& req, int timeout_s);
  int total_timeout_s_;
  common::HttpsOptions options_;
};

}  // namespace staffgate::central::admin

#endif  // STAFFGATE_CENTRAL_ADMIN_ADMIN_CLIENT_H_
