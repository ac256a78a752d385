#include "agent/agent.h"

#include <algorithm>
#include <thread>

namespace staffgate::agent {

common::Result<std::vector<common::PublicKey>> LoadTrustedKeys(const common::AgentConfig& config) {
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

Agent::Agent(common::AgentConfig config, LogFn log, const common::Clock& clock,
             const UserDb& users)
    : log_(std::move(log)), clock_(clock) {
  users_ = std::make_unique<CachingUserDb>(users, clock_);
  audit_ = std::make_unique<AuditLog>(config.audit_log, log_);
  auto shared_config = std::make_shared<const common::AgentConfig>(std::move(config));
  // The store reports roster events through the service, which stamps them
  // with the workstation; the service is created right below and outlives
  // every call.
  store_ = std::make_unique<RosterStore>(
      shared_config->state_dir, clock_, log_,
      [this](const std::string& type, std::optional<std::uint64_t> serial,
             const std::string& detail) {
        AuditEvent event;
        event.type = type;
        event.serial = serial;
        event.detail = detail;
        service_->RecordEvent(std::move(event));
      });
  ServiceDeps deps;
  deps.store = store_.get();
  deps.users = users_.get();
  deps.clock = &clock_;
  deps.audit = audit_.get();
  deps.sessions = &sessions_;
  deps.log = log_;
  service_ = std::make_unique<Service>(shared_config, std::move(deps));
}

Agent::~Agent() { Stop(); }

common::Result<void> Agent::Start() {
  auto config = service_->config();
  auto keys = LoadTrustedKeys(*config);
  if (!keys) return tl::unexpected(keys.error());
  if (auto opened = audit_->Open(); !opened) log_(LOG_ERR, opened.error().message);
  if (keys->empty()) {
    log_(LOG_WARNING, "not enrolled (no trusted_keys in " + config->path +
                          "): every login is ignored by staffgate");
  }
  (void)store_->Load(std::move(*keys));  // Failures are logged; we serve no_roster.

  SocketServerOptions options;
  options.path = config->socket;
  options.threads = static_cast<int>(std::clamp(std::thread::hardware_concurrency(), 2u, 4u));
  options.is_slow = &Service::IsSlowRequest;
  server_ = std::make_unique<SocketServer>(
      options, [this](std::string_view line, uid_t uid) { return service_->Handle(line, uid); },
      log_);
  if (auto started = server_->Start(); !started) {
    server_.reset();
    return started;
  }
  started_ = true;
  AuditEvent event;
  event.type = "agent_start";
  event.serial = store_->HighestSerial();
  event.detail = "staffgated " STAFFGATE_VERSION;
  service_->RecordEvent(std::move(event));
  log_(LOG_INFO, "staffgated " STAFFGATE_VERSION " serving " + config->socket + " for workstation " +
                     config->workstation);
  return common::Ok();
}

void Agent::Reload(const std::string& path) {
  auto loaded = common::LoadAgentConfig(path);
  if (!loaded) {
    log_(LOG_ERR, "reload: keeping the old configuration: " + loaded.error().message);
    return;
  }
  auto keys = LoadTrustedKeys(*loaded);
  if (!keys) {
    log_(LOG_ERR, "reload: keeping the old configuration: " + keys.error().message);
    return;
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
  service_->SetConfig(std::make_shared<const common::AgentConfig>(*loaded));
  users_->Clear();
  // New keys may make a cached roster valid (enrollment) or invalid
  // (rotation): verify it again under them.
  (void)store_->Load(std::move(*keys));
  AuditEvent event;
  event.type = "config_reloaded";
  event.serial = store_->HighestSerial();
  service_->RecordEvent(std::move(event));
  log_(LOG_INFO, "reloaded " + path);
}

void Agent::Stop() {
  if (!started_) return;
  started_ = false;
  server_->Stop();
  AuditEvent event;
  event.type = "agent_stop";
  service_->RecordEvent(std::move(event));
  log_(LOG_INFO, "staffgated stopped");
}

}  // namespace staffgate::agent
