#include "agent/sync/central_link.h"

#include <syslog.h>

namespace staffgate::agent {
namespace {

using common::ErrorKind;
using common::Fail;

}  // namespace

std::optional<std::uint64_t> StoreSyncTarget::CurrentSerial() const {
  // The roster in use, not the floor: after a fail-closed start (a newer
  // serial recorded but not saved) the agent must ask for that serial
  // again, which an If-None-Match of the floor would answer 304.
  auto roster = store_.Current();
  if (!roster) return std::nullopt;
  return roster->serial;
}

common::Result<bool> StoreSyncTarget::InstallFromCentral(const std::string& envelope) {
  auto outcome = store_.Install(envelope, "central");
  if (!outcome) return tl::unexpected(outcome.error());
  return outcome->installed;
}

std::string CentralLinkKey(const AgentConfig& config) {
  return config.central_url + '\n' + config.ca_file + '\n' + config.token_file + '\n' +
         config.state_dir;
}

CentralLink::CentralLink(const AgentConfig& config, RosterStore& store, common::LogFn log)
    : key_(CentralLinkKey(config)), log_(std::move(log)), target_(store) {
  http_.central_url = TrimSlashes(config.central_url);
  http_.ca_file = config.ca_file;
  http_.user_agent = std::string("staffgated/") + STAFFGATE_VERSION;
  http_.stop = &stop_;
}

common::Result<std::unique_ptr<CentralLink>> CentralLink::Create(
    const AgentConfig& config, RosterStore& store, const common::Clock& clock,
    const common::LogFn& log, std::function<void(AuditEvent)> record) {
  std::unique_ptr<CentralLink> link(new CentralLink(config, store, log));
  auto token = ReadToken(config.token_file);  // Refuses a token others may read.
  if (!token) {
    return Fail(ErrorKind::kConfig, "cannot read the workstation token: " + token.error().message);
  }
  link->http_.token = std::move(*token);
  EventOutbox::Options outbox_options;
  outbox_options.dir = config.state_dir + "/outbox";
  auto outbox = EventOutbox::Open(outbox_options, log);
  if (!outbox) return tl::unexpected(outbox.error());
  link->outbox_ = std::move(*outbox);

  link->source_ = std::make_unique<CurlRosterSource>(link->http_);
  link->loop_ = std::make_unique<SyncLoop>(*link->source_, link->target_, clock, log);
  common::HttpsOptions http = link->http_;
  link->sender_ = std::make_unique<EventSender>(
      *link->outbox_,
      [http](const std::string& body) -> common::Result<PostReply> {
        common::HttpsRequest req;
        req.method = "POST";
        req.path = "/v1/events";
        req.body = body;
        auto resp = common::PerformHttps(http, req);
        if (!resp) return tl::unexpected(resp.error());
        return PostReply{resp->status, resp->retry_after_s};
      },
      log,
      [raw = link.get(), record = std::move(record)](std::size_t kept, std::size_t lost) {
        raw->quarantined_ += kept + lost;
        if (!record) return;
        AuditEvent event;
        event.type = AuditType::kOutboxQuarantine;
        event.count = kept + lost;
        event.detail = std::to_string(kept) + " unreadable outbox event(s) moved to " +
                       raw->outbox_->QuarantinePath() +
                       (lost > 0 ? ", " + std::to_string(lost) + " lost (could not be kept)" : "");
        record(std::move(event));
      });
  return link;
}

CentralLink::~CentralLink() { Stop(); }

void CentralLink::Start() {
  stop_ = false;
  loop_->Start();
  sender_->Start();
  log_(LOG_INFO, "following the central at " + http_.central_url);
}

void CentralLink::Stop() {
  stop_ = true;
  if (loop_) loop_->Stop();
  if (sender_) sender_->Stop();
}

common::Result<void> CentralLink::Enqueue(const std::string& event_json) {
  auto appended = outbox_->Append(event_json);
  if (appended) sender_->Notify();
  return appended;
}

common::Result<std::string> CentralLink::SyncNow() { return loop_->RunOnce(0); }

void CentralLink::FillStatus(common::StatusReply& status) {
  SyncStatus sync = loop_->Status();
  if (sync.last_success) status.last_sync = common::FormatRfc3339(*sync.last_success);
  if (sync.last_attempt) status.last_sync_attempt = common::FormatRfc3339(*sync.last_attempt);
  if (sync.answered) {
    status.last_sync_result = sync.last_result;
    status.central_reachable = sync.central_reachable;
  }
  status.central_url = http_.central_url;
  status.outbox_depth = outbox_->Depth();
  status.outbox_dropped = outbox_->Dropped();
  status.outbox_quarantined = quarantined_.load();
}

}  // namespace staffgate::agent
