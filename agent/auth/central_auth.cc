#include "agent/auth/central_auth.h"

#include "agent/sync/central_calls.h"
#include "common/secret.h"

namespace staffgate::agent {
namespace {

bool Unreachable(long status) { return status >= 500 || status == 429 || status == 408; }

common::HttpsOptions AuthOptions(const common::HttpsOptions& options) {
  common::HttpsOptions copy = options;
  copy.max_body_bytes = common::kMaxAuthBodyBytes;
  copy.stop = nullptr;  // The link's flag may not outlive us.
  return copy;
}

}  // namespace

VerifyOutcome ParseVerifyOutcome(long status, const std::string& body) {
  VerifyOutcome out;
  if (Unreachable(status)) {
    out.error = "the central answered HTTP " + std::to_string(status) + " to a password check";
    return out;
  }
  if (status != 200) {
    out.kind = VerifyOutcome::Kind::kRefused;
    out.error = "the central refused the password check (HTTP " + std::to_string(status) + ")";
    return out;
  }
  auto answer = common::ParseVerifyAnswer(body);
  if (!answer) {
    out.kind = VerifyOutcome::Kind::kRefused;
    out.error = "the central's password answer is malformed: " + answer.error().message;
    return out;
  }
  out.kind = VerifyOutcome::Kind::kAnswered;
  out.result = answer->result;
  return out;
}

ChangeOutcome ParseChangeOutcome(long status, const std::string& body) {
  ChangeOutcome out;
  if (Unreachable(status)) {
    out.error = "the central answered HTTP " + std::to_string(status) + " to a password change";
    return out;
  }
  if (status == 200 || status == 204) {
    out.kind = ChangeOutcome::Kind::kChanged;
    return out;
  }
  if (status == 404) {
    out.kind = ChangeOutcome::Kind::kNotManaged;
    return out;
  }
  if (status == 422) {
    auto refusal = common::ParseChangeRefusal(body);
    if (refusal) {
      out.kind = ChangeOutcome::Kind::kRefused;
      out.refusal = std::move(*refusal);
      return out;
    }
    out.kind = ChangeOutcome::Kind::kFailed;
    out.error = "the central's refusal is malformed: " + refusal.error().message;
    return out;
  }
  out.kind = ChangeOutcome::Kind::kFailed;
  out.error = "the central refused the password change (HTTP " + std::to_string(status) + ")";
  return out;
}

HttpCentralAuth::HttpCentralAuth(const common::HttpsOptions& options,
                                 std::shared_ptr<CentralSelector> selector,
                                 const common::Clock& clock)
    : client_(AuthOptions(options)), selector_(std::move(selector)), clock_(clock) {}

common::Result<common::HttpsResponse> HttpCentralAuth::Post(const char* path, std::string body,
                                                            int deadline_ms) {
  common::HttpsRequest req;
  req.method = "POST";
  req.path = path;
  req.body = std::move(body);
  auto resp = CallCentral(*selector_, SendWith(client_, req), deadline_ms, clock_);
  common::WipeString(req.body);  // It holds the password.
  return resp;
}

VerifyOutcome HttpCentralAuth::Verify(const common::VerifyRequest& request, int deadline_ms) {
  auto resp = Post(common::kAuthVerifyPath, common::SerializeVerifyRequest(request), deadline_ms);
  if (!resp) {
    VerifyOutcome out;
    out.error = resp.error().message;
    return out;
  }
  return ParseVerifyOutcome(resp->status, resp->body);
}

ChangeOutcome HttpCentralAuth::Change(const common::ChangeRequest& request, int deadline_ms) {
  auto resp = Post(common::kAuthChangePath, common::SerializeChangeRequest(request), deadline_ms);
  if (!resp) {
    ChangeOutcome out;
    out.error = resp.error().message;
    return out;
  }
  return ParseChangeOutcome(resp->status, resp->body);
}

}  // namespace staffgate::agent
