// The central's session leases while it runs (docs/design.md §6), when it
// alone decides them (LeaseDecider): a LeaseBook behind its own lock, the
// row changes and audit events each decision queues, and the notices of
// leases an administrator ended.
//
// Leases sit on the login path, so a decision never waits for the disk:
// the desk decides in memory and answers at once, and the Service writes
// the queued changes later (TakeWrites, then Requeue what a failed write
// could not store). The desk applies no policy (account rules, who may
// sign in where): the caller checks that first and passes the limit.
//
// Thread-safe: every method takes the desk's own lock, which is never held
// while calling out, so it nests inside any of the Service's locks.
#ifndef STAFFGATE_CENTRAL_LEASES_LEASE_DESK_H_
#define STAFFGATE_CENTRAL_LEASES_LEASE_DESK_H_

#include <atomic>
#include <cstdint>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "central/leases/lease_book.h"
#include "central/leases/lease_decider.h"
#include "central/model.h"
#include "common/json_util.h"
#include "common/result.h"
#include "common/time_util.h"

namespace staffgate::central {

// One queued change for the store. kEvent carries a whole audit event.
// Its implicit moves are json's noexcept move, which only asserts an
// invariant.
// NOLINTNEXTLINE(bugprone-exception-escape)
struct LeaseWrite {
  enum class Kind { kPut, kDelete, kDeleteLapsed, kEvent } kind = Kind::kPut;
  Lease lease;                  // kPut; kEvent: account/workstation/id.
  std::string id;               // kDelete.
  common::UnixSeconds now = 0;  // kDeleteLapsed.
  common::Json event;           // kEvent: the whole event.
  std::int64_t time_ms = 0;     // kEvent.
};

class LeaseDesk : public LeaseDecider {
 public:
  // Writes kept for a retry after failed flushes, at most: a dead disk
  // cannot eat the central's memory.
  static constexpr std::size_t kMaxPendingWrites = 100000;

  // `clock` must outlive the desk.
  explicit LeaseDesk(const common::Clock& clock) : clock_(clock) {}
  LeaseDesk(const LeaseDesk&) = delete;
  LeaseDesk& operator=(const LeaseDesk&) = delete;
  ~LeaseDesk() override = default;

  // Replaces the book (leases loaded from the database at start).
  void Load(const std::vector<Lease>& leases);

  // LeaseDecider's, decided in memory; the row changes and events are
  // queued for TakeWrites. Never kIo: the disk is not asked.
  common::Result<AcquireOutcome> Acquire(const std::string& account, const std::string& workstation,
                                         common::UnixSeconds ttl_s, std::uint32_t max_workstations,
                                         const std::string& new_id) override;
  common::Result<Lease> Renew(const std::string& id, const std::string& workstation,
                              common::UnixSeconds ttl_s) override;
  common::Result<Lease> Release(const std::string& id, const std::string& workstation) override;
  common::Result<std::vector<Lease>> End(const LeaseSelector& selector,
                                         const std::string& describe) override;
  common::Result<std::vector<Lease>> Select(const LeaseSelector& selector) override;

  // Live leases sorted by account, then workstation (prunes lapsed ones).
  std::vector<Lease> Live();
  std::size_t CountLive() const;
  // Leases that lapsed and were pruned since the start; CountLapsed adds
  // those SharedLeaseDesk pruned.
  std::uint64_t Lapsed() const { return lapsed_.load(); }
  void CountLapsed(std::uint64_t n) { lapsed_ += n; }

  // Queues one of the central's own audit events about `subject`'s account
  // and workstation (and lease id, if any). `extra` never holds a secret.
  void QueueEvent(const std::string& type, const Lease& subject, common::Json extra);
  // Queues the event of an acquisition's `outcome` (none for a renewal):
  // one text for both deciders.
  void QueueAcquireEvent(const std::string& account, const std::string& workstation,
                         const AcquireOutcome& outcome, std::uint32_t max_workstations);

  // A workstation with a lease an administrator ended has a notice until
  // TakeNotice (its next roster answer tells the agent to renew at once).
  bool HasNotice(const std::string& workstation) const;
  // Gives `workstation` a notice (SharedLeaseDesk::End's leases).
  void AddNotice(const std::string& workstation);
  bool TakeNotice(const std::string& workstation);

  // The writes queued since the last call, oldest first.
  std::vector<LeaseWrite> TakeWrites();
  // Puts back `writes` (taken earlier, not stored) ahead of newer ones.
  // Beyond kMaxPendingWrites they are dropped instead: returns how many
  // audit events were dropped (0 when kept).
  std::uint64_t Requeue(std::vector<LeaseWrite> writes);

 private:
  void PruneLocked(common::UnixSeconds now);
  void QueueEventLocked(const std::string& type, const Lease& subject, common::Json extra);
  void QueuePutLocked(const Lease& lease);
  void QueueAcquireEventLocked(const std::string& account, const std::string& workstation,
                               const AcquireOutcome& outcome, std::uint32_t max_workstations);

  const common::Clock& clock_;
  mutable std::mutex mu_;  // Guards book_, writes_, notices_.
  LeaseBook book_;
  std::vector<LeaseWrite> writes_;
  std::set<std::string> notices_;  // Workstations.
  std::atomic<std::uint64_t> lapsed_{0};
};

}  // namespace staffgate::central

#endif  // STAFFGATE_CENTRAL_LEASES_LEASE_DESK_H_
