#include "central/http/http_server.h"

#include <openssl/ssl.h>
#include <syslog.h>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <thread>
#include <vector>

#include "central/auth/authenticator.h"
#include "central/http/connection.h"
#include "central/http/http_server_impl.h"
#include "central/pg_listener.h"
#include "central/schedule_runner.h"
#include "central/ui/console.h"
#include "common/thread.h"

namespace staffgate::central {

using common::ErrorKind;
using common::Fail;

namespace {

// The request pool: enough workers that one slow import or a database
// wait does not stall the other admin, lease and console calls; a queue
// that absorbs a burst of sign-ins; and a wait past which a caller is
// better told 503 with Retry-After than left hanging.
constexpr std::size_t kRequestWorkers = 4;
// Workstations' lease, event and password calls have workers of their own
// (Api::IsWorkstationCall): console and admin traffic, which anyone who
// reaches the port can send, cannot queue a login behind it.
constexpr std::size_t kLoginWorkers = 4;
constexpr std::size_t kRequestQueue = 4096;
constexpr auto kRequestWait = std::chrono::seconds(10);
constexpr auto kDrainDeadline = std::chrono::seconds(15);

}  // namespace

// SIGHUP: take the admin token `staffgate-central token rotate` wrote, so
// the old one stops working without a restart.
void HttpServer::Impl::WaitForReload() {
  reload_signals.async_wait([this](beast::error_code ec, int) {
    if (ec) return;
    if (auto ok = service.ReloadAdminToken(); ok) {
      log(LOG_NOTICE, "SIGHUP: admin token re-read from the database");
    } else {
      log(LOG_ERR, "SIGHUP: keeping the old admin token: " + ok.error().message);
    }
    WaitForReload();
  });
}

common::Result<std::unique_ptr<PgListener>> HttpServer::Impl::ListenToOtherCentrals() {
  const std::string location = config.StoreLocation();
  if (!IsPostgresUri(location)) return std::unique_ptr<PgListener>();
  auto caught_up = [this](const std::string& channel) {
    auto ok = service.CatchUp(channel);
    if (!ok) log(LOG_WARNING, "cannot catch up with the other centrals: " + ok.error().message);
    return ok.has_value();
  };
  return PgListener::Start(location, {kRosterChannel, kAdminsChannel, kLeasesChannel}, caught_up,
                           log);
}

common::Result<void> HttpServer::Impl::StartAuth() {
  AuthOptions options;
  options.argon2 = config.argon2;
  options.lockout =
      LockoutPolicy{config.lockout_failures, config.lockout_window_s, config.lockout_s};
  options.password_min_length = config.password_min_length;
  options.max_concurrent_hashes = config.max_concurrent_hashes;
  options.max_hash_queue = config.max_hash_queue;
  options.max_hash_wait = std::chrono::milliseconds(config.max_hash_wait_ms);
  if (IsPostgresUri(config.database)) options.shared_database = config.database;
  auto created = Authenticator::Create(service, metrics, clock, options, log);
  if (!created) return tl::unexpected(created.error());
  auth = std::move(*created);
  api.SetAuthenticator(auth.get());
  ConsoleOptions console_options;
  console_options.sessions.idle_s = config.console_idle_timeout_s;
  console_options.sessions.absolute_s = config.console_absolute_timeout_s;
  console_options.argon2 = config.argon2;
  if (IsPostgresUri(config.database)) console_options.shared_database = config.database;
  auto made = Console::Create(service, clock, console_options);
  if (!made) return tl::unexpected(made.error());
  console = std::move(*made);
  api.SetConsole(console.get());
  return common::Ok();
}

void HttpServer::Impl::StopAuth() {
  if (!auth) return;
  api.SetAuthenticator(nullptr);  // The network threads have stopped: no new work.
  api.SetConsole(nullptr);
  auth->StopHashing();
  FlushLockouts(Service::Flush::kWait);
  auth.reset();
}

common::Result<void> HttpServer::Impl::SetUpTls() {
  try {
    tls.set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                    net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 |
                    net::ssl::context::no_tlsv1_1 | net::ssl::context::single_dh_use);
    SSL_CTX_set_min_proto_version(tls.native_handle(), TLS1_2_VERSION);
    // Thousands of idle long-polls: free OpenSSL's buffers while idle.
    // Partial writes: a large roster goes out as the socket takes it.
    SSL_CTX_set_mode(tls.native_handle(), SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ENABLE_PARTIAL_WRITE);
    tls.use_certificate_chain_file(config.tls_cert);
    tls.use_private_key_file(config.tls_key, net::ssl::context::pem);
  } catch (const std::exception& e) {
    return Fail(ErrorKind::kConfig, "TLS certificate " + config.tls_cert + " / key " +
                                        config.tls_key + ": " + e.what());
  }
  return common::Ok();
}

common::Result<void> HttpServer::Impl::Bind() {
  beast::error_code ec;
  auto address = net::ip::make_address(config.listen_host, ec);
  if (ec) {
    // A host name: resolve it once.
    tcp::resolver resolver(ioc);
    auto results = resolver.resolve(config.listen_host, std::to_string(config.listen_port), ec);
    if (ec || results.empty()) {
      return Fail(ErrorKind::kConfig, "cannot resolve listen host " + config.listen_host);
    }
    address = results.begin()->endpoint().address();
  }
  tcp::endpoint endpoint(address, config.listen_port);
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return Fail(ErrorKind::kIo, "cannot listen on " + config.Listen() + ": " + ec.message());
  return common::Ok();
}

void HttpServer::Impl::Accept() {
  acceptor.async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
    if (ec) {
      if (ec == net::error::operation_aborted || ctx.stopping) return;
      // EMFILE and friends: keep accepting; the peer will retry.
      log(LOG_WARNING, "accept: " + ec.message());
    } else {
      beast::error_code peer_ec;
      const std::string client = socket.remote_endpoint(peer_ec).address().to_string();
      beast::error_code ignored;
      if (peer_ec) {
        ++metrics.connections_refused;
        socket.close(ignored);
      } else if (!ctx.AdmitClient(client)) {
        ++metrics.connections_refused_per_client;
        socket.close(ignored);
      } else if (!ctx.MakeRoom()) {
        ctx.ReleaseClient(client);
        ++metrics.connections_refused;
        socket.close(ignored);
      } else {
        ++metrics.connections_accepted;
        std::make_shared<Connection>(std::move(socket), ctx, client)->Start();
      }
    }
    if (!ctx.stopping) Accept();
  });
}

void HttpServer::Impl::BeginStop() {
  if (ctx.stopping.exchange(true)) return;
  log(LOG_INFO, "stopping: finishing in-flight requests");
  beast::error_code ignored;
  acceptor.close(ignored);
  {
    std::lock_guard<std::mutex> lock(housekeeping_mu);
    housekeeping.cancel();
  }
  signals.cancel();
  reload_signals.cancel();
  hub.WakeAll();  // Held long-polls answer now (304 unless a change came).
  std::vector<std::shared_ptr<Connection>> connections;
  {
    std::lock_guard<std::mutex> lock(ctx.connections_mu);
    for (auto& [raw, weak] : ctx.connections) {
      if (auto s = weak.lock()) connections.push_back(std::move(s));
    }
  }
  for (auto& s : connections) s->Shutdown();
  { std::lock_guard<std::mutex> lock(stop_mu); }
  stop_cv.notify_all();
}

HttpServer::HttpServer(const CentralConfig& config, Service& service, common::LogFn log)
    : impl_(std::make_unique<Impl>(config, service, std::move(log))) {}

HttpServer::~HttpServer() = default;

void HttpServer::Impl::StartPools() {
  requests = std::make_unique<WorkPool>("request-worker", kRequestWorkers, kRequestQueue,
                                        kRequestWait, log);
  ctx.requests = requests.get();
  logins =
      std::make_unique<WorkPool>("login-worker", kLoginWorkers, kRequestQueue, kRequestWait, log);
  ctx.logins = logins.get();
  api.SetWorkPools(logins.get(), requests.get());
}

// Runs the io threads until they end; a drain watchdog stops them
// kDrainDeadline after a stop began.
void HttpServer::Impl::Serve() {
  std::thread watchdog = common::StartGuardedThread("drain-watchdog", log, [this] {
    std::unique_lock<std::mutex> lock(stop_mu);
    stop_cv.wait(lock, [this] { return run_done || ctx.stopping.load(); });
    if (!stop_cv.wait_for(lock, kDrainDeadline, [this] { return run_done; })) {
      log(LOG_WARNING, "stopping: drain deadline passed, closing remaining connections");
      ioc.stop();
    }
  });
  std::vector<std::thread> threads;
  // A handler that throws ends that run() call; run() again resumes the
  // queue (Asio allows it without restart()).
  auto io = [this] { ioc.run(); };
  for (int i = 1; i < config.threads; ++i) {
    threads.push_back(common::StartGuardedThread("http-io", log, io));
  }
  common::RunGuarded("http-io", log, io);
  for (auto& t : threads) t.join();
  {
    std::lock_guard<std::mutex> lock(stop_mu);
    run_done = true;
  }
  stop_cv.notify_all();
  watchdog.join();
}

// After the io threads: the last flushes of what only lives in memory
// (StopAuth has written the lockouts and dropped the Authenticator).
void HttpServer::Impl::FlushAtStop() {
  StopAuth();
  FlushRecords(Service::Flush::kWait);
}

common::Result<void> HttpServer::Run() {
  Impl& s = *impl_;
  if (auto ok = s.SetUpTls(); !ok) return ok;
  if (auto ok = s.Bind(); !ok) return ok;
  if (auto ok = s.StartAuth(); !ok) return ok;
  s.service.SetPublishListener([&s](std::uint64_t) { s.hub.WakeAll(); });
  s.service.SetLeaseEndListener([&s](const std::string& workstation) { s.hub.Wake(workstation); });
  s.signals.async_wait([&s](beast::error_code ec, int) {
    if (!ec) s.BeginStop();
  });
  s.StartPools();
  s.WaitForReload();
  s.Accept();
  s.Housekeeping(1);
  // Scheduled changes (docs/design.md §11) on their own thread: applying
  // one waits for the database like any admin change, never on an io thread.
  ScheduleRunner scheduler(s.service, s.clock, s.log);
  scheduler.Start();
  auto listener = s.ListenToOtherCentrals();
  if (!listener) return tl::unexpected(listener.error());
  s.log(LOG_INFO, "serving https://" + s.config.Listen() + " (roster serial " +
                      std::to_string(s.service.Current()->serial) + ")");
  s.Serve();
  // The network threads, where /metrics reads the pools, have ended.
  s.api.SetWorkPools(nullptr, nullptr);
  s.logins.reset();  // Joins the workers; what still waited is refused.
  s.requests.reset();
  scheduler.Stop();
  listener->reset();  // Joins its thread: no CatchUp after this.
  s.service.SetPublishListener(nullptr);
  s.service.SetLeaseEndListener(nullptr);
  s.FlushAtStop();
  s.log(LOG_INFO, "stopped");
  return common::Ok();
}

}  // namespace staffgate::central
