// HttpServer's state and steps, shared by http_server.cc (start, accept,
// stop) and housekeeping.cc (the periodic flushes, retention and
// re-signing). Internal to central/http/: only those two files include it.
//
// Threads: the members below are set up by Run before the io threads start
// and torn down after they end; what the io threads and the pools touch
// while serving is guarded where it is declared.
#ifndef STAFFGATE_CENTRAL_HTTP_HTTP_SERVER_IMPL_H_
#define STAFFGATE_CENTRAL_HTTP_HTTP_SERVER_IMPL_H_

#include <condition_variable>
#include <csignal>
#include <memory>
#include <mutex>
#include <utility>

#include "central/auth/authenticator.h"
#include "central/http/connection.h"
#include "central/http/http_server.h"
#include "central/pg_listener.h"
#include "central/ui/console.h"
#include "common/time_util.h"

namespace staffgate::central {

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
  // The contact, lease and (while the Authenticator lives) lockout records
  // kept in memory, written; failures logged, kept for the next call.
  void FlushRecords(Service::Flush mode);
  // Joins the hashing threads, writes the lockout counters and drops the
  // Authenticator, before the Service it uses may go.
  void StopAuth();
  common::Result<void> Bind();
  void Accept();
  // Every two seconds (housekeeping.cc), HousekeepOnce on the request pool:
  // its writes may wait for the database, never on an io thread.
  void Housekeeping(int tick);
  void HousekeepOnce(int tick);
  void PruneEvents();
  void FollowInstalledSerials();
  void BeginStop();
  void WaitForReload();
  // The request and login pools (ctx.requests, ctx.logins).
  void StartPools();
  // Runs the io threads until they end (after BeginStop and the drain).
  void Serve();
  // StopAuth, then the contact and lease records still in memory. Only
  // after the io threads, the pools and the PgListener have stopped.
  void FlushAtStop();
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

}  // namespace staffgate::central

#endif  // STAFFGATE_CENTRAL_HTTP_HTTP_SERVER_IMPL_H_
