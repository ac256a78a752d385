// HttpServer's housekeeping: every two seconds, on the request pool, the
// contact, lease and lockout records are flushed and workstations on an
// offline roster are followed; every minute, old events are pruned, the
// roster is re-signed when due and, on PostgreSQL, the live lease gauge is
// read (docs/design.md §6, §12).
#include <syslog.h>

#include <chrono>
#include <cstdint>
#include <string>

#include "central/http/http_server_impl.h"

namespace staffgate::central {
namespace {

constexpr auto kContactFlushPeriod = std::chrono::seconds(2);
constexpr int kResignCheckEvery = 30;  // Flush periods (one minute).

}  // namespace

void HttpServer::Impl::FlushLockouts(Service::Flush mode) const {
  if (!auth) return;
  if (auto flushed = auth->FlushLockouts(mode); !flushed) {
    log(LOG_ERR, "cannot record password lockouts: " + flushed.error().message);
  }
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

void HttpServer::Impl::FlushRecords(Service::Flush mode) {
  if (auto flushed = service.FlushContacts(mode); !flushed) {
    log(LOG_ERR, "cannot record workstation contacts: " + flushed.error().message);
  }
  if (auto flushed = service.FlushLeases(mode); !flushed) {
    log(LOG_ERR, "cannot record session leases: " + flushed.error().message);
  }
  FlushLockouts(mode);
}

void HttpServer::Impl::HousekeepOnce(int tick) {
  FlushRecords(Service::Flush::kSkipIfBusy);
  FollowInstalledSerials();
  // The live lease gauge on PostgreSQL, where it reads every live lease:
  // once a minute, and at the first round (SQLite counts at each /metrics).
  const bool every_minute = tick % kResignCheckEvery == 0;
  if ((every_minute || tick == 1) && service.SharesDatabase()) api.RefreshLiveLeases();
  if (!every_minute) return;
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

}  // namespace staffgate::central
