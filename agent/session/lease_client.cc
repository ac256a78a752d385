#include "agent/session/lease_client.h"

#include <algorithm>

#include "agent/sync/central_calls.h"
#include "common/json_util.h"

namespace staffgate::agent {
namespace {

constexpr std::size_t kMaxLeaseAnswerBytes = 16UL * 1024;

bool ValidLeaseId(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  return std::ranges::all_of(
      id, [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

}  // namespace

LeaseReply ParseLeaseReply(long status, const std::string& body) {
  LeaseReply reply;
  auto text = [&](const common::Json& obj, const char* key) {
    auto it = obj.find(key);
    return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  common::Json obj;
  if (!body.empty()) {
    auto parsed = common::ParseJson(body, common::JsonLimits{kMaxLeaseAnswerBytes, 4});
    if (parsed && parsed->is_object()) obj = std::move(*parsed);
  }
  switch (status) {
    case 200:
    case 201: {
      reply.id = obj.is_object() ? text(obj, "id") : "";
      auto ttl = obj.is_object() ? obj.find("ttl_s") : obj.end();
      if (!ValidLeaseId(reply.id) || !obj.is_object() || ttl == obj.end() ||
          !ttl->is_number_integer() || *ttl < 1 || *ttl > 86400) {
        reply.kind = LeaseReply::Kind::kUnavailable;
        reply.error = "the central's lease answer is malformed";
        return reply;
      }
      reply.kind = LeaseReply::Kind::kGranted;
      reply.ttl_s = ttl->get<int>();
      return reply;
    }
    case 204:
      reply.kind = LeaseReply::Kind::kGranted;
      return reply;
    case 409:
      reply.kind = LeaseReply::Kind::kConflict;
      reply.holder = obj.is_object() ? text(obj, "workstation") : "";
      if (reply.holder.size() > 128) reply.holder.resize(128);
      reply.error = "in use on " + (reply.holder.empty() ? "another workstation" : reply.holder);
      return reply;
    case 404:
      reply.kind = LeaseReply::Kind::kNotFound;
      reply.error = "the lease is gone (lapsed, or unknown to the central)";
      return reply;
    case 410:
      reply.kind = LeaseReply::Kind::kEnded;
      reply.error = obj.is_object() && !text(obj, "message").empty()
                        ? text(obj, "message").substr(0, 200)
                        : "the lease was ended by an administrator";
      return reply;
    case 400:
    case 401:
    case 403:
      reply.kind = LeaseReply::Kind::kRefused;
      reply.error = "the central refused the lease call (HTTP " + std::to_string(status) + ")" +
                    (obj.is_object() && !text(obj, "message").empty()
                         ? ": " + text(obj, "message").substr(0, 200)
                         : "");
      return reply;
    default:
      reply.kind = LeaseReply::Kind::kUnavailable;
      reply.error = "the central answered HTTP " + std::to_string(status) + " to a lease call";
      return reply;
  }
}

LeaseView ParseLeaseView(long status, const std::string& body) {
  LeaseView view;
  if (status != 200) {
    LeaseReply reply = ParseLeaseReply(status, body);
    view.kind =
        reply.kind == LeaseReply::Kind::kRefused ? reply.kind : LeaseReply::Kind::kUnavailable;
    view.error = reply.error;
    return view;
  }
  auto parsed = common::ParseJson(body, common::JsonLimits{kMaxLeaseAnswerBytes, 4});
  const common::Json obj =
      parsed && parsed->is_object() ? std::move(*parsed) : common::Json::object();
  auto elsewhere = obj.find("elsewhere");
  auto here = obj.find("here");
  if (elsewhere == obj.end() || !elsewhere->is_array() || here == obj.end()) {
    view.error = "the central's lease answer is malformed";
    return view;
  }
  for (const auto& name : *elsewhere) {
    if (!name.is_string() || view.elsewhere.size() >= 64) continue;
    view.elsewhere.push_back(name.get<std::string>().substr(0, 128));
  }
  view.here = here->is_object();
  view.kind = LeaseReply::Kind::kGranted;
  return view;
}

namespace {

common::HttpsOptions LeaseOptions(const common::HttpsOptions& options) {
  common::HttpsOptions copy = options;
  copy.max_body_bytes = kMaxLeaseAnswerBytes;
  copy.stop = nullptr;  // The link's flag may not outlive us.
  return copy;
}

}  // namespace

HttpLeaseApi::HttpLeaseApi(const common::HttpsOptions& options,
                           std::shared_ptr<CentralSelector> selector, const common::Clock& clock,
                           int deadline_ms)
    : login_client_(LeaseOptions(options)),
      upkeep_client_(LeaseOptions(options)),
      selector_(std::move(selector)),
      clock_(clock),
      deadline_ms_(deadline_ms) {}

common::Result<common::HttpsResponse> HttpLeaseApi::Send(common::HttpsClient& client,
                                                         const std::string& method,
                                                         const std::string& path,
                                                         const std::string& body) const {
  common::HttpsRequest req;
  req.method = method;
  req.path = "/v1/sessions" + path;
  req.body = body;
  return CallCentral(*selector_, SendWith(client, req), deadline_ms_, clock_);
}

LeaseReply HttpLeaseApi::Call(common::HttpsClient& client, const std::string& method,
                              const std::string& path, const std::string& body) const {
  auto resp = Send(client, method, path, body);
  if (!resp) {
    LeaseReply reply;
    reply.error = resp.error().message;
    return reply;
  }
  return ParseLeaseReply(resp->status, resp->body);
}

LeaseReply HttpLeaseApi::Acquire(const std::string& account) {
  return Call(login_client_, "POST", "", common::DumpJson(common::Json{{"account", account}}));
}

LeaseReply HttpLeaseApi::Renew(const std::string& id) {
  return Call(upkeep_client_, "PUT", "/" + id, "{}");
}

LeaseReply HttpLeaseApi::Release(const std::string& id) {
  return Call(upkeep_client_, "DELETE", "/" + id, "");
}

LeaseView HttpLeaseApi::View(const std::string& account) {
  auto resp = Send(login_client_, "GET", "?account=" + common::UrlEncode(account), "");
  if (!resp) {
    LeaseView view;
    view.error = resp.error().message;
    return view;
  }
  return ParseLeaseView(resp->status, resp->body);
}

}  // namespace staffgate::agent
