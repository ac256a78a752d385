#include "agent/sync/roster_fetcher.h"

#include <curl/curl.h>

#include <algorithm>
#include <memory>

#include "common/file_util.h"

namespace staffgate::agent {
namespace {

using common::ErrorKind;
using common::Fail;

struct Sink {
  std::string* body;
  std::size_t cap;
  bool overflow = false;
};

std::size_t WriteCapped(char* data, std::size_t size, std::size_t nmemb, void* user) {
  auto* sink = static_cast<Sink*>(user);
  std::size_t n = size * nmemb;
  if (sink->body->size() + n > sink->cap) {
    sink->overflow = true;
    return 0;  // Makes curl fail the transfer with CURLE_WRITE_ERROR.
  }
  sink->body->append(data, n);
  return n;
}

int Progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  const auto* stop = static_cast<const std::atomic<bool>*>(user);
  return stop != nullptr && stop->load() ? 1 : 0;
}

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

constexpr std::size_t kMaxTokenBytes = 4096;

}  // namespace

common::Result<std::string> ReadToken(const std::string& path) {
  auto token = common::ReadFileCapped(path, kMaxTokenBytes);
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

common::Result<HttpResponse> PerformHttps(const FetcherOptions& options, const HttpRequest& req) {
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) return Fail(ErrorKind::kInternal, "curl_easy_init failed");
  return PerformHttpsOn(curl.get(), options, req);
}

HttpsClient::HttpsClient(FetcherOptions options) : options_(std::move(options)) {}

HttpsClient::~HttpsClient() {
  if (handle_ != nullptr) curl_easy_cleanup(static_cast<CURL*>(handle_));
}

common::Result<HttpResponse> HttpsClient::Perform(const HttpRequest& req) {
  // Busy (another login's call in flight): a fresh connection rather than
  // a queue, so one slow answer never eats the next caller's deadline.
  std::unique_lock<std::mutex> lock(mu_, std::try_to_lock);
  if (!lock.owns_lock()) return PerformHttps(options_, req);
  if (handle_ == nullptr) handle_ = curl_easy_init();
  if (handle_ == nullptr) return Fail(ErrorKind::kInternal, "curl_easy_init failed");
  // Reset clears the options but keeps the open connection and TLS session.
  curl_easy_reset(static_cast<CURL*>(handle_));
  return PerformHttpsOn(handle_, options_, req);
}

common::Result<HttpResponse> PerformHttpsOn(void* handle, const FetcherOptions& options,
                                            const HttpRequest& req) {
  HttpResponse resp;
  Sink sink{&resp.body, options.max_body_bytes};
  std::unique_ptr<curl_slist, SlistDeleter> headers;
  auto add_header = [&](const std::string& h) {
    headers.reset(curl_slist_append(headers.release(), h.c_str()));
  };
  if (!options.token.empty()) add_header("Authorization: Bearer " + options.token);
  for (const std::string& h : req.headers) add_header(h);
  if (req.method != "GET") add_header("Content-Type: " + req.content_type);
  add_header("Expect:");  // No 100-continue round trip for small bodies.

  CURL* c = static_cast<CURL*>(handle);
  curl_easy_setopt(c, CURLOPT_URL, req.url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt(c, CURLOPT_SSLVERSION, CURL_SSLVERSION_TLSv1_2);
  if (!options.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, options.ca_file.c_str());
  curl_easy_setopt(c, CURLOPT_CAPATH, nullptr);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  if (req.total_timeout_ms > 0) {
    const long total = req.total_timeout_ms;
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, total);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                     std::min(total, static_cast<long>(options.connect_timeout_s) * 1000));
  } else {
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, static_cast<long>(options.connect_timeout_s));
    curl_easy_setopt(c, CURLOPT_TIMEOUT, static_cast<long>(req.total_timeout_s));
  }
  curl_easy_setopt(c, CURLOPT_USERAGENT, options.user_agent.c_str());
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, WriteCapped);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, Progress);
  curl_easy_setopt(c, CURLOPT_XFERINFODATA, options.stop);
  if (req.method == "POST" || req.method == "PUT") {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, req.body.c_str());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
  }
  if (req.method != "GET" && req.method != "POST") {
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req.method.c_str());
  }

  CURLcode rc = curl_easy_perform(c);
  if (sink.overflow) {
    return Fail(ErrorKind::kTooLarge, "response from " + req.url + " exceeds " +
                                          std::to_string(options.max_body_bytes) + " bytes");
  }
  if (rc == CURLE_OPERATION_TIMEDOUT) {
    return Fail(ErrorKind::kTimeout, "central did not answer in time (" + req.url + ")");
  }
  if (rc == CURLE_ABORTED_BY_CALLBACK) return Fail(ErrorKind::kUnavailable, "stopped");
  if (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE ||
      rc == CURLE_SSL_CONNECT_ERROR) {
    return Fail(ErrorKind::kUnavailable,
                std::string("TLS verification of the central failed: ") + curl_easy_strerror(rc));
  }
  if (rc != CURLE_OK) {
    return Fail(ErrorKind::kUnavailable,
                std::string("cannot reach the central: ") + curl_easy_strerror(rc));
  }
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp.status);
  return resp;
}

common::Result<FetchResult> CurlRosterSource::Fetch(std::optional<std::uint64_t> current_serial,
                                                    int wait_s) {
  HttpRequest req;
  req.url = TrimSlashes(options_.central_url) + "/v1/roster";
  if (current_serial) {
    req.headers.push_back("If-None-Match: \"" + std::to_string(*current_serial) + "\"");
    if (wait_s > 0) req.headers.push_back("Prefer: wait=" + std::to_string(wait_s));
  }
  req.total_timeout_s = wait_s + options_.slack_s;
  auto resp = PerformHttps(options_, req);
  if (!resp) return tl::unexpected(resp.error());
  switch (resp->status) {
    case 200:
      return FetchResult{false, std::move(resp->body)};
    case 304:
      return FetchResult{true, {}};
    case 401:
    case 403:
      return Fail(ErrorKind::kPermission,
                  "the central refused this workstation's token (HTTP " +
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
