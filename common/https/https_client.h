// The one HTTPS client of staffgate (libcurl), used by the agent (roster
// fetch, events, leases, enroll) and staffgate-admin, with one set of safe
// settings: TLS 1.2+ verified against the given CA file (peer and host
// name), https only, no redirects followed, connect and total timeouts, no
// signals (safe in threads), and the response body capped in the write
// callback (Debian's curl 7.88 does not stop a transfer in progress on
// CURLOPT_MAXFILESIZE). Its own library, staffgate_https, so the PAM module
// and staffgate_common never link libcurl.
#ifndef STAFFGATE_COMMON_HTTPS_HTTPS_CLIENT_H_
#define STAFFGATE_COMMON_HTTPS_HTTPS_CLIENT_H_

#include <atomic>
#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <tl/expected.hpp>
#include <vector>

#include "common/result.h"
#include "common/url_encode.h"  // UrlEncode for the paths of requests.

namespace staffgate::common {

// libcurl's process-wide state: one, in main, before any thread starts.
class HttpsGlobal {
 public:
  HttpsGlobal();
  ~HttpsGlobal();
  HttpsGlobal(const HttpsGlobal&) = delete;
  HttpsGlobal& operator=(const HttpsGlobal&) = delete;
};

struct HttpsOptions {
  std::string central_url;  // "https://host:port"; trailing slashes are ignored.
  std::string ca_file;      // PEM the central's certificate must chain to.
  std::string token;        // Sent as a Bearer credential; never logged. Empty: none.
  std::string user_agent;   // "staffgated/<version>".
  int connect_timeout_s = 5;
  std::size_t max_body_bytes = 16U << 20;
  // Set by another thread to abort a transfer in progress (shutdown).
  const std::atomic<bool>* stop = nullptr;
};

struct HttpsRequest {
  std::string method = "GET";
  std::string path;  // "/v1/roster": appended to HttpsOptions::central_url.
  // When not empty, used instead of HttpsOptions::central_url: one client
  // (and its kept-alive connections) serves several centrals.
  std::string central_url;
  std::string body;  // Sent for every method but GET.
  std::string content_type = "application/json";
  std::vector<std::string> headers;  // Extra "Name: value" lines.
  int total_timeout_s = 30;
  int total_timeout_ms = 0;  // When > 0, used instead of total_timeout_s (short calls).
  // Response headers to hand back in HttpsResponse::headers (by this name).
  std::vector<std::string> response_headers;
};

struct HttpsResponse {
  long status = 0;
  std::string body;
  // Retry-After in seconds (from delta-seconds or an HTTP date), when sent.
  std::optional<long> retry_after_s;
  // The HttpsRequest::response_headers the answer carried (last value).
  std::map<std::string, std::string> headers;
};

// Why a transfer produced no response, so each program words it for its
// users (TransferErrorToError is the agent's wording).
struct TransferError {
  enum class Cause {
    kInit,      // curl_easy_init failed.
    kTooLarge,  // The body exceeded max_body_bytes.
    kTimeout,   // A timeout passed.
    kStopped,   // HttpsOptions::stop was set.
    kTls,       // The central's certificate did not verify (or TLS failed).
    kNetwork,   // Anything else: DNS, refused, reset.
  };
  Cause cause;
  std::string url;     // The full URL asked for.
  std::string detail;  // curl's description; for kTls, one sentence naming the cause.
  // kTimeout: whether the connection (TCP and TLS) was up when the time
  // ran out. False: the central never finished the handshake (hung, or
  // the network dropping packets); true: it did not answer in time.
  bool connected = false;
};
using TransferResult = tl::expected<HttpsResponse, TransferError>;

// The agent's words for a failed transfer: kTooLarge, kTimeout,
// kUnavailable (stopped, TLS, network) or kInternal, with one sentence.
Error TransferErrorToError(const TransferError& error, std::size_t max_body_bytes);

// One request on a fresh connection. Any HTTP status is a response.
// Thread-safe (nothing shared).
TransferResult TransferHttps(const HttpsOptions& options, const HttpsRequest& req);
// The same with the agent's error words.
Result<HttpsResponse> PerformHttps(const HttpsOptions& options, const HttpsRequest& req);

// One kept-alive connection to the central for short, frequent calls
// (leases): saves the TCP and TLS handshakes of PerformHttps on every call.
// Thread-safe: a call made while the handle is busy uses a fresh one, so
// one slow answer never eats the next caller's deadline.
class HttpsClient {
 public:
  explicit HttpsClient(HttpsOptions options);
  ~HttpsClient();
  HttpsClient(const HttpsClient&) = delete;
  HttpsClient& operator=(const HttpsClient&) = delete;

  TransferResult Transfer(const HttpsRequest& req);
  Result<HttpsResponse> Perform(const HttpsRequest& req);
  const HttpsOptions& options() const { return options_; }

 private:
  HttpsOptions options_;
  std::mutex mu_;
  void* handle_ = nullptr;  // CURL*, created on first use; guarded by mu_.
};

}  // namespace staffgate::common

#endif  // STAFFGATE_COMMON_HTTPS_HTTPS_CLIENT_H_
