// Internal to the server (includes Beast; never include from elsewhere).
// One HTTPS connection: TLS handshake, keep-alive request loop with size
// caps and timeouts, and long-polls held on a timer (no thread per request).
#ifndef STAFFGATE_CENTRAL_HTTP_CONNECTION_H_
#define STAFFGATE_CENTRAL_HTTP_CONNECTION_H_

#include <atomic>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>  // Boost 1.74 Asio uses std::exchange without it (C++20).

// clang-format off: <utility> must come before Boost (above), not sorted in.
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
// clang-format on

#include "central/api/api.h"
#include "central/central_config.h"
#include "central/http/tls_socket.h"
#include "central/metrics.h"
#include "central/wait_hub.h"
#include "central/work_pool.h"

namespace staffgate::central {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

class Connection;

// What every connection shares; owned by the server.
struct ServerContext {
  ServerContext(net::ssl::context& t, Api& a, WaitHub& h, Metrics& m, const CentralConfig& c)
      : tls(t), api(a), hub(h), metrics(m), config(c) {}
  net::ssl::context& tls;
  Api& api;
  WaitHub& hub;
  Metrics& metrics;
  const CentralConfig& config;
  // Where requests that may wait for the database run (Api::
  // AnswersFromMemory says which need not): workstations' calls
  // (Api::IsWorkstationCall) on `logins`, the rest on `requests`; null: on
  // the io threads.
  WorkPool* logins = nullptr;
  WorkPool* requests = nullptr;
  std::atomic<bool> stopping{false};
  std::mutex connections_mu;
  std::unordered_map<Connection*, std::weak_ptr<Connection>> connections;
  // Open connections by client address, guarded by connections_mu: one
  // client cannot take max_connections from everyone else.
  std::unordered_map<std::string, std::size_t> per_client;

  // Connections that have not yet presented a valid token, oldest first,
  // guarded by connections_mu (each removes itself when it authenticates or
  // ends). Evicted ones still open are counted in `evicting`.
  std::list<Connection*> unauthenticated;
  std::size_t evicting = 0;

  // Counts a connection from `address`; false (nothing counted) when that
  // address already holds max_connections_per_client.
  bool AdmitClient(const std::string& address);
  void ReleaseClient(const std::string& address);
  // Makes room for one more (as yet unauthenticated) connection. Capacity
  // is kept for authenticated traffic: unauthenticated connections may hold
  // only part of max_connections, and when that part or the whole cap is
  // full the oldest unauthenticated connection is closed to make room.
  // False (nothing changed) when every open connection is authenticated and
  // the cap is reached.
  bool MakeRoom();
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  // `client` is the peer address, already counted by ctx.AdmitClient; the
  // connection releases it when it ends.
  Connection(tcp::socket&& socket, ServerContext& ctx, std::string client);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();
  void Start();
  // From any thread: close now if idle, else after the current response.
  void Shutdown();
  // From any thread: close now unless a valid token came meanwhile.
  void Evict();

 private:
  enum class State { kHandshake, kReading, kBusy };
  void OnHandshake(beast::error_code ec);
  void DoRead();
  void OnRead(beast::error_code ec, std::size_t bytes);
  // Handles `request` here or on a pool of ctx_, then Finish.
  void Dispatch(ApiRequest request, bool keep_alive);
  // Answers, holds or defers as `outcome` says; on this connection's strand.
  void Finish(ApiOutcome outcome, bool keep_alive);
  void Hold(std::uint64_t known_serial, int wait_s, std::string workstation);
  void Wake();
  void OnWaitDone();
  void Send(ApiResponse response, bool keep_alive);
  void OnWrite(bool keep_alive, beast::error_code ec, std::size_t bytes);
  void DoClose();
  void MarkAuthenticated();
  friend struct ServerContext;

  ServerContext& ctx_;
  const std::string client_;
  TlsSocket stream_;  // Not asio's ssl::stream: see tls_socket.h.
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::shared_ptr<http::response<http::string_body>> response_;
  net::steady_timer wait_timer_;
  WaitHub::Id waiter_ = 0;
  std::uint64_t held_serial_ = 0;
  bool held_keep_alive_ = true;
  std::string held_workstation_;  // Woken early when one of its leases is ended.
  unsigned version_ = 11;
  bool first_request_ = true;
  State state_ = State::kHandshake;
  bool authenticated_ = false;  // On the strand.
  // Guarded by ctx_.connections_mu: the place in ctx_.unauthenticated while
  // listed there, and whether MakeRoom chose this connection to close.
  std::optional<std::list<Connection*>::iterator> unauthenticated_at_;
  bool evicted_ = false;
};

}  // namespace staffgate::central

#endif  // STAFFGATE_CENTRAL_HTTP_CONNECTION_H_
