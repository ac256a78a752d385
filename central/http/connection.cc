#include "central/http/connection.h"

#include <openssl/crypto.h>

#include <algorithm>

namespace staffgate::central {

namespace {

constexpr std::size_t kMaxHeaderBytes = 16UL * 1024;
constexpr auto kWriteTimeout = std::chrono::seconds(30);

// Of max_connections, a tenth (at least one) is kept for connections that
// presented a valid workstation or admin token, so a flood of connections
// that never authenticate cannot keep admin commands and long-polls out.
std::size_t UnauthenticatedShare(std::size_t cap) {
  const std::size_t reserve = std::max<std::size_t>(1, cap / 10);
  return cap > reserve ? cap - reserve : 1;
}

}  // namespace

bool ServerContext::AdmitClient(const std::string& address) {
  std::lock_guard<std::mutex> lock(connections_mu);
  std::size_t& open = per_client[address];
  if (open >= config.max_connections_per_client) {
    if (open == 0) per_client.erase(address);
    return false;
  }
  ++open;
  return true;
}

void ServerContext::ReleaseClient(const std::string& address) {
  std::lock_guard<std::mutex> lock(connections_mu);
  auto it = per_client.find(address);
  if (it != per_client.end() && --it->second == 0) per_client.erase(it);
}

bool ServerContext::MakeRoom() {
  // Declared before the lock so that it is released after it: dropping
  // the last reference runs ~Connection, which takes connections_mu.
  std::shared_ptr<Connection> victim;
  {
    std::lock_guard<std::mutex> lock(connections_mu);
    const std::int64_t open = metrics.connections_open.load() - static_cast<std::int64_t>(evicting);
    const bool full = open >= static_cast<std::int64_t>(config.max_connections);
    if (!full && unauthenticated.size() < UnauthenticatedShare(config.max_connections)) {
      return true;
    }
    while (!victim && !unauthenticated.empty()) {
      Connection* oldest = unauthenticated.front();
      unauthenticated.pop_front();
      oldest->unauthenticated_at_.reset();
      // Null while its destructor waits for the lock: it is ending anyway.
      victim = oldest->weak_from_this().lock();
      if (victim) {
        oldest->evicted_ = true;
        ++evicting;
        ++metrics.connections_evicted;
      }
    }
    if (!victim) return !full;
  }
  victim->Evict();
  return true;
}

Connection::Connection(tcp::socket&& socket, ServerContext& ctx, std::string client)
    : ctx_(ctx),
      client_(std::move(client)),
      stream_(std::move(socket), ctx.tls.native_handle()),
      wait_timer_(stream_.get_executor()) {
  std::lock_guard<std::mutex> lock(ctx_.connections_mu);
  ++ctx_.metrics.connections_open;
  unauthenticated_at_ = ctx_.unauthenticated.insert(ctx_.unauthenticated.end(), this);
}

Connection::~Connection() {
  ctx_.ReleaseClient(client_);
  std::lock_guard<std::mutex> lock(ctx_.connections_mu);
  --ctx_.metrics.connections_open;
  if (evicted_) --ctx_.evicting;
  if (unauthenticated_at_) ctx_.unauthenticated.erase(*unauthenticated_at_);
  ctx_.connections.erase(this);
}

void Connection::MarkAuthenticated() {
  if (authenticated_) return;
  authenticated_ = true;
  std::lock_guard<std::mutex> lock(ctx_.connections_mu);
  if (unauthenticated_at_) ctx_.unauthenticated.erase(*unauthenticated_at_);
  unauthenticated_at_.reset();
}

void Connection::Start() {
  {
    std::lock_guard<std::mutex> lock(ctx_.connections_mu);
    ctx_.connections[this] = weak_from_this();
  }
  // Run on the strand: the socket's executor.
  net::dispatch(stream_.get_executor(), [self = shared_from_this()] {
    beast::get_lowest_layer(self->stream_)
        .expires_after(std::chrono::seconds(self->ctx_.config.header_timeout_s));
    self->stream_.async_handshake([self](beast::error_code ec) { self->OnHandshake(ec); });
  });
}

void Connection::Shutdown() {
  net::post(stream_.get_executor(), [self = shared_from_this()] {
    if (self->state_ != State::kBusy) {
      beast::error_code ignored;
      beast::get_lowest_layer(self->stream_).socket().close(ignored);
    }
  });
}

void Connection::Evict() {
  net::post(stream_.get_executor(), [self = shared_from_this()] {
    if (self->authenticated_) return;
    beast::error_code ignored;
    beast::get_lowest_layer(self->stream_).socket().close(ignored);
  });
}

void Connection::OnHandshake(beast::error_code ec) {
  if (ec) return;  // Failed handshakes are normal noise (scanners, wrong CA).
  DoRead();
}

void Connection::DoRead() {
  if (ctx_.stopping) return DoClose();
  state_ = State::kReading;
  parser_.emplace();
  parser_->header_limit(kMaxHeaderBytes);
  parser_->body_limit(ctx_.config.max_body_bytes);
  // A new connection must send its request promptly; a kept-alive one may
  // idle between requests for idle_timeout_s.
  int seconds = first_request_ ? ctx_.config.header_timeout_s : ctx_.config.idle_timeout_s;
  beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(seconds));
  http::async_read(stream_, buffer_, *parser_,
                   beast::bind_front_handler(&Connection::OnRead, shared_from_this()));
}

void Connection::OnRead(beast::error_code ec, std::size_t /*bytes*/) {
  state_ = State::kBusy;
  first_request_ = false;
  if (ec == http::error::body_limit) {
    ++ctx_.metrics.bad_requests;
    return Send(
        JsonError(413, "too_large",
                  "request body exceeds " + std::to_string(ctx_.config.max_body_bytes) + " bytes"),
        false);
  }
  if (ec == http::error::header_limit) {
    ++ctx_.metrics.bad_requests;
    return Send(JsonError(431, "too_large", "request header too large"), false);
  }
  if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
      ec == net::error::operation_aborted || ec == net::ssl::error::stream_truncated) {
    return DoClose();
  }
  if (ec) {
    if (parser_->got_some()) {
      ++ctx_.metrics.bad_requests;
      return Send(JsonError(400, "bad_request", "malformed HTTP request"), false);
    }
    return DoClose();
  }
  auto& req = parser_->get();
  version_ = req.version();
  ApiRequest api_req;
  api_req.method = std::string(req.method_string());
  api_req.target = std::string(req.target());
  api_req.body = std::move(req.body());
  auto header = [&](http::field f) {
    auto it = req.find(f);
    return it == req.end() ? std::string() : std::string(it->value());
  };
  api_req.authorization = header(http::field::authorization);
  api_req.if_none_match = header(http::field::if_none_match);
  api_req.user_agent = header(http::field::user_agent);
  api_req.prefer = std::string(req["Prefer"]);
  api_req.cookie = header(http::field::cookie);
  api_req.origin = header(http::field::origin);
  api_req.host = header(http::field::host);
  api_req.sec_fetch_site = std::string(req["Sec-Fetch-Site"]);
  api_req.remote = client_;
  Dispatch(std::move(api_req), req.keep_alive());
}

void Connection::Dispatch(ApiRequest request, bool keep_alive) {
  WorkPool* pool = Api::IsWorkstationCall(request) ? ctx_.logins : ctx_.requests;
  if (pool == nullptr || Api::AnswersFromMemory(request)) {
    ApiOutcome outcome = ctx_.api.Handle(request);
    // Password bodies (docs/design.md §10) must not linger in freed memory;
    // the parsed copies are wiped by their holders (api/auth.cc).
    OPENSSL_cleanse(request.body.data(), request.body.size());
    return Finish(std::move(outcome), keep_alive);
  }
  // No read timer while a worker has it: the pool bounds the wait. The
  // tracked executor keeps the io threads running until the answer is back.
  beast::get_lowest_layer(stream_).expires_never();
  auto ex = net::prefer(stream_.get_executor(), net::execution::outstanding_work_t::tracked);
  pool->Submit([self = shared_from_this(), pool, ex, keep_alive,
                request = std::move(request)](bool admitted) mutable {
    ApiOutcome outcome;
    if (admitted) {
      outcome = self->ctx_.api.Handle(request);
    } else {
      outcome.response = JsonError(503, "busy", "the central is busy; try again shortly");
      outcome.response.headers.emplace_back("Retry-After",
                                            std::to_string(pool->RetryAfterSeconds()));
    }
    OPENSSL_cleanse(request.body.data(), request.body.size());
    net::post(ex, [self, keep_alive, outcome = std::move(outcome)]() mutable {
      self->Finish(std::move(outcome), keep_alive);
    });
  });
}

void Connection::Finish(ApiOutcome outcome, bool keep_alive) {
  if (outcome.authenticated) MarkAuthenticated();
  if (outcome.hold) {
    held_keep_alive_ = keep_alive;
    // A held long-poll keeps nothing of its request: thousands are held.
    parser_.reset();
    buffer_.shrink_to_fit();
    return Hold(outcome.known_serial, outcome.wait_s, std::move(outcome.workstation));
  }
  if (outcome.deferred) {
    // Password hashing: on the Authenticator's pool; the answer comes
    // back to this connection's strand. No read timer runs meanwhile (the
    // pool bounds the wait).
    beast::get_lowest_layer(stream_).expires_never();
    auto ex = stream_.get_executor();
    ctx_.api.Defer(std::move(outcome.deferred),
                   [self = shared_from_this(), ex, keep_alive](ApiResponse response) mutable {
                     net::post(ex, [self, keep_alive, response = std::move(response)]() mutable {
                       self->Send(std::move(response), keep_alive);
                     });
                   });
    return;
  }
  Send(std::move(outcome.response), keep_alive);
}

void Connection::Hold(std::uint64_t known_serial, int wait_s, std::string workstation) {
  held_serial_ = known_serial;
  held_workstation_ = std::move(workstation);
  beast::get_lowest_layer(stream_).expires_never();
  wait_timer_.expires_after(std::chrono::seconds(wait_s));
  waiter_ = ctx_.hub.Add(
      [weak = weak_from_this(), ex = stream_.get_executor()] {
        net::post(ex, [weak] {
          if (auto self = weak.lock()) self->Wake();
        });
      },
      held_workstation_);
  wait_timer_.async_wait([self = shared_from_this()](beast::error_code) { self->OnWaitDone(); });
  // A publish between the check in Api::Handle and Add would be missed:
  // look once more now that we are registered.
  if (ctx_.api.CurrentSerial() != known_serial || ctx_.stopping ||
      ctx_.api.HasLeaseNotice(held_workstation_)) {
    Wake();
  }
}

void Connection::Wake() { wait_timer_.cancel(); }

void Connection::OnWaitDone() {
  ctx_.hub.Remove(waiter_);
  waiter_ = 0;
  Send(ctx_.api.AnswerRoster(held_serial_, held_workstation_), held_keep_alive_);
}

void Connection::Send(ApiResponse response, bool keep_alive) {
  state_ = State::kBusy;
  keep_alive = keep_alive && !ctx_.stopping;
  auto res = std::make_shared<http::response<http::string_body>>(
      static_cast<http::status>(response.status), version_);
  res->set(http::field::server, "staffgate-central");
  if (!response.content_type.empty()) res->set(http::field::content_type, response.content_type);
  for (const auto& [name, value] : response.headers) res->set(name, value);
  res->body() = std::move(response.body);
  res->keep_alive(keep_alive);
  res->prepare_payload();
  if (response.status == 304) res->erase(http::field::content_length);  // No body, no length.
  response_ = res;
  beast::get_lowest_layer(stream_).expires_after(kWriteTimeout);
  http::async_write(
      stream_, *response_,
      beast::bind_front_handler(&Connection::OnWrite, shared_from_this(), keep_alive));
}

void Connection::OnWrite(bool keep_alive, beast::error_code ec, std::size_t /*bytes*/) {
  response_.reset();
  if (ec) return;
  if (!keep_alive) return DoClose();
  DoRead();
}

void Connection::DoClose() {
  state_ = State::kBusy;
  beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(2));
  stream_.async_shutdown([self = shared_from_this()](beast::error_code) {
    beast::error_code ignored;
    beast::get_lowest_layer(self->stream_).socket().close(ignored);
  });
}

}  // namespace staffgate::central
