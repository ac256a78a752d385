// Service: several centrals on one PostgreSQL database (docs/design.md
// §12). Each central keeps the state in memory for speed; the database is
// the truth. A change takes the serial row's lock first (so changes from
// every central queue there) and catches up with what others committed
// before it applies; a notification (pg_listener.h) makes a central catch
// up at once, so its held long-polls hear of another central's serial.
#include "central/service.h"

namespace staffgate::central {

using common::Result;

Result<Transaction> Service::BeginSharedChangeLocked(std::uint64_t* wake) {
  auto txn = Transaction::Begin(store_->db());
  if (!txn) return tl::unexpected(txn.error());
  // FOR UPDATE: held until this transaction ends. Under READ COMMITTED
  // every statement after it sees what the previous holder committed. A
  // holder that hangs costs this change 5 s and a 503, not the central.
  if (auto bounded = store_->BoundLockWait(); !bounded) {
    return tl::unexpected(bounded.error());
  }
  if (auto locked = store_->SerialHighWater(); !locked) return tl::unexpected(locked.error());
  auto caught_up = RefreshLocked();
  if (!caught_up) return tl::unexpected(caught_up.error());
  if (*caught_up) *wake = **caught_up;
  return txn;
}

Result<std::optional<std::uint64_t>> Service::RefreshLocked() {
  // The usual answer, cheaply: nothing newer (the listener asks every 2 s).
  auto newest = store_->LatestRosterSerial();
  if (!newest) return tl::unexpected(newest.error());
  if (*newest <= Current()->serial) return std::optional<std::uint64_t>();
  auto latest = store_->LatestRoster();
  if (!latest) return tl::unexpected(latest.error());
  if (!*latest || (*latest)->serial <= Current()->serial) return std::optional<std::uint64_t>();
  auto state = store_->LoadState();
  if (!state) return tl::unexpected(state.error());
  const std::uint64_t serial = (*latest)->serial;
  high_water_ = std::max(high_water_, serial);
  // The envelope as stored: every central serves the same bytes for a serial.
  SwapInLocked(std::move(*state), std::move(**latest));
  return std::optional<std::uint64_t>(serial);
}

Result<void> Service::ReloadAdmins() {
  auto admins = store_->LoadAdmins();
  if (!admins) return tl::unexpected(admins.error());
  std::map<std::string, AdminRecord> by_name;
  for (AdminRecord& a : *admins) by_name.emplace(a.name, std::move(a));
  std::lock_guard<std::mutex> admins_lock(admins_mu_);
  admins_.swap(by_name);
  return common::Ok();
}

Result<void> Service::CatchUp(const std::string& channel) {
  std::optional<std::uint64_t> published;
  if (channel.empty() || channel == kRosterChannel || channel == kAdminsChannel) {
    std::lock_guard<std::mutex> lock(mu_);
    if (channel != kAdminsChannel) {
      auto caught_up = RefreshLocked();
      if (!caught_up) return tl::unexpected(caught_up.error());
      published = *caught_up;
    }
    if (channel != kRosterChannel) {
      if (auto reloaded = ReloadAdmins(); !reloaded) return reloaded;
    }
  }
  if (published) Notify(*published);
  if (shared_leases_ && (channel.empty() || channel == kLeasesChannel)) {
    // Leases another central ended: their holders' polls here learn it now.
    auto ended = shared_leases_->TakeEndedElsewhere();
    if (!ended) return tl::unexpected(ended.error());
    std::function<void(const std::string&)> listener;
    {
      std::lock_guard<std::mutex> lock(listener_mu_);
      listener = lease_end_listener_;
    }
    for (const Lease& lease : *ended) {
      leases_.AddNotice(lease.workstation);
      if (listener) listener(lease.workstation);
    }
  }
  return common::Ok();
}

}  // namespace staffgate::central
