// staffgate-admin's HTTPS client (libcurl): TLS verified against the
// central's CA, the admin token as Bearer, response bodies capped in the
// write callback (Debian's curl does not stop a transfer for us).
#ifndef STAFFGATE_CENTRAL_ADMIN_ADMIN_CLIENT_H_
#define STAFFGATE_CENTRAL_ADMIN_ADMIN_CLIENT_H_

#include <string>

#include "common/json_util.h"
#include "common/result.h"

namespace staffgate::central::admin {

inline constexpr std::size_t kMaxResponseBytes = 64 * 1024 * 1024;

struct Connection {
  std::string central_url;  // https://host:port
  std::string ca_file;
  std::string token;  // Never logged or printed.
};

class AdminClient {
 public:
  explicit AdminClient(Connection connection) : conn_(std::move(connection)) {}

  // Sends one request and returns the parsed JSON answer of a 2xx (null
  // for 204 No Content).
  // Errors: kUnavailable (network/TLS), kTooLarge (answer over the cap),
  // kForbidden (401), kInvalidInput/kNotFound/kInternal for 400/404/5xx
  // with the central's message.
  common::Result<common::Json> Call(const std::string& method, const std::string& path,
                                    const std::string& body = "",
                                    const std::string& content_type = "application/json");

 private:
  Connection conn_;
};

}  // namespace staffgate::central::admin

#endif  // STAFFGATE_CENTRAL_ADMIN_ADMIN_CLIENT_H_
