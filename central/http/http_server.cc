#include "central/http/http_server.h"

#include <openssl/ssl.h>
#include <syslog.h>

#include <condition_variable>
#include <thread>
#include <vector>

#include "central/auth/authenticator.h"
#include "central/http/connection.h"
#include "central/pg_listener.h"
#include "central/schedule_runner.h"
#include "central/ui/console.h"
#include "common/thread.h"

namespace staffgate::central {

using common::ErrorKind;
using common::Fail;

namespace {

constexpr auto kContactFlushPeriod = std::chrono::seconds(2);
constexpr int kResignCheckEvery = 30;  // Flush periods (one minute).
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

struct HttpServer::Impl {
  Impl(const CentralConfig& c, Service& s, common::LogFn l)
      : config(c),
        service(s),
        log(std::move(l)),
        tls(net::ssl::context::tls_server),
        api(s, metrics, hub, c.max_wait_s),
        ctx(tls, api, hub, metrics, config),
        acceptor(ioc),
        signals(ioc, SIGTERM, SIGINT),
        reload_signals(ioc, SIGHUP),
        housekeeping(ioc) {}

  common::Result<void> SetUpTls();
  common::Result<void> StartAuth();
  void FlushLockouts(Service::Flush mode) const;
  // Joins the hashing threads, writes the lockout counters and drops the
  // Authenticator, before the Service it uses may go.
  void StopAuth();
  common::Result<void> Bind();
  void Accept();
  // Every kContactFlushPeriod, HousekeepOnce on the request pool: its
  // writes may wait for the database, never on an io thread.
  void Housekeeping(int tick);
  void HousekeepOnce(int tick);
  void PruneEvents();
  void FollowInstalledSerials();
  void BeginStop();
  void WaitForReload();
  // On a PostgreSQL database other centrals may share: a PgListener whose
  // notices have the Service catch up (docs/design.md §12); else null.
  common::Result<std::unique_ptr<PgListener>> ListenToOtherCentrals();

  const CentralConfig& config;
  Service& service;
  common::LogFn log;
  net::io_context ioc;
  net::ssl::context tls;
  Metrics metrics;
  WaitHub hub;
  Api api;
  ServerContext ctx;
  tcp::acceptor acceptor;
  net::signal_set signals;
  net::signal_set reload_signals;
  net::steady_timer housekeeping;
  // Guards housekeeping's arming (an io thread, after a pool job) against
  // BeginStop's cancel (another io thread).
  std::mutex housekeeping_mu;
  std::mutex stop_mu;
  std::condition_variable stop_cv;
  bool run_done = false;  // Guarded by stop_mu.
  common::SystemClock clock;
  std::unique_ptr<Console> console;  // The HR console (docs/design.md §11).
  // Requests that may wait for the database: workstations' login-path
  // calls (ctx.logins), and the rest with housekeeping (ctx.requests).
  std::unique_ptr<WorkPool> logins;
  std::unique_ptr<WorkPool> requests;
  // Last member: destroyed first, so its hashing threads are joined while
  // the io_context they post answers to still exists.
  std::unique_ptr<Authenticator> auth;
};

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

void HttpServer::Impl::FlushLockouts(Service::Flush mode) const {
  if (!auth) return;
  if (auto flushed = auth->FlushLockouts(mode); !flushed) {
    log(LOG_ERR, "cannot record password lockouts: " + flushed.error().message);
  }
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

void HttpServer::Impl::Housekeeping(int tick) {
  std::lock_guard<std::mutex> lock(housekeeping_mu);
  if (ctx.stopping) return;
  housekeeping.expires_after(kContactFlushPeriod);
  housekeeping.async_wait([this, tick](beast::error_code ec) {
    if (ec || ctx.stopping) return;
    // The next round is set only when this one is done: a database that
    // hangs holds one worker, and rounds do not pile up behind it.
    requests->Submit([this, tick](bool admitted) {
      if (admitted) HousekeepOnce(tick);
      net::post(ioc, [this, tick] { Housekeeping(tick + 1); });
    });
  });
}

void HttpServer::Impl::HousekeepOnce(int tick) {
  if (auto flushed = service.FlushContacts(Service::Flush::kSkipIfBusy); !flushed) {
    log(LOG_ERR, "cannot record workstation contacts: " + flushed.error().message);
  }
  if (auto flushed = service.FlushLeases(Service::Flush::kSkipIfBusy); !flushed) {
    log(LOG_ERR, "cannot record session leases: " + flushed.error().message);
  }
  FlushLockouts(Service::Flush::kSkipIfBusy);
  FollowInstalledSerials();
  if (tick % kResignCheckEvery != 0) return;
  PruneEvents();
  auto resigned = service.ResignIfDue();
  if (!resigned) {
    log(LOG_ERR, "cannot re-sign the roster: " + resigned.error().message);
  } else if (*resigned) {
    log(LOG_INFO, "re-signed the roster as serial " + std::to_string(service.Current()->serial));
  }
}

// Retention (events_retention_days), in chunks so the event store's lock is
// never held long; what is left waits for the next minute.
void HttpServer::Impl::PruneEvents() {
  constexpr std::int64_t kChunk = 5000;
  std::int64_t total = 0;
  for (int i = 0; i < 20 && !ctx.stopping; ++i) {
    auto deleted = service.events().Prune(kChunk);
    if (!deleted) {
      log(LOG_ERR, "cannot prune old events: " + deleted.error().message);
      return;
    }
    total += *deleted;
    if (*deleted < kChunk) break;
  }
  if (total > 0) log(LOG_INFO, "retention: deleted " + std::to_string(total) + " old events");
}

// A workstation on an offline roster above the central's serial takes the
// central's rosters again once the central publishes above it.
void HttpServer::Impl::FollowInstalledSerials() {
  auto followed = service.FollowInstalledSerials();
  if (!followed) {
    log(LOG_ERR, "cannot publish above an offline roster: " + followed.error().message);
  } else if (followed->published) {
    log(LOG_NOTICE, "workstation " + followed->workstation + " uses offline roster serial " +
                        std::to_string(followed->installed) + "; published serial " +
                        std::to_string(followed->serial) + " above it");
  } else if (!followed->warning.empty()) {
    log(LOG_WARNING, followed->warning);
  }
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
  s.requests = std::make_unique<WorkPool>("request-worker", kRequestWorkers, kRequestQueue,
                                          kRequestWait, s.log);
  s.ctx.requests = s.requests.get();
  s.logins =
      std::make_unique<WorkPool>("login-worker", kLoginWorkers, kRequestQueue, kRequestWait, s.log);
  s.ctx.logins = s.logins.get();
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

  // Drain watchdog: after a stop, in-flight work gets kDrainDeadline.
  std::thread watchdog = common::StartGuardedThread("drain-watchdog", s.log, [&s] {
    std::unique_lock<std::mutex> lock(s.stop_mu);
    s.stop_cv.wait(lock, [&s] { return s.run_done || s.ctx.stopping.load(); });
    if (!s.stop_cv.wait_for(lock, kDrainDeadline, [&s] { return s.run_done; })) {
      s.log(LOG_WARNING, "stopping: drain deadline passed, closing remaining connections");
      s.ioc.stop();
    }
  });
  std::vector<std::thread> threads;
  // A handler that throws ends that run() call; run() again resumes the
  // queue (Asio allows it without restart()).
  auto io = [&s] { s.ioc.run(); };
  for (int i = 1; i < s.config.threads; ++i) {
    threads.push_back(common::StartGuardedThread("http-io", s.log, io));
  }
  common::RunGuarded("http-io", s.log, io);
  for (auto& t : threads) t.join();
  {
    std::lock_guard<std::mutex> lock(s.stop_mu);
    s.run_done = true;
  }
  s.stop_cv.notify_all();
  watchdog.join();
  s.logins.reset();  // Joins the workers; what still waited is refused.
  s.requests.reset();
  scheduler.Stop();
  listener->reset();  // Joins its thread: no CatchUp after this.
  s.service.SetPublishListener(nullptr);
  s.service.SetLeaseEndListener(nullptr);
  s.StopAuth();
  if (auto flushed = s.service.FlushContacts(); !flushed) {
    s.log(LOG_ERR, "cannot record workstation contacts: " + flushed.error().message);
  }
  if (auto flushed = s.service.FlushLeases(); !flushed) {
    s.log(LOG_ERR, "cannot record session leases: " + flushed.error().message);
  }
  s.log(LOG_INFO, "stopped");
  return common::Ok();
}

}  // namespace staffgate::central
