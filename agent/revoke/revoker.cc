#include "agent/revoke/revoker.h"

#include <syslog.h>
#include <unistd.h>

#include <algorithm>
#include <optional>
#include <set>

#include "agent/decision.h"
#include "agent/nss/group_grants.h"
#include "common/thread.h"

namespace staffgate::agent {
namespace {

bool Admits(common::Decision decision) {
  return decision == common::Decision::kAllow || decision == common::Decision::kResetRequired;
}

std::set<std::string> AccountsOf(const common::Roster& roster) {
  std::set<std::string> out(roster.shared_accounts.begin(), roster.shared_accounts.end());
  for (const auto& employee : roster.employees) {
    out.insert(employee.accounts.begin(), employee.accounts.end());
  }
  return out;
}

bool Touchable(const std::string& account, uid_t uid, const AgentConfig& config, uid_t self_uid) {
  if (uid == 0 || uid < config.min_uid || uid == self_uid) return false;
  return std::find(config.exempt_accounts.begin(), config.exempt_accounts.end(), account) ==
         config.exempt_accounts.end();
}

}  // namespace

std::vector<RevokedAccount> LostGroups(const common::Roster& before, const common::Roster& after,
                                       const AgentConfig& config, const UserDb& users,
                                       uid_t self_uid) {
  std::vector<RevokedAccount> out;
  for (const auto& [account, index] : after.account_index) {
    const common::Employee* old_employee = before.FindEmployee(account);
    if (old_employee == nullptr) continue;
    const common::Employee& employee = after.employees[index];
    std::set<std::string> kept = GrantedGroups(after, employee, config.workstation);
    std::set<std::string> had = GrantedGroups(before, *old_employee, config.workstation);
    if (std::includes(kept.begin(), kept.end(), had.begin(), had.end())) continue;
    std::optional<uid_t> uid = users.UidOf(account);
    if (auto posix = employee.posix_uids.find(account);
        !uid && posix != employee.posix_uids.end()) {
      uid = posix->second;
    }
    if (!uid || !Touchable(account, *uid, config, self_uid)) continue;
    out.push_back(RevokedAccount{account, *uid, "groups_changed"});
  }
  return out;
}

std::vector<RevokedAccount> NewlyRevoked(const common::Roster& before, const common::Roster& after,
                                         const AgentConfig& config, const UserDb& users,
                                         common::UnixSeconds now, uid_t self_uid) {
  std::set<std::string> accounts = AccountsOf(before);
  for (const auto& account : AccountsOf(after)) accounts.insert(account);
  std::vector<RevokedAccount> out;
  for (const auto& account : accounts) {
    auto uid = users.UidOf(account);
    if (!uid || !Touchable(account, *uid, config, self_uid)) continue;
    DecisionInput input;
    input.account = account;
    input.service = "staffgated";
    DecisionContext ctx;
    ctx.config = &config;
    ctx.users = &users;
    // Judge the old roster while it was valid: an agent that was offline
    // past its expiry must still end the sessions the new roster revokes.
    ctx.now = std::min(now, before.expires_at - 1);
    ctx.roster = &before;
    if (!Admits(Decide(input, ctx).decision)) continue;
    ctx.now = now;
    ctx.roster = &after;
    Verdict verdict = Decide(input, ctx);
    if (verdict.decision != common::Decision::kDeny) continue;
    out.push_back(RevokedAccount{account, *uid, std::string(ReasonName(verdict.reason))});
  }
  return out;
}

Revoker::Revoker(Deps deps) : deps_(std::move(deps)) {}

Revoker::~Revoker() { Stop(); }

void Revoker::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  stop_ = false;
  thread_ = common::StartGuardedThread("revoker", deps_.log, [this] { Run(); });
}

void Revoker::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
    queue_.clear();
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Revoker::RosterChanged(std::shared_ptr<const common::Roster> before,
                            std::shared_ptr<const common::Roster> after) {
  if (!before || !after) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.push_back(Job{{std::move(before), std::move(after)}, "", "", ""});
  }
  cv_.notify_all();
}

void Revoker::EndSessionsOf(const std::string& account, const std::string& reason,
                            const std::string& detail) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.push_back(Job{{}, account, reason, detail});
  }
  cv_.notify_all();
}

void Revoker::WaitIdle() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [this] { return (queue_.empty() && !busy_) || stop_; });
}

void Revoker::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  busy_ = false;  // A restart after a Process that threw: WaitIdle must not hang.
  cv_.notify_all();
  while (!stop_) {
    cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
    if (stop_) break;
    Job job = std::move(queue_.front());
    queue_.pop_front();
    busy_ = true;
    lock.unlock();
    if (job.account.empty()) {
      Process(job.change);
    } else {
      ProcessAccount(job);
    }
    lock.lock();
    busy_ = false;
    cv_.notify_all();
  }
}

void Revoker::Process(const Change& change) {
  auto config = deps_.config();
  if (config->on_revoke != OnRevoke::kTerminate || config->trusted_keys.empty()) return;
  auto revoked = NewlyRevoked(*change.first, *change.second, *config, *deps_.users,
                              deps_.clock->Now(), geteuid());
  for (auto& lost : LostGroups(*change.first, *change.second, *config, *deps_.users, geteuid())) {
    if (std::none_of(revoked.begin(), revoked.end(),
                     [&](const RevokedAccount& r) { return r.account == lost.account; })) {
      revoked.push_back(std::move(lost));
    }
  }
  for (const auto& account : revoked) Terminate(*config, account, change.second->serial, "");
}

void Revoker::ProcessAccount(const Job& job) {
  auto config = deps_.config();
  if (config->on_revoke != OnRevoke::kTerminate) {
    deps_.log(LOG_NOTICE, "on_revoke = \"none\": the processes of " + job.account +
                              " keep running (" + job.detail + ")");
    return;
  }
  auto uid = deps_.users->UidOf(job.account);
  if (!uid || !Touchable(job.account, *uid, *config, geteuid())) return;
  Terminate(*config, RevokedAccount{job.account, *uid, job.reason}, std::nullopt, job.detail);
}

void Revoker::Terminate(const AgentConfig& config, const RevokedAccount& account,
                        std::optional<std::uint64_t> serial, const std::string& why) {
  if (deps_.os->ProcessesOf(account.uid).empty()) return;
  TerminationReport report = TerminateUser(*deps_.os, account.uid, config.min_uid);
  std::string detail = "ended the sessions of " + account.account + " (" + account.reason +
                       "): " + (report.used_logind ? "loginctl terminate-user, " : "") +
                       std::to_string(report.signalled) + " processes sent SIGTERM, " +
                       std::to_string(report.killed) + " needed SIGKILL" +
                       (why.empty() ? "" : "; " + why);
  deps_.log(LOG_NOTICE, detail);
  AuditEvent event;
  event.type = AuditType::kSessionsTerminated;
  event.account = account.account;
  // Losing a group or a lease is not a refusal: the next login is allowed
  // (with the new groups, or a new lease).
  if (account.reason != "groups_changed" && account.reason != "lease_ended_by_admin") {
    event.decision = "deny";
  }
  event.reason = account.reason;
  event.serial = serial;
  event.detail = detail;
  deps_.record(std::move(event));
}

}  // namespace staffgate::agent
