// Service: opening, publishing, authentication. Contacts are in
// service_contacts.cc, events in service_events.cc.
// The admin changes are in service_admin.cc.
#include "central/service.h"

#include <algorithm>
#include <cstdlib>

#include "central/journal/actor.h"
#include "central/journal/state_diff.h"
#include "central/posix_ids.h"
#include "central/roster_builder.h"
#include "central/tokens.h"
#include "central/validation.h"
#include "common/envelope.h"
#include "common/file_util.h"

namespace staffgate::central {

using common::ErrorKind;
using common::Fail;
using common::Json;
using common::Result;

Service::Service(ServiceOptions options, common::PrivateKey key, const common::Clock& clock,
                 std::unique_ptr<Store> store, std::unique_ptr<EventStore> events)
    : options_(std::move(options)),
      key_(std::move(key)),
      public_pem_(key_.Public().ToPem()),
      clock_(clock),
      // PostgreSQL keeps the high-water mark in the database itself
      // (Store::TakeSerial), shared by every central on it.
      serial_file_(IsPostgresUri(options_.db_path) ? "" : SerialFilePath(options_.db_path)),
      shared_database_(IsPostgresUri(options_.db_path)),
      store_(std::move(store)),
      leases_(clock),
      events_(std::move(events), options_, clock) {}

std::string EventsDbPath(const ServiceOptions& options) {
  if (!options.events_db_path.empty()) return options.events_db_path;
  const std::string& db = options.db_path;
  if (IsPostgresUri(db)) return db;  // A table of the same database.
  if (db.size() > 3 && db.compare(db.size() - 3, 3, ".db") == 0) {
    return db.substr(0, db.size() - 3) + "-events.db";
  }
  return db + "-events";
}

Service::~Service() {
  // Last chance at shutdown: nobody is left to tell; HttpServer::Run has
  // already flushed and logged any failure.
  (void)FlushContacts();
  (void)FlushLeases();
}

Result<std::unique_ptr<Service>> Service::Open(const ServiceOptions& options,
                                               common::PrivateKey key, const common::Clock& clock) {
  // Events first: a database from before the event store had its own file
  // hands its events over before the migration drops them there.
  auto events = EventStore::Open(EventsDbPath(options), options.events_max_bytes);
  if (!events) return tl::unexpected(events.error());
  if (auto ok = (*events)->ImportLegacy(options.db_path); !ok) return tl::unexpected(ok.error());
  auto store = Store::Open(options.db_path);
  if (!store) return tl::unexpected(store.error());
  std::unique_ptr<Service> s(
      new Service(options, std::move(key), clock, std::move(*store), std::move(*events)));
  if (s->shared_database_) {
    auto shared = SharedLeaseDesk::Open(options.db_path, s->leases_);
    if (!shared) return tl::unexpected(shared.error());
    s->shared_leases_ = std::move(*shared);
    s->lease_decider_ = s->shared_leases_.get();
  }
  std::lock_guard<std::mutex> lock(s->mu_);
  // Reads the state and decides whether to publish. On a database other
  // centrals share, a publish is decided again under the serial row's lock
  // (docs/design.md §12): a change another central commits meanwhile is
  // then in the state read, never left out of the roster published here.
  std::optional<Transaction> txn;
  for (;;) {
    auto latest = s->LoadLocked();
    if (!latest) return tl::unexpected(latest.error());
    // Accounts from before uids existed (schema 4) get theirs now, in
    // employee id order.
    State next = s->state_;
    if (auto ok = AssignUids(next, options.uid_range); !ok) {
      return Fail(ErrorKind::kConfig,
                  "cannot give uids to the existing accounts: " + ok.error().message);
    }
    const common::UnixSeconds now = clock.Now();
    const bool fresh = *latest && (*latest)->serial >= s->high_water_ &&
                       (*latest)->expires_at - now >= options.roster_lifetime_s / 2 &&
                       next.ids.uids.size() == s->state_.ids.uids.size() && s->BuildsSame(**latest);
    {
      // `next` is the state Open ends with either way (fresh: no new uids).
      auto snapshot = BuildStateSnapshot(next);
      std::lock_guard<std::mutex> current_lock(s->current_mu_);
      s->snapshot_ = std::move(snapshot);
    }
    if (fresh) {
      s->current_ = std::make_shared<PublishedRoster>(**latest);
      return s;
    }
    if (!txn) {
      auto begun = Transaction::Begin(s->store_->db());
      if (!begun) return tl::unexpected(begun.error());
      txn.emplace(std::move(*begun));
      if (s->shared_database_) {
        // Unbounded: a start waits out another central's import rather
        // than failing (a change holds the row for as long as it takes).
        if (auto ok = s->store_->SerialHighWater(); !ok) return tl::unexpected(ok.error());
        continue;  // Read and decide again, under the lock.
      }
    }
    // No roster yet, a database older than the last published serial, one
    // close to expiry, new uids, or a config that changes what the roster
    // says (organization, publish_display_names): publish the next serial.
    if (auto ok = s->PersistLocked(next); !ok) return tl::unexpected(ok.error());
    auto published = s->PublishLocked(next);
    if (!published) return tl::unexpected(published.error());
    if (auto committed = txn->Commit(); !committed) return tl::unexpected(committed.error());
    s->state_ = std::move(next);
    s->current_ = std::make_shared<PublishedRoster>(std::move(*published));
    return s;
  }
}

Result<std::optional<PublishedRoster>> Service::LoadLocked() {
  auto state = store_->LoadState();
  if (!state) return tl::unexpected(state.error());
  state_ = std::move(*state);
  max_workstations_ = state_.max_workstations_per_account;
  auto admin = store_->GetMeta("admin_token_sha256");
  if (!admin) return tl::unexpected(admin.error());
  tokens_.SetWorkstations(state_.workstations);
  tokens_.SetAdminHash(admin->value_or(""));
  if (auto admins = ReloadAdmins(); !admins) return tl::unexpected(admins.error());
  auto leases = store_->LoadLeases();
  if (!leases) return tl::unexpected(leases.error());
  leases_.Load(*leases);
  auto rollout = store_->LoadRollout();
  if (!rollout) return tl::unexpected(rollout.error());
  contacts_.LoadRollout(std::move(*rollout));
  auto latest = store_->LatestRoster();
  if (!latest) return tl::unexpected(latest.error());
  auto file_serial = ReadSerialFile(serial_file_);
  if (!file_serial) return tl::unexpected(file_serial.error());
  auto stored_serial = store_->SerialHighWater();
  if (!stored_serial) return tl::unexpected(stored_serial.error());
  high_water_ =
      std::max<std::uint64_t>({*file_serial, *stored_serial, *latest ? (*latest)->serial : 0});
  return std::move(*latest);
}

bool Service::BuildsSame(const PublishedRoster& roster) const {
  auto verified =
      common::VerifyEnvelope(roster.envelope, common::kRosterPayloadType, {key_.Public()});
  return verified &&
         verified->payload == BuildRosterPayload(state_, roster.serial, roster.issued_at,
                                                 roster.expires_at, RosterOptions());
}

RosterBuildOptions Service::RosterOptions() const {
  return RosterBuildOptions{options_.organization, options_.publish_display_names};
}

std::shared_ptr<const PublishedRoster> Service::Current() const {
  std::lock_guard<std::mutex> lock(current_mu_);
  return current_;
}

void Service::SetPublishListener(std::function<void(std::uint64_t)> listener) {
  std::lock_guard<std::mutex> lock(listener_mu_);
  listener_ = std::move(listener);
}

void Service::Notify(std::uint64_t serial) {
  std::function<void(std::uint64_t)> listener;
  {
    std::lock_guard<std::mutex> lock(listener_mu_);
    listener = listener_;
  }
  if (listener) listener(serial);
}

std::string SerialFilePath(const std::string& db_path) { return db_path + ".serial"; }

Result<std::uint64_t> ReadSerialFile(const std::string& path) {
  if (path.empty()) return std::uint64_t{0};
  auto text = common::ReadFileCapped(path, 64);
  if (!text) {
    if (text.error().kind == ErrorKind::kNotFound) return std::uint64_t{0};
    return tl::unexpected(text.error());
  }
  char* end = nullptr;
  unsigned long long v = std::strtoull(text->c_str(), &end, 10);
  if (end == text->c_str()) {
    return Fail(ErrorKind::kConfig, path + " does not hold a serial number");
  }
  return static_cast<std::uint64_t>(v);
}

Result<PublishedRoster> Service::PublishLocked(const State& state) {
  PublishedRoster r;
  auto serial = store_->TakeSerial(TopSerialLocked(state));
  if (!serial) return tl::unexpected(serial.error());
  r.serial = *serial;
  r.issued_at = clock_.Now();
  r.expires_at = r.issued_at + options_.roster_lifetime_s;
  std::string payload =
      BuildRosterPayload(state, r.serial, r.issued_at, r.expires_at, RosterOptions());
  auto envelope = common::SignEnvelope(common::kRosterPayloadType, payload, key_);
  if (!envelope) return tl::unexpected(envelope.error());
  r.envelope = std::move(*envelope);
  auto saved = store_->SaveRoster(r);
  if (!saved) return tl::unexpected(saved.error());
  // The high-water mark goes to disk before the commit: whatever happens
  // next, no later start can publish or serve a serial at or below it
  // (SQLite; a restored older file would not hold it).
  if (!serial_file_.empty()) {
    auto written = common::WriteFileAtomic(serial_file_, std::to_string(r.serial) + "\n", 0644);
    if (!written) return tl::unexpected(written.error());
  }
  high_water_ = r.serial;
  return r;
}

Result<void> Service::PersistLocked(const State& next) {
  const common::UnixSeconds now = clock_.Now();
  // Accounts of changed employees are cleared first, so an account may
  // move between two employees within one change (imports).
  std::vector<const EmployeeRecord*> changed;
  for (const auto& [id, e] : next.employees) {
    auto old = state_.employees.find(id);
    if (old == state_.employees.end() || !(old->second == e)) changed.push_back(&e);
  }
  auto clear = store_->db().Prepare("DELETE FROM accounts WHERE employee_id = ?");
  if (!clear) return tl::unexpected(clear.error());
  for (const EmployeeRecord* e : changed) {
    clear->Reset();
    if (auto ok = clear->Bind(1, e->id).Run(); !ok) return ok;
  }
  for (const EmployeeRecord* e : changed) {
    if (auto ok = store_->PutEmployee(*e, now); !ok) return ok;
  }
  for (const std::string& name : state_.shared_accounts) {
    if (!next.shared_accounts.contains(name)) {
      if (auto ok = store_->RemoveShared(name); !ok) return ok;
    }
  }
  for (const std::string& name : next.shared_accounts) {
    if (!state_.shared_accounts.contains(name)) {
      if (auto ok = store_->AddShared(name); !ok) return ok;
    }
  }
  for (const auto& [name, w] : state_.workstations) {
    if (!next.workstations.contains(name)) {
      if (auto ok = store_->RemoveWorkstation(name); !ok) return ok;
    }
  }
  for (const auto& [name, w] : next.workstations) {
    auto old = state_.workstations.find(name);
    if (old == state_.workstations.end() || old->second.groups != w.groups ||
        old->second.token_hash != w.token_hash) {
      if (auto ok = store_->PutWorkstation(w); !ok) return ok;
    }
  }
  if (next.max_workstations_per_account != state_.max_workstations_per_account) {
    auto ok = store_->SetMeta("max_workstations_per_account",
                              std::to_string(next.max_workstations_per_account));
    if (!ok) return ok;
  }
  for (const auto& [id, record] : state_.passwords) {
    if (!next.passwords.contains(id)) {
      if (auto ok = store_->DeletePassword(id); !ok) return ok;
    }
  }
  for (const auto& [id, record] : next.passwords) {
    auto old = state_.passwords.find(id);
    if (old == state_.passwords.end() || !(old->second == record)) {
      if (auto ok = store_->PutPassword(id, record); !ok) return ok;
    }
  }
  if (next.unpublished_serials != state_.unpublished_serials) {
    if (auto ok = store_->SetUnpublishedSerials(next.unpublished_serials); !ok) return ok;
  }
  if (auto ok = PersistScheduleLocked(next); !ok) return ok;
  return PersistPosixLocked(next, now);
}

Result<bool> Service::Change(const Mutation& mutate, ChangeMode mode, const JournalLabel& label) {
  std::uint64_t wake = 0;  // A serial this central's long-polls must hear of.
  auto changed = [&]() -> Result<bool> {
    std::lock_guard<std::mutex> lock(mu_);
    std::optional<Transaction> txn;
    if (shared_database_ && mode != ChangeMode::kDryRun) {
      // Another central may have changed the state: start from what the
      // database holds (service_centrals.cc).
      auto begun = BeginSharedChangeLocked(&wake);
      if (!begun) return tl::unexpected(begun.error());
      txn.emplace(std::move(*begun));
    }
    // Re-signing: another central may just have done it.
    if (mode == ChangeMode::kResign && !ResignDue()) return false;
    State next = state_;
    if (auto ok = mutate(next); !ok) return tl::unexpected(ok.error());
    if (auto ok = AssignUids(next, options_.uid_range); !ok) return tl::unexpected(ok.error());
    if (auto ok = CheckState(next, &state_); !ok) return tl::unexpected(ok.error());
    if (mode == ChangeMode::kDryRun) return false;
    // Nothing to tell the fleet: a new serial would only make every
    // workstation download the same roster again.
    if (mode == ChangeMode::kIfChanged && next == state_) return false;
    if (!txn) {
      auto begun = Transaction::Begin(store_->db());
      if (!begun) return tl::unexpected(begun.error());
      txn.emplace(std::move(*begun));
    }
    if (auto ok = PersistLocked(next); !ok) return tl::unexpected(ok.error());
    auto published = PublishLocked(next);
    if (!published) return tl::unexpected(published.error());
    if (CurrentActor() != nullptr) {
      StateDiff diff = DiffState(state_, next);
      if (!diff.empty()) {
        JournalLabel named = label.action.empty() ? DerivedLabel(diff) : label;
        auto journalled =
            JournalLocked(named, std::move(diff.before), std::move(diff.after), published->serial);
        if (!journalled) return tl::unexpected(journalled.error());
      }
    }
    if (auto ok = txn->Commit(); !ok) return tl::unexpected(ok.error());
    wake = published->serial;
    SwapInLocked(std::move(next), std::move(*published));
    return true;
  }();
  if (wake != 0) Notify(wake);
  return changed;
}

void Service::SwapInLocked(State next, PublishedRoster roster) {
  tokens_.SetWorkstations(next.workstations);
  max_workstations_ = next.max_workstations_per_account;
  state_ = std::move(next);
  auto current = std::make_shared<PublishedRoster>(std::move(roster));
  auto snapshot = BuildStateSnapshot(state_);
  std::lock_guard<std::mutex> current_lock(current_mu_);
  current_ = std::move(current);
  snapshot_ = std::move(snapshot);
}

bool Service::ResignDue() const {
  auto current = Current();
  return !current || current->expires_at - clock_.Now() < options_.roster_lifetime_s / 2;
}

Result<bool> Service::ResignIfDue() {
  if (!ResignDue()) return false;
  return Change([](State&) { return common::Ok(); }, ChangeMode::kResign);
}

bool Service::IsAdminToken(std::string_view token) const { return tokens_.IsAdmin(token); }

Result<void> Service::SetAdminTokenHash(const std::string& hash) {
  std::lock_guard<std::mutex> lock(mu_);
  if (auto ok = store_->SetMeta("admin_token_sha256", hash); !ok) return ok;
  tokens_.SetAdminHash(hash);
  return common::Ok();
}

Result<void> Service::ReloadAdminToken() {
  std::lock_guard<std::mutex> lock(mu_);
  auto admin = store_->GetMeta("admin_token_sha256");
  if (!admin) return tl::unexpected(admin.error());
  tokens_.SetAdminHash(admin->value_or(""));
  return common::Ok();
}

std::optional<std::string> Service::WorkstationForToken(std::string_view token) const {
  return tokens_.WorkstationFor(token);
}

std::unique_lock<std::mutex> Service::LockForFlush(Flush mode) {
  std::unique_lock<std::mutex> lock(mu_, std::defer_lock);
  if (mode == Flush::kWait) {
    lock.lock();
  } else {
    (void)lock.try_lock();
  }
  return lock;
}

Result<void> Service::Healthy() {
  std::lock_guard<std::mutex> lock(mu_);
  auto version = store_->SchemaVersion();
  if (!version) return tl::unexpected(version.error());
  auto sig = key_.Sign("staffgate healthz");
  if (!sig) return tl::unexpected(sig.error());
  return common::Ok();
}

}  // namespace staffgate::central
