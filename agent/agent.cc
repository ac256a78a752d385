#include "agent/agent.h"

#include <signal.h>
#include <sys/resource.h>

#include <algorithm>
#include <cerrno>
#include <limits>
#include <thread>
#include <utility>

#include "agent/config/private_dirs.h"

namespace staffgate::agent {
namespace {

// A login waits for the lease call: keep well inside the module's default
// 2 s deadline for the whole exchange.
constexpr int kLeaseDeadlineMs = 1200;

// The socket's connection cap, lowered when the process may not open that
// many descriptors (the unit sets LimitNOFILE): past the limit accept
// would fail for root as well, and the root reserve would mean nothing.
std::size_t ConnectionsWithinLimit(std::size_t wanted, const common::LogFn& log) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return wanted;
  const std::size_t allowed = ConnectionsWithinFdLimit(wanted, limit.rlim_cur);
  if (allowed < wanted) {
    log(LOG_WARNING, "at most " + std::to_string(allowed) + " socket connections: the file " +
                         "descriptor limit is " + std::to_string(limit.rlim_cur) +
                         " (raise LimitNOFILE)");
  }
  return allowed;
}

}  // namespace

common::Result<std::vector<common::PublicKey>> LoadTrustedKeys(const AgentConfig& config) {
  std::vector<common::PublicKey> keys;
  for (const auto& path : config.trusted_keys) {
    auto key = common::PublicKey::FromPemFile(path);
    if (!key) {
      return common::Fail(common::ErrorKind::kConfig,
                          config.path + ": key 'trusted_keys': " + key.error().message);
    }
    keys.push_back(std::move(*key));
  }
  return keys;
}

Agent::Agent(AgentConfig config, common::LogFn log, const common::Clock& clock, const UserDb& users,
             ProcessControl* os)
    : log_(std::move(log)), clock_(clock), configured_workstation_(config.workstation) {
  users_ = std::make_unique<CachingUserDb>(users, clock_);
  audit_ = std::make_unique<AuditLog>(config.audit_log, log_);
  fanout_ = std::make_unique<AuditFanout>(*audit_, log_);
  auto shared_config = std::make_shared<const AgentConfig>(std::move(config));
  // Order matters: the service is built before any callback that uses it
  // can run, and the revoker before any thread starts (agent_wiring.cc).
  WireRosterStore(shared_config->state_dir);
  WireLeaseGate();
  WirePasswords(shared_config->state_dir);
  WireService(shared_config);
  WireRevocation(os);
  WireNssWriter();
}

Agent::~Agent() { Stop(); }

std::shared_ptr<CentralLink> Agent::link() const {
  std::lock_guard<std::mutex> lock(link_mu_);
  return link_;
}

common::Result<void> Agent::Start() {
  std::lock_guard<std::mutex> reload_lock(reload_mu_);
  auto config = service_->config();
  auto keys = LoadTrustedKeys(*config);
  if (!keys) return tl::unexpected(keys.error());
  for (const auto& [dir, key] :
       {std::pair{config->state_dir, "state_dir"},
        std::pair{config->state_dir + "/outbox", "state_dir"},
        std::pair{ParentDir(config->audit_log), "audit_log's directory"}}) {
    if (auto checked = CheckPrivateDir(dir, key); !checked) return checked;
  }
  if (auto opened = audit_->Open(); !opened) log_(LOG_ERR, opened.error().message);
  if (keys->empty()) {
    log_(LOG_WARNING, "not enrolled (no trusted_keys in " + config->path +
                          "): every login is ignored by staffgate");
  }
  (void)store_->Load(std::move(*keys));  // Failures are logged; we serve no_roster.
  {
    std::lock_guard<std::mutex> lock(link_mu_);
    last_roster_ = store_->Current();
  }
  WriteNssSnapshot();
  if (auto roster = store_->Current()) passwords_->RosterChanged(*roster);

  // Before the socket answers: the first session_open sees the whole table.
  RestoreSessions();
  SocketServerOptions options;
  options.path = config->socket;
  options.threads = static_cast<int>(std::clamp(std::thread::hardware_concurrency(), 2U, 4U));
  options.max_connections = ConnectionsWithinLimit(options.max_connections, log_);
  server_ = std::make_unique<SocketServer>(
      options,
      [this](std::string_view line, const Peer& peer) { return service_->Handle(line, peer); },
      log_);
  if (auto started = server_->Start(); !started) {
    server_.reset();
    return started;
  }
  started_ = true;
  revoker_->Start();
  expiry_->RosterChanged(store_->Current());
  expiry_->Start();
  gate_->Start();
  ReconcileLink(*config);
  AuditEvent event;
  event.type = AuditType::kAgentStart;
  event.serial = store_->HighestSerial();
  event.detail = "staffgated " STAFFGATE_VERSION;
  service_->RecordEvent(std::move(event));
  log_(LOG_INFO, "staffgated " STAFFGATE_VERSION " serving " + config->socket +
                     " for workstation " + config->workstation);
  return common::Ok();
}

common::Result<void> Agent::Reload(const std::string& path) {
  std::lock_guard<std::mutex> reload_lock(reload_mu_);
  auto loaded = LoadAgentConfig(path);
  if (!loaded) {
    log_(LOG_ERR, "reload: keeping the old configuration: " + loaded.error().message);
    return tl::unexpected(loaded.error());
  }
  auto keys = LoadTrustedKeys(*loaded);
  if (!keys) {
    log_(LOG_ERR, "reload: keeping the old configuration: " + keys.error().message);
    return tl::unexpected(keys.error());
  }
  auto old = service_->config();
  if (loaded->socket != old->socket || loaded->state_dir != old->state_dir) {
    log_(LOG_WARNING, "reload: changes to 'socket' and 'state_dir' take effect after a restart");
    loaded->socket = old->socket;
    loaded->state_dir = old->state_dir;
  }
  if (auto reopened = audit_->Reopen(loaded->audit_log); !reopened) {
    log_(LOG_ERR, reopened.error().message);
  }
  ApplyConfig(*loaded);
  users_->Clear();
  // New keys may make a cached roster valid (enrollment) or invalid
  // (rotation): verify it again under them. Failures are logged; we serve
  // no_roster until a good one arrives.
  (void)store_->Load(std::move(*keys));
  {
    std::lock_guard<std::mutex> lock(link_mu_);
    last_roster_ = store_->Current();
  }
  expiry_->RosterChanged(store_->Current());
  // workstation, min_uid or nss_enumerate may have changed.
  WriteNssSnapshot();
  if (started_) ReconcileLink(*service_->config());
  AuditEvent event;
  event.type = AuditType::kConfigReloaded;
  event.serial = store_->HighestSerial();
  service_->RecordEvent(std::move(event));
  log_(LOG_INFO, "reloaded " + path);
  return common::Ok();
}

void Agent::ReconcileLink(const AgentConfig& config) {
  auto current = link();
  const bool wanted = !config.central_urls.empty();
  if (current && wanted && current->key() == CentralLinkKey(config)) return;
  if (current) {
    gate_->SetApi(nullptr);
    fanout_->SetLink(nullptr);
    {
      std::lock_guard<std::mutex> lock(link_mu_);
      link_.reset();
      central_auth_.reset();
    }
    current->Stop();
  }
  if (!wanted) return;
  auto created = CentralLink::Create(config, *store_, clock_, log_, [this](AuditEvent event) {
    service_->RecordEvent(std::move(event));
  });
  if (!created) {
    log_(LOG_ERR, "not following the central " + JoinCentralUrls(config.central_urls) + ": " +
                      created.error().message + " (decisions continue from the cached roster)");
    return;
  }
  std::shared_ptr<CentralLink> fresh(std::move(*created));
  {
    std::lock_guard<std::mutex> lock(link_mu_);
    link_ = fresh;
    central_auth_ = std::make_shared<HttpCentralAuth>(fresh->http(), fresh->selector(), clock_);
  }
  fanout_->SetLink(fresh);
  gate_->SetApi(
      std::make_shared<HttpLeaseApi>(fresh->http(), fresh->selector(), clock_, kLeaseDeadlineMs));
  // The central says a lease here was ended: renew now, not at ttl/3.
  fresh->OnLeaseEnded([this] { gate_->RenewNow(); });
  fresh->OnIdentity(
      [this, key = fresh->key()](const std::string& name) { return AdoptWorkstation(key, name); });
  fresh->Start();
}

void Agent::OnRosterInstalled() {
  std::shared_ptr<const common::Roster> before;
  std::shared_ptr<const common::Roster> after = store_->Current();
  {
    std::lock_guard<std::mutex> lock(link_mu_);
    before = std::exchange(last_roster_, after);
  }
  // Identities first: sessions the revoker ends log in again with the new
  // groups.
  WriteNssSnapshot();
  if (after) passwords_->RosterChanged(*after);
  expiry_->RosterChanged(after);
  revoker_->RosterChanged(std::move(before), std::move(after));
}

void Agent::WriteNssSnapshot() {
  auto roster = store_->Current();
  if (!roster) return;  // Nothing verified yet: keep whatever snapshot exists.
  auto wrote = nss_->Write(*roster, *service_->config());
  if (!wrote) log_(LOG_ERR, wrote.error().message);
}

common::Response Agent::SyncOp() {
  auto current = link();
  if (!current) {
    return common::ErrorResponse("not_configured",
                                 "no central_url or central_urls in " + service_->config()->path);
  }
  auto outcome = current->SyncNow();
  if (!outcome) return common::ErrorResponse("sync_failed", outcome.error().message);
  return common::SyncReply{*outcome};
}

common::Response Agent::ReloadOp() {
  auto reloaded = Reload(service_->config()->path);
  if (!reloaded) return common::ErrorResponse("reload_failed", reloaded.error().message);
  return common::ReloadReply{service_->config()->path};
}

void Agent::Stop() {
  {
    std::lock_guard<std::mutex> reload_lock(reload_mu_);
    if (!started_) return;
    started_ = false;
  }
  // Not under reload_mu_: a reload op in flight on a socket worker takes it,
  // and server_->Stop() joins that worker.
  server_->Stop();
  expiry_->Stop();  // Before the Revoker it hands accounts to.
  revoker_->Stop();
  gate_->Stop();
  SaveSessions();
  fanout_->Flush(std::numeric_limits<std::int64_t>::max());  // Every counted decision.
  AuditEvent event;
  event.type = AuditType::kAgentStop;
  service_->RecordEvent(std::move(event));
  // Stopped after agent_stop is queued, so the event is in the outbox
  // (delivered on the next start if not now).
  std::lock_guard<std::mutex> reload_lock(reload_mu_);
  if (auto current = link()) {
    fanout_->SetLink(nullptr);
    current->Stop();
    std::lock_guard<std::mutex> lock(link_mu_);
    link_.reset();
    central_auth_.reset();
  }
  log_(LOG_INFO, "staffgated stopped");
}

}  // namespace staffgate::agent
