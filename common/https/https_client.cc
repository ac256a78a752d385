#include "common/https/https_client.h"

#include <curl/curl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <memory>
#include <utility>

namespace staffgate::common {
namespace {

using Cause = TransferError::Cause;

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

int Progress(void* user, curl_off_t /*dltotal*/, curl_off_t /*dlnow*/, curl_off_t /*ultotal*/,
             curl_off_t /*ulnow*/) {
  const auto* stop = static_cast<const std::atomic<bool>*>(user);
  return stop != nullptr && stop->load() ? 1 : 0;
}

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

std::string JoinUrl(std::string base, const std::string& path) {
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + path;
}

void SetTimeouts(CURL* c, const HttpsOptions& options, const HttpsRequest& req) {
  if (req.total_timeout_ms > 0) {
    const long total = req.total_timeout_ms;
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, total);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                     std::min(total, static_cast<long>(options.connect_timeout_s) * 1000));
  } else {
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, static_cast<long>(options.connect_timeout_s));
    curl_easy_setopt(c, CURLOPT_TIMEOUT, static_cast<long>(req.total_timeout_s));
  }
}

// The safety settings: the same for every request of every program.
void SetSafety(CURL* c, const HttpsOptions& options) {
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt(c, CURLOPT_SSLVERSION, CURL_SSLVERSION_TLSv1_2);
  if (!options.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, options.ca_file.c_str());
  curl_easy_setopt(c, CURLOPT_CAPATH, nullptr);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
}

// One sentence for a TLS failure that says which of the usual mistakes it
// is: the CA file missing, a CA that did not sign the central's
// certificate, or a certificate that does not name the host in the URL.
std::string TlsSentence(const HttpsOptions& options, const std::string& url,
                        const std::string& curl_detail) {
  const std::string ca = options.ca_file.empty() ? "the system's CA store" : options.ca_file;
  if (!options.ca_file.empty() && access(options.ca_file.c_str(), R_OK) != 0) {
    return "cannot read the CA file " + options.ca_file + ": " + std::strerror(errno);
  }
  auto has = [&curl_detail](const char* text) {
    return curl_detail.find(text) != std::string::npos;
  };
  if (has("subject name") || has("does not match") || has("no alternative certificate")) {
    return "the central's certificate does not name the host in " + url +
           " (name mismatch: use the name it was issued for, or renew it with "
           "staffgate-central cert renew --san HOST)";
  }
  if (has("issuer") || has("self-signed") || has("self signed") || has("unknown ca") ||
      has("certificate verify failed")) {
    return "the central's certificate is not signed by the CA in " + ca + " (wrong CA file?)";
  }
  if (has("error setting certificate") || has("CAfile")) {
    return "the CA file " + ca + " holds no usable certificate";
  }
  return "TLS with the central failed: " + curl_detail;
}

TransferResult TransferOn(CURL* c, const HttpsOptions& options, const HttpsRequest& req) {
  HttpsResponse resp;
  const std::string url =
      JoinUrl(req.central_url.empty() ? options.central_url : req.central_url, req.path);
  Sink sink{&resp.body, options.max_body_bytes};
  std::unique_ptr<curl_slist, SlistDeleter> headers;
  auto add_header = [&](const std::string& h) {
    headers.reset(curl_slist_append(headers.release(), h.c_str()));
  };
  if (!options.token.empty()) add_header("Authorization: Bearer " + options.token);
  for (const std::string& h : req.headers) add_header(h);
  if (req.method != "GET") add_header("Content-Type: " + req.content_type);
  add_header("Expect:");  // No 100-continue round trip for small bodies.

  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  SetSafety(c, options);
  SetTimeouts(c, options, req);
  curl_easy_setopt(c, CURLOPT_USERAGENT, options.user_agent.c_str());
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, WriteCapped);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, Progress);
  curl_easy_setopt(c, CURLOPT_XFERINFODATA, options.stop);
  if (req.method == "POST" || req.method == "PUT" || (req.method != "GET" && !req.body.empty())) {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, req.body.c_str());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
  }
  if (req.method != "GET" && req.method != "POST") {
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req.method.c_str());
  }

  char errbuf[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  CURLcode rc = curl_easy_perform(c);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, nullptr);  // The buffer dies here; the handle may not.
  const std::string detail = errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc);
  auto fail = [&](Cause cause) { return tl::unexpected(TransferError{cause, url, detail}); };
  if (sink.overflow) return fail(Cause::kTooLarge);
  if (rc == CURLE_OPERATION_TIMEDOUT) {
    curl_off_t tls_done = 0;
    TransferError timeout{Cause::kTimeout, url, detail};
    timeout.connected =
        curl_easy_getinfo(c, CURLINFO_APPCONNECT_TIME_T, &tls_done) == CURLE_OK && tls_done > 0;
    return tl::unexpected(std::move(timeout));
  }
  if (rc == CURLE_ABORTED_BY_CALLBACK) return fail(Cause::kStopped);
  if (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE ||
      rc == CURLE_SSL_CONNECT_ERROR) {
    return tl::unexpected(TransferError{Cause::kTls, url, TlsSentence(options, url, detail)});
  }
  if (rc != CURLE_OK) return fail(Cause::kNetwork);
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp.status);
  curl_off_t retry_after = 0;
  if (curl_easy_getinfo(c, CURLINFO_RETRY_AFTER, &retry_after) == CURLE_OK && retry_after > 0) {
    resp.retry_after_s = static_cast<long>(retry_after);
  }
  for (const std::string& name : req.response_headers) {
    curl_header* h = nullptr;
    if (curl_easy_header(c, name.c_str(), 0, CURLH_HEADER, -1, &h) == CURLHE_OK && h != nullptr) {
      resp.headers[name] = h->value;
    }
  }
  return resp;
}

Result<HttpsResponse> Worded(TransferResult result, std::size_t max_body_bytes) {
  if (!result) return tl::unexpected(TransferErrorToError(result.error(), max_body_bytes));
  return std::move(*result);
}

}  // namespace

HttpsGlobal::HttpsGlobal() { curl_global_init(CURL_GLOBAL_DEFAULT); }
HttpsGlobal::~HttpsGlobal() { curl_global_cleanup(); }

Error TransferErrorToError(const TransferError& error, std::size_t max_body_bytes) {
  switch (error.cause) {
    case Cause::kInit:
      return Error{ErrorKind::kInternal, "curl_easy_init failed"};
    case Cause::kTooLarge:
      return Error{ErrorKind::kTooLarge, "response from " + error.url + " exceeds " +
                                             std::to_string(max_body_bytes) + " bytes"};
    case Cause::kTimeout:
      if (!error.connected) {
        return Error{ErrorKind::kTimeout,
                     "central did not complete the connection in time (" + error.url + ")"};
      }
      return Error{ErrorKind::kTimeout, "central did not answer in time (" + error.url + ")"};
    case Cause::kStopped:
      return Error{ErrorKind::kUnavailable, "stopped"};
    case Cause::kTls:  // detail is already one sentence (TlsSentence).
      return Error{ErrorKind::kUnavailable, error.detail};
    case Cause::kNetwork:
      break;
  }
  return Error{ErrorKind::kUnavailable, "cannot reach the central: " + error.detail};
}

TransferResult TransferHttps(const HttpsOptions& options, const HttpsRequest& req) {
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) return tl::unexpected(TransferError{Cause::kInit, req.path, {}});
  return TransferOn(curl.get(), options, req);
}

Result<HttpsResponse> PerformHttps(const HttpsOptions& options, const HttpsRequest& req) {
  return Worded(TransferHttps(options, req), options.max_body_bytes);
}

HttpsClient::HttpsClient(HttpsOptions options) : options_(std::move(options)) {}

HttpsClient::~HttpsClient() {
  if (handle_ != nullptr) curl_easy_cleanup(static_cast<CURL*>(handle_));
}

TransferResult HttpsClient::Transfer(const HttpsRequest& req) {
  std::unique_lock<std::mutex> lock(mu_, std::try_to_lock);
  if (!lock.owns_lock()) return TransferHttps(options_, req);
  if (handle_ == nullptr) handle_ = curl_easy_init();
  if (handle_ == nullptr) return tl::unexpected(TransferError{Cause::kInit, req.path, {}});
  // Reset clears the options but keeps the open connection and TLS session.
  curl_easy_reset(static_cast<CURL*>(handle_));
  return TransferOn(static_cast<CURL*>(handle_), options_, req);
}

Result<HttpsResponse> HttpsClient::Perform(const HttpsRequest& req) {
  return Worded(Transfer(req), options_.max_body_bytes);
}

}  // namespace staffgate::common
