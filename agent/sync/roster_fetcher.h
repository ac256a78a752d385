// Fetches the current roster envelope from the central service
// (GET /v1/roster, DESIGN.md §6) with libcurl: TLS always verified against
// the configured CA, the workstation token as a Bearer credential, connect
// and total timeouts, and the body capped in the write callback (Debian's
// curl 7.88 does not stop a transfer in progress on CURLOPT_MAXFILESIZE).
#ifndef STAFFGATE_AGENT_SYNC_ROSTER_FETCHER_H_
#define STAFFGATE_AGENT_SYNC_ROSTER_FETCHER_H_

#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"

namespace staffgate::agent {

struct FetchResult {
  bool not_modified = false;  // 304: the central has nothing newer.
  std::string envelope;       // 200: the body, not yet verified.
};

// Where rosters come from; injected so the sync loop is tested without a
// network.
class RosterSource {
 public:
  virtual ~RosterSource() = default;
  // Asks for a roster newer than `current_serial`, waiting up to `wait_s`
  // seconds for one (long-poll). Errors: kUnavailable (connection, TLS,
  // 5xx), kTimeout, kPermission (401/403: bad token), kTooLarge (body over
  // the cap), kInvalidInput (unexpected status). Thread-compatible.
  virtual common::Result<FetchResult> Fetch(std::optional<std::uint64_t> current_serial,
                                            int wait_s) = 0;
};

struct FetcherOptions {
  std::string central_url;  // "https://host:port", no trailing slash needed.
  std::string ca_file;
  std::string token;        // Never logged.
  std::string user_agent;   // "staffgated/<version>".
  int connect_timeout_s = 5;
  // Added to the long-poll wait for the total transfer deadline.
  int slack_s = 10;
  std::size_t max_body_bytes = 16 * 1024 * 1024;
  // Set by another thread to abort a transfer in progress (shutdown).
  const std::atomic<bool>* stop = nullptr;
};

class CurlRosterSource : public RosterSource {
 public:
  explicit CurlRosterSource(FetcherOptions options) : options_(std::move(options)) {}
  common::Result<FetchResult> Fetch(std::optional<std::uint64_t> current_serial,
                                    int wait_s) override;

 private:
  FetcherOptions options_;
};

// The workstation token in `path` without trailing whitespace (never
// logged). Errors: those of reading the file (kIo, kTooLarge), and
// kInvalidInput "PATH is empty".
common::Result<std::string> ReadToken(const std::string& path);

// "https://host:port/" -> "https://host:port", so paths can be appended.
std::string TrimSlashes(std::string url);

// Performs one HTTPS request with the same safety settings; shared by the
// fetcher, the event sender and enrollment. `body` empty means GET.
struct HttpResponse {
  long status = 0;
  std::string body;
};
struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::string> headers;
  int total_timeout_s = 30;
  int total_timeout_ms = 0;  // When > 0, used instead of total_timeout_s (short calls).
};
common::Result<HttpResponse> PerformHttps(const FetcherOptions& options, const HttpRequest& req);
// The same on a caller's CURL easy handle (connection reuse).
common::Result<HttpResponse> PerformHttpsOn(void* curl_handle, const FetcherOptions& options,
                                            const HttpRequest& req);

// One kept-alive connection to the central for short calls (leases):
// saves the TCP and TLS handshakes of PerformHttps on every call.
// Thread-safe: a call made while the handle is busy uses a fresh one.
class HttpsClient {
 public:
  explicit HttpsClient(FetcherOptions options);
  ~HttpsClient();
  HttpsClient(const HttpsClient&) = delete;
  HttpsClient& operator=(const HttpsClient&) = delete;
  common::Result<HttpResponse> Perform(const HttpRequest& req);
  const FetcherOptions& options() const { return options_; }

 private:
  FetcherOptions options_;
  std::mutex mu_;
  void* handle_ = nullptr;  // CURL*, created on first use.
};

}  // namespace staffgate::agent

#endif  // STAFFGATE_AGENT_SYNC_ROSTER_FETCHER_H_
