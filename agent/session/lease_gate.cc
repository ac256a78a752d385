#include "agent/session/lease_gate.h"

#include <syslog.h>

#include <algorithm>
#include <utility>
#include <vector>

#include "agent/session/session_event.h"
#include "common/thread.h"

namespace staffgate::agent {
namespace {

// A renewal that failed for want of the central is tried again this soon.
constexpr common::UnixSeconds kRetryS = 5;

common::UnixSeconds RenewPeriod(int ttl_s) { return std::max(1, ttl_s / 3); }

}  // namespace

LeaseGate::LeaseGate(Deps deps) : deps_(std::move(deps)) {}

LeaseGate::~LeaseGate() { Stop(); }

void LeaseGate::SetApi(std::shared_ptr<LeaseApi> api) {
  std::lock_guard<std::mutex> lock(mu_);
  api_ = std::move(api);
}

std::shared_ptr<LeaseApi> LeaseGate::api() const {
  std::lock_guard<std::mutex> lock(mu_);
  return api_;
}

void LeaseGate::Audit(AuditType type, const std::string& account, const std::string& decision,
                      const std::string& reason, const std::string& detail, bool central_records) {
  AuditEvent event;
  event.type = type;
  event.account = account;
  event.phase = "session";
  event.decision = decision;
  event.reason = reason;
  event.detail = detail;
  event.central_records = central_records;
  deps_.record(std::move(event));
}

GateAnswer LeaseGate::Admit(const DecisionInput& input, const common::Roster& /*roster*/) {
  auto api = this->api();
  if (!api) return {};
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = leases_.find(input.account);
    if (it != leases_.end()) {  // Another session here: share the lease.
      ++it->second.pending;
      return {};
    }
  }
  LeaseReply reply = api->Acquire(input.account);
  const common::UnixSeconds now = deps_.clock->Now();
  switch (reply.kind) {
    case LeaseReply::Kind::kGranted: {
      {
        std::lock_guard<std::mutex> lock(mu_);
        Lease& lease = leases_[input.account];
        lease.id = reply.id;
        lease.ttl_s = reply.ttl_s;
        lease.renewed_at = now;
        lease.next_renew = now + RenewPeriod(reply.ttl_s);
        ++lease.pending;
      }
      Audit(AuditType::kLeaseAcquired, input.account, "allow", "allowed", "lease " + reply.id,
            true);
      return {};
    }
    case LeaseReply::Kind::kConflict:
      Audit(AuditType::kLeaseRefused, input.account, "deny", "in_use_elsewhere",
            "held by " + reply.holder, true);
      return {GateAnswer::Kind::kHeldElsewhere, reply.holder};
    default:
      break;
  }
  const bool deny = deps_.config()->lease_unreachable == LeaseUnreachable::kDeny;
  deps_.log(LOG_WARNING,
            "cannot verify the session lease of " + input.account + ": " + reply.error +
                (deny ? " (refused: lease_unreachable = \"deny\")" : " (let in unverified)"));
  Audit(AuditType::kLeaseUnverified, input.account, deny ? "deny" : "allow", "lease_unverified",
        reply.error);
  if (deny) return {GateAnswer::Kind::kUnverified, ""};
  return {};
}

LeaseState LeaseGate::LeaseOf(const std::string& account) {
  auto api = this->api();
  if (!api) return {"no_central", ""};
  LeaseView view = api->View(account);
  switch (view.kind) {
    case LeaseReply::Kind::kGranted:
      break;
    case LeaseReply::Kind::kRefused:
      return {"refused", ""};
    default:
      return {"unreachable", ""};
  }
  if (view.here) return {"held_here", ""};
  if (view.elsewhere.empty()) return {"none", ""};
  std::string holders;
  for (const auto& name : view.elsewhere) holders += (holders.empty() ? "" : ", ") + name;
  return {"held_elsewhere", holders};
}

void LeaseGate::SessionOpened(const std::string& account) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = leases_.find(account);
  if (it != leases_.end() && it->second.pending > 0) --it->second.pending;
}

void LeaseGate::SessionClosed(const std::string& /*account*/) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    poke_ = true;
  }
  cv_.notify_all();
}

void LeaseGate::ReapDeadSessions() {
  if (!deps_.alive) return;
  for (const SessionInfo& s : deps_.sessions->List()) {
    if (s.pid <= 0 || deps_.alive(s)) continue;
    if (!deps_.sessions->Close(s.id)) continue;
    deps_.record(SessionEvent(AuditType::kSessionClose, s,
                              "process " + std::to_string(s.pid) + " ended without close_session"));
  }
}

void LeaseGate::AdoptOrphans(LeaseApi& api) {
  const common::UnixSeconds now = deps_.clock->Now();
  std::vector<std::string> orphans;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const SessionInfo& s : deps_.sessions->List()) {
      if (leases_.contains(s.account)) continue;
      auto next = adopt_after_.find(s.account);
      if (next != adopt_after_.end() && next->second > now) continue;
      if (std::find(orphans.begin(), orphans.end(), s.account) == orphans.end()) {
        orphans.push_back(s.account);
      }
    }
  }
  for (const auto& account : orphans) {
    LeaseReply reply = api.Acquire(account);
    bool adopted = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (reply.kind != LeaseReply::Kind::kGranted) {
        adopt_after_[account] = now + (reply.kind == LeaseReply::Kind::kConflict ? 60 : kRetryS);
      } else if (!leases_.contains(account)) {  // Else a login took one meanwhile.
        adopt_after_.erase(account);
        Lease& lease = leases_[account];
        lease.id = reply.id;
        lease.ttl_s = reply.ttl_s;
        lease.renewed_at = now;
        lease.next_renew = now + RenewPeriod(reply.ttl_s);
        adopted = true;
      }
    }
    if (adopted) {
      Audit(AuditType::kLeaseAcquired, account, "allow", "allowed",
            "lease " + reply.id + " for sessions already open", true);
    } else if (reply.kind == LeaseReply::Kind::kConflict) {
      deps_.log(LOG_WARNING, "sessions of " + account + " are open here but " + reply.holder +
                                 " holds the lease");
      Audit(AuditType::kLeaseLost, account, "deny", "in_use_elsewhere", "held by " + reply.holder);
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = adopt_after_.begin(); it != adopt_after_.end();) {
    it = deps_.sessions->CountFor(it->first) == 0 ? adopt_after_.erase(it) : std::next(it);
  }
}

void LeaseGate::RenewDue(LeaseApi& api) {
  const common::UnixSeconds now = deps_.clock->Now();
  std::vector<std::pair<std::string, std::string>> due;  // (account, lease id)
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [account, lease] : leases_) {
      if (lease.next_renew <= now) due.emplace_back(account, lease.id);
    }
  }
  for (const auto& [account, id] : due) {
    LeaseReply reply = api.Renew(id);
    if (reply.kind == LeaseReply::Kind::kEnded) {
      EndedByAdmin(account, id, reply.error);
      continue;
    }
    if (reply.kind == LeaseReply::Kind::kNotFound && deps_.sessions->CountFor(account) > 0) {
      // Lapsed (central or network down for a TTL) or ended by an
      // administrator while sessions still run here: take it again.
      reply = api.Acquire(account);
      if (reply.kind == LeaseReply::Kind::kGranted) {
        Audit(AuditType::kLeaseAcquired, account, "allow", "allowed",
              "lease " + reply.id + " (again)", true);
      } else if (reply.kind == LeaseReply::Kind::kConflict) {
        deps_.log(LOG_WARNING, "the lease of " + account + " is now held by " + reply.holder);
        Audit(AuditType::kLeaseLost, account, "deny", "in_use_elsewhere",
              "held by " + reply.holder);
        std::lock_guard<std::mutex> lock(mu_);
        leases_.erase(account);
        continue;
      }
    }
    std::lock_guard<std::mutex> lock(mu_);
    auto it = leases_.find(account);
    if (it == leases_.end() || (it->second.id != id && reply.id.empty())) continue;
    switch (reply.kind) {
      case LeaseReply::Kind::kGranted:
        it->second.id = reply.id.empty() ? id : reply.id;
        it->second.ttl_s = reply.ttl_s > 0 ? reply.ttl_s : it->second.ttl_s;
        it->second.renewed_at = now;
        it->second.next_renew = now + RenewPeriod(it->second.ttl_s);
        break;
      case LeaseReply::Kind::kNotFound:  // And no session left: nothing to keep.
        leases_.erase(it);
        break;
      default:
        it->second.next_renew = now + kRetryS;
        break;
    }
  }
}

void LeaseGate::EndedByAdmin(const std::string& account, const std::string& id,
                             const std::string& why) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = leases_.find(account);
    if (it != leases_.end() && it->second.id == id) leases_.erase(it);
    adopt_after_.erase(account);
  }
  const std::string detail = "lease " + id + " ended at the central: " + why;
  deps_.log(LOG_NOTICE, "ending the sessions of " + account + " here: " + detail);
  // Closed in the table first: an orphan session would take a lease again.
  for (const SessionInfo& s : deps_.sessions->List()) {
    if (s.account != account || !deps_.sessions->Close(s.id)) continue;
    AuditEvent event = SessionEvent(AuditType::kSessionClose, s, detail);
    event.reason = "lease_ended_by_admin";
    deps_.record(std::move(event));
  }
  if (deps_.ended) deps_.ended(account, detail);
}

void LeaseGate::ReleaseIdle(LeaseApi& api) {
  std::vector<std::pair<std::string, std::string>> idle;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto it = leases_.begin(); it != leases_.end();) {
      if (it->second.pending == 0 && deps_.sessions->CountFor(it->first) == 0) {
        idle.emplace_back(it->first, it->second.id);
        it = leases_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (const auto& [account, id] : idle) {
    LeaseReply reply = api.Release(id);
    if (reply.kind == LeaseReply::Kind::kGranted) {
      Audit(AuditType::kLeaseReleased, account, "", "", "lease " + id, true);
    } else if (reply.kind == LeaseReply::Kind::kNotFound) {  // Lapsed: the central saw no release.
      Audit(AuditType::kLeaseReleased, account, "", "", "lease " + id + " (had lapsed)");
    } else if (reply.kind == LeaseReply::Kind::kEnded) {  // The central recorded the end.
      deps_.log(LOG_NOTICE, "the lease of " + account + " was already ended: " + reply.error);
    } else {
      // It lapses at the central within its TTL anyway.
      deps_.log(LOG_NOTICE, "could not release the lease of " + account + " (" + reply.error +
                                "); it lapses at the central");
      Audit(AuditType::kLeaseReleased, account, "", "",
            "lease " + id + " left to lapse: " + reply.error);
    }
  }
}

void LeaseGate::Tick() {
  ReapDeadSessions();
  auto api = this->api();
  if (!api) {
    std::lock_guard<std::mutex> lock(mu_);
    leases_.clear();  // No central any more: nothing to renew or release.
    return;
  }
  AdoptOrphans(*api);
  RenewDue(*api);
  ReleaseIdle(*api);
}

void LeaseGate::RenewNow() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& [account, lease] : leases_) lease.next_renew = 0;
    poke_ = true;
  }
  cv_.notify_all();
}

void LeaseGate::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  stop_ = false;
  thread_ = common::StartGuardedThread("lease-gate", deps_.log, [this] {
    std::unique_lock<std::mutex> held(mu_);
    while (!stop_) {
      cv_.wait_for(held, std::chrono::seconds(1), [this] { return stop_ || poke_; });
      if (stop_) break;
      poke_ = false;
      held.unlock();
      Tick();
      if (deps_.after_tick) deps_.after_tick();
      held.lock();
    }
  });
}

void LeaseGate::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::vector<common::LeaseEntry> LeaseGate::Leases() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<common::LeaseEntry> out;
  for (const auto& [account, lease] : leases_) {
    out.push_back({account, lease.id, common::FormatRfc3339(lease.renewed_at + lease.ttl_s)});
  }
  return out;
}

}  // namespace staffgate::agent
