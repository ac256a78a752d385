#include "agent/sync/central_link.h"

#include <syslog.h>

#include "agent/sync/central_calls.h"

namespace staffgate::agent {
namespace {

using common::ErrorKind;
using common::Fail;

// A batch of events may wait on a busy central's store lock.
constexpr int kEventsDeadlineMs = 30000;

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
  std::string key;
  for (const auto& url : config.central_urls) key += url + ' ';
  return key + '\n' + config.ca_file + '\n' + config.token_file + '\n' + config.state_dir;
}

CentralLink::CentralLink(const AgentConfig& config, RosterStore& store, const common::Clock& clock,
                         common::LogFn log)
    : key_(CentralLinkKey(config)), log_(std::move(log)), clock_(clock), target_(store) {
  selector_ = std::make_shared<CentralSelector>(config.central_urls, clock, log_,
                                                static_cast<std::uint64_t>(clock.NowMs()));
  http_.central_url = selector_->Active().url;  // Each call names its own (HttpsRequest).
  http_.ca_file = config.ca_file;
  http_.user_agent = std::string("staffgated/") + STAFFGATE_VERSION;
  http_.stop = &stop_;
}

common::Result<PostReply> CentralLink::PostEvents(const std::string& body) {
  common::HttpsRequest req;
  req.method = "POST";
  req.path = "/v1/events";
  req.body = body;
  auto resp = CallCentral(*selector_, SendWith(*events_client_, req), kEventsDeadlineMs, clock_);
  if (!resp) return tl::unexpected(resp.error());
  return PostReply{resp->status, resp->retry_after_s};
}

common::Result<std::unique_ptr<CentralLink>> CentralLink::Create(
    const AgentConfig& config, RosterStore& store, const common::Clock& clock,
    const common::LogFn& log, std::function<void(AuditEvent)> record) {
  std::unique_ptr<CentralLink> link(new CentralLink(config, store, clock, log));
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
  link->loop_ =
      std::make_unique<SyncLoop>(*link->source_, link->target_, *link->selector_, clock, log);
  link->events_client_ = std::make_unique<common::HttpsClient>(link->http_);
  link->sender_ = std::make_unique<EventSender>(
      *link->outbox_, [raw = link.get()](const std::string& body) { return raw->PostEvents(body); },
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
  std::string urls;
  for (const auto& central : selector_->States()) urls += (urls.empty() ? "" : ", ") + central.url;
  log_(LOG_INFO, std::string(selector_->size() > 1 ? "following the centrals at "
                                                   : "following the central at ") +
                     urls);
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
  status.central_url = selector_->Active().url;
  for (const CentralState& c : selector_->States()) {
    common::CentralEntry entry{c.url, c.in_use, c.down, {}, {}};
    if (c.down) {
      entry.down_since = common::FormatRfc3339(c.down_since_ms / 1000);
      entry.last_error = c.last_error;
    }
    status.centrals.push_back(std::move(entry));
  }
  status.outbox_depth = outbox_->Depth();
  status.outbox_dropped = outbox_->Dropped();
  status.outbox_quarantined = quarantined_.load();
}

}  // namespace staffgate::agent
