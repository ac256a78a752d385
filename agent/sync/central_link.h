// The agent's live connection to staffgate-central: the roster
// long-poll (SyncLoop over CurlRosterSource) installing into the agent's
// RosterStore, and the durable outbox of audit events with its sender.
// Both run on their own threads; nothing here is on the decision path
// except Enqueue, which is one append(2) to the outbox.
//
// Created from the agent config when it names centrals (`central_urls`,
// or `central_url` for one); replaced as a whole when a reload changes
// the central settings. It owns the CentralSelector that every call to a
// central (long-poll, events, leases, password checks) goes through.
#ifndef STAFFGATE_AGENT_CENTRAL_LINK_H_
#define STAFFGATE_AGENT_CENTRAL_LINK_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "agent/audit/audit_fanout.h"
#include "agent/audit/audit_log.h"
#include "agent/config/agent_config.h"
#include "agent/roster/roster_store.h"
#include "agent/sync/central_selector.h"
#include "agent/sync/event_outbox.h"
#include "agent/sync/event_sender.h"
#include "agent/sync/roster_fetcher.h"
#include "agent/sync/sync_loop.h"
#include "common/json_util.h"
#include "common/log.h"
#include "common/protocol.h"
#include "common/time_util.h"

namespace staffgate::agent {

// RosterStore seen as the sync loop's target.
class StoreSyncTarget : public SyncTarget {
 public:
  explicit StoreSyncTarget(RosterStore& store) : store_(store) {}
  std::optional<std::uint64_t> CurrentSerial() const override;
  common::Result<bool> InstallFromCentral(const std::string& envelope) override;

 private:
  RosterStore& store_;
};

// The settings that make two links equal: a reload that changes none of
// them keeps the running link.
std::string CentralLinkKey(const AgentConfig& config);

class CentralLink : public EventQueue {
 public:
  // Reads the token (refused when group or others may read it, as ssh
  // refuses a private key), opens <state_dir>/outbox. Does not start
  // threads. `store` and `clock` must outlive the link; `record` audits
  // what the link itself notices (unreadable outbox lines) and may be
  // empty. Errors: kConfig (token unreadable, too open or empty), kIo
  // (outbox directory).
  static common::Result<std::unique_ptr<CentralLink>> Create(
      const AgentConfig& config, RosterStore& store, const common::Clock& clock,
      const common::LogFn& log, std::function<void(AuditEvent)> record = {});
  ~CentralLink() override;  // Stops.
  CentralLink(const CentralLink&) = delete;
  CentralLink& operator=(const CentralLink&) = delete;

  void Start();
  // SyncLoop::OnLeaseEnded; call before Start.
  void OnLeaseEnded(std::function<void()> hook) { loop_->OnLeaseEnded(std::move(hook)); }
  // SyncLoop::OnIdentity; call before Start.
  void OnIdentity(SyncLoop::IdentityHook hook) { loop_->OnIdentity(std::move(hook)); }
  // Joins both threads; a long-poll in flight is aborted.
  void Stop();

  // Appends one event line to the outbox and nudges the sender. Thread-safe.
  // Errors: kIo (disk full; the caller accounts for the event).
  common::Result<void> Enqueue(const std::string& event_json) override;
  // One sync round now (staffgatectl sync): the outcome in plain words.
  common::Result<std::string> SyncNow();
  // Adds last_sync, last_sync_result, central_reachable, central_url (the
  // one in use), centrals, outbox_depth, outbox_dropped and
  // outbox_quarantined.
  void FillStatus(common::StatusReply& status);

  // TLS settings, CA and token for other calls to the centrals (leases,
  // passwords); which central, ask selector().
  const common::HttpsOptions& http() const { return http_; }
  // The choice of central, shared with the lease and password clients
  // (which may outlive the link by a call in flight).
  const std::shared_ptr<CentralSelector>& selector() const { return selector_; }
  const std::string& key() const { return key_; }

 private:
  CentralLink(const AgentConfig& config, RosterStore& store, const common::Clock& clock,
              common::LogFn log);
  // POST /v1/events to the central in use (and the next when it is down).
  common::Result<PostReply> PostEvents(const std::string& body);

  std::string key_;
  common::HttpsOptions http_;
  common::LogFn log_;
  const common::Clock& clock_;
  StoreSyncTarget target_;
  std::shared_ptr<CentralSelector> selector_;
  std::unique_ptr<common::HttpsClient> events_client_;
  std::unique_ptr<CurlRosterSource> source_;
  std::unique_ptr<SyncLoop> loop_;
  std::unique_ptr<EventOutbox> outbox_;
  std::unique_ptr<EventSender> sender_;
  std::atomic<bool> stop_{false};  // Aborts transfers in flight (HttpsOptions::stop).
  std::atomic<std::uint64_t> quarantined_{0};
};

}  // namespace staffgate::agent

#endif  // STAFFGATE_AGENT_CENTRAL_LINK_H_
