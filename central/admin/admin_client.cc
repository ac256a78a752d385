#include "central/admin/admin_client.h"

#include <curl/curl.h>

#include <memory>

namespace staffgate::central::admin {

using common::ErrorKind;
using common::Fail;
using common::Json;

namespace {

struct Sink {
  std::string data;
  bool overflow = false;
};

size_t Write(char* ptr, size_t size, size_t nmemb, void* user) {
  auto* sink = static_cast<Sink*>(user);
  size_t n = size * nmemb;
  if (sink->data.size() + n > kMaxResponseBytes) {
    sink->overflow = true;
    return 0;  // Aborts the transfer.
  }
  sink->data.append(ptr, n);
  return n;
}

}  // namespace

common::Result<Json> AdminClient::Call(const std::string& method, const std::string& path,
                                       const std::string& body, const std::string& content_type) {
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) return Fail(ErrorKind::kInternal, "cannot initialise libcurl");
  std::string url = conn_.central_url;
  while (!url.empty() && url.back() == '/') url.pop_back();
  url += path;
  Sink sink;
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
  curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method.c_str());
  if (!conn_.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, conn_.ca_file.c_str());
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt(c, CURLOPT_SSLVERSION, CURL_SSLVERSION_TLSv1_2);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, 120L);
  curl_easy_setopt(c, CURLOPT_USERAGENT, "staffgate-admin/" STAFFGATE_VERSION);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, Write);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
  std::string auth = "Authorization: Bearer " + conn_.token;
  struct curl_slist* headers = curl_slist_append(nullptr, auth.c_str());
  std::string type = "Content-Type: " + content_type;
  headers = curl_slist_append(headers, type.c_str());
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> header_guard(headers, curl_slist_free_all);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  if (method != "GET") {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  }
  CURLcode rc = curl_easy_perform(c);
  if (sink.overflow) return Fail(ErrorKind::kTooLarge, "the central's answer exceeds 64 MiB");
  if (rc != CURLE_OK) {
    return Fail(ErrorKind::kUnavailable,
                "cannot reach the central at " + conn_.central_url + ": " + curl_easy_strerror(rc));
  }
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  auto parsed = common::ParseJson(sink.data, common::JsonLimits{kMaxResponseBytes, 64});
  if (status >= 200 && status < 300) {
    if (status == 204) return Json(nullptr);  // No Content.
    if (!parsed) return Fail(ErrorKind::kInternal, "the central sent an unreadable answer");
    return parsed;
  }
  std::string message = "HTTP " + std::to_string(status);
  if (parsed && parsed->is_object() && parsed->contains("message") && (*parsed)["message"].is_string()) {
    message = (*parsed)["message"].get<std::string>();
  }
  ErrorKind kind = status == 401 ? ErrorKind::kForbidden
                   : status == 404 ? ErrorKind::kNotFound
                   : status < 500  ? ErrorKind::kInvalidInput
                                   : ErrorKind::kInternal;
  if (status == 401) message = "the central refused the admin token (" + message + ")";
  return Fail(kind, message);
}

}  // namespace staffgate::central::admin
