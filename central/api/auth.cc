// Api: the password endpoints (docs/design.md §10). Verify and change run
// on the Authenticator's hashing pool (ApiOutcome::deferred), so a flood of
// attempts waits there, bounded, and never holds a network thread; unlock
// runs at once (it must work during such a flood).
//
// A workstation verifies only accounts permitted on it: any other account
// is answered {"result":"not_managed"} after the same hashing time (the
// answer an unknown account gets, so nothing is learnt and the agent hands
// the login to the next PAM module; the agent's own check refuses it
// as not_permitted_here).
#include <openssl/crypto.h>

#include "central/api/admin.h"
#include "central/api/api.h"
#include "central/auth/authenticator.h"
#include "central/journal/actor.h"
#include "common/auth_api.h"

namespace staffgate::central {

using common::ErrorKind;
using common::Json;

namespace {

void Wipe(std::string& secret) { OPENSSL_cleanse(secret.data(), secret.size()); }

// A parsed request held by deferred work: its passwords are wiped when the
// last copy goes, whether the work ran or was refused.
// Not copyable: one holder, one wipe.
struct HeldVerify {
  explicit HeldVerify(common::VerifyRequest r) : request(std::move(r)) {}
  ~HeldVerify() { Wipe(request.password); }
  HeldVerify(const HeldVerify&) = delete;
  HeldVerify& operator=(const HeldVerify&) = delete;
  common::VerifyRequest request;
};
struct HeldChange {
  explicit HeldChange(common::ChangeRequest r) : request(std::move(r)) {}
  ~HeldChange() {
    Wipe(request.old_password);
    Wipe(request.new_password);
  }
  HeldChange(const HeldChange&) = delete;
  HeldChange& operator=(const HeldChange&) = delete;
  common::ChangeRequest request;
};
struct HeldPassword {
  explicit HeldPassword(std::optional<std::string> p) : password(std::move(p)) {}
  ~HeldPassword() {
    if (password) Wipe(*password);
  }
  HeldPassword(const HeldPassword&) = delete;
  HeldPassword& operator=(const HeldPassword&) = delete;
  std::optional<std::string> password;
};

ApiResponse Busy(int retry_after_s) {
  ApiResponse r = JsonError(
      503, "busy",
      "too many password checks at once; try again in " + std::to_string(retry_after_s) + " s");
  r.headers.emplace_back("Retry-After", std::to_string(retry_after_s));
  return r;
}

ApiResponse AuthError(const common::Error& error) {
  if (error.kind == ErrorKind::kUnavailable) {
    ApiResponse r = JsonError(503, "busy", error.message);
    r.headers.emplace_back("Retry-After", "1");
    return r;
  }
  return ErrorResponse(error);
}

ApiResponse Answer(int status, std::string body) {
  ApiResponse r;
  r.status = status;
  r.body = std::move(body) + "\n";
  return r;
}

// {"password": "..."} sets that password; {"one_time": true} generates one.
common::Result<std::optional<std::string>> RequestedPassword(const ApiRequest& http) {
  auto body = BodyObject(http);
  if (!body) return tl::unexpected(body.error());
  auto one_time = body->find("one_time");
  const bool generate = one_time != body->end() && one_time->is_boolean() && one_time->get<bool>();
  if (one_time != body->end() && !one_time->is_boolean()) {
    return common::Fail(ErrorKind::kInvalidInput, "\"one_time\" must be true or false");
  }
  auto password = common::GetOptionalString(*body, "password");
  if (!password) return tl::unexpected(password.error());
  if (generate == password->has_value()) {
    return common::Fail(ErrorKind::kInvalidInput,
                        R"(give either "password" or "one_time": true, not both or
        neither)");
  }
  if (*password && (*password)->size() > common::kMaxPasswordBytes) {
    return common::Fail(
        ErrorKind::kInvalidInput,
        "\"password\" is longer than " + std::to_string(common::kMaxPasswordBytes) + " bytes");
  }
  return *password;
}

}  // namespace

void Api::Defer(std::function<ApiResponse()> work, std::function<void(ApiResponse)> done) {
  // The refusal's Retry-After is taken now: a refusal may come while the
  // Authenticator stops (shutdown), when it must not be touched.
  const int retry_after_s = auth_ != nullptr ? auth_->RetryAfterSeconds() : 1;
  auto run = [this, retry_after_s, work = std::move(work), done = std::move(done)](bool admitted) {
    ApiResponse r;
    try {
      r = admitted ? work() : Busy(retry_after_s);
    } catch (const std::exception& e) {
      r = JsonError(500, "internal", std::string("password check failed: ") + e.what());
    }
    CountStatus(r);
    done(std::move(r));
  };
  if (auth_ == nullptr) return run(false);  // Stopping: nothing may hash any more.
  auth_->Submit(std::move(run));
}

ApiOutcome Api::HandleAuth(const ApiRequest& req, const std::string& path,
                           const std::string& token) {
  std::optional<std::string> workstation = service_.WorkstationForToken(token);
  if (!workstation) {
    return Finish(JsonError(401, "unauthorized", "a valid workstation token is required"));
  }
  ApiOutcome out;
  if (req.method != "POST") {
    out = Finish(JsonError(405, "method_not_allowed", req.method + " is not allowed on " + path));
  } else if (auth_ == nullptr) {
    out = Finish(JsonError(503, "unavailable", "staffgate passwords are not served here"));
  } else if (path == common::kAuthVerifyPath) {
    auto request = common::ParseVerifyRequest(req.body);
    if (!request) {
      out = Finish(ErrorResponse(request.error()));
    } else {
      auto held = std::make_shared<HeldVerify>(std::move(*request));
      out.deferred = [this, ws = *workstation, held] {
        auto verified = auth_->Verify(ws, held->request);
        if (!verified) return AuthError(verified.error());
        return Answer(200, common::SerializeVerifyAnswer({*verified}));
      };
    }
  } else {
    auto request = common::ParseChangeRequest(req.body);
    if (!request) {
      out = Finish(ErrorResponse(request.error()));
    } else {
      auto held = std::make_shared<HeldChange>(std::move(*request));
      out.deferred = [this, ws = *workstation, held] {
        auto changed = auth_->Change(ws, held->request);
        if (!changed) return AuthError(changed.error());
        if (changed->refusal) {
          // Not managed here is "no such password" (404, as the agent reads
          // it); the other refusals are about the passwords given (422).
          const int status = changed->refusal->error == "not_managed" ? 404 : 422;
          return Answer(status, common::SerializeChangeRefusal(*changed->refusal));
        }
        return JsonAnswer(200, Json{{"ok", true}, {"serial", changed->serial}});
      };
    }
  }
  service_.RecordContact(*workstation, std::nullopt, req.user_agent);
  out.authenticated = true;
  return out;
}

ApiOutcome Api::AdminAuth(const ApiRequest& req, const std::string& path, const std::string& id,
                          const std::string& action) {
  ApiOutcome out;
  out.authenticated = true;
  if (req.method != "POST") {
    ApiOutcome refused =
        Finish(JsonError(405, "method_not_allowed", req.method + " is not allowed on " + path));
    refused.authenticated = true;
    return refused;
  }
  if (auth_ == nullptr) {
    ApiOutcome refused =
        Finish(JsonError(503, "unavailable", "staffgate passwords are not served here"));
    refused.authenticated = true;
    return refused;
  }
  if (action == "unlock") {
    auto unlocked = auth_->Unlock(id);
    ApiOutcome done =
        Finish(unlocked ? JsonAnswer(200, Json{{"employee", id}, {"was_locked", *unlocked}})
                        : ErrorResponse(unlocked.error()));
    done.authenticated = true;
    return done;
  }
  auto password = RequestedPassword(req);
  if (!password) {
    ApiOutcome refused = Finish(ErrorResponse(password.error()));
    refused.authenticated = true;
    return refused;
  }
  auto held = std::make_shared<HeldPassword>(std::move(*password));
  out.deferred = [this, id, held, who = *CurrentActor()] {
    ActorScope scope(who);  // Journalled as the caller's (docs/design.md §11).
    auto set = auth_->SetPassword(id, held->password);
    if (!set) return AuthError(set.error());
    Json body = {{"employee", id}, {"one_time", !held->password.has_value()}};
    if (!set->generated.empty()) body["password"] = set->generated;
    return Changed(AdminContext{service_, metrics_, hub_}, 200, std::move(body));
  };
  return out;
}

}  // namespace staffgate::central
