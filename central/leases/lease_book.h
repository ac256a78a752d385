// Session leases in memory (docs/design.md §3 row 9, §6): which
// workstation has which account signed in, and until when. Pure logic:
// time comes in as an argument and nothing is persisted here; the Service
// decides with a LeaseBook, writes the result to SQLite, then applies it
// with Put/Erase. Not thread-safe: the Service guards it with its mutex.
//
// Rules: a lease is live while expires_at > now and it is not ended; lapsed
// leases are treated as absent by every method and removed by Prune. One
// workstation holds at most one lease per account (acquiring again renews
// it), so an agent that restarted never conflicts with itself. A lease an
// administrator ended stays as a tombstone for kEndedLeaseKeepS: it holds
// nothing (a new acquisition creates a new lease), but its holder's renewal
// or release is told it was ended.
#ifndef STAFFGATE_CENTRAL_LEASES_LEASE_BOOK_H_
#define STAFFGATE_CENTRAL_LEASES_LEASE_BOOK_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "central/model.h"
#include "common/result.h"
#include "common/time_util.h"

namespace staffgate::central {

enum class AcquireKind {
  kCreated,  // A new lease (HTTP 201).
  kRenewed,  // This workstation already held one: renewed (HTTP 200).
  kRefused,  // Too many other workstations hold the account (HTTP 409).
};

// How long an ended lease's tombstone is kept: longer than an agent may
// plausibly go without reaching the central (roster lifetime), so a renewal
// after an outage still learns the lease was ended.
inline constexpr common::UnixSeconds kEndedLeaseKeepS = 7L * 24 * 3600;

struct AcquireOutcome {
  AcquireKind kind = AcquireKind::kRefused;
  Lease lease;         // kCreated/kRenewed: the lease to store.
  std::string holder;  // kRefused: the most recently acquired other workstation.
};

class LeaseBook {
 public:
  // Replaces the contents (leases loaded from the database).
  void Load(const std::vector<Lease>& leases);

  // Removes the leases with expires_at <= now and returns them.
  std::vector<Lease> Prune(common::UnixSeconds now);

  // Decides an acquisition by `workstation` of `account` without changing
  // the book. `max_workstations` is the policy (0 = unlimited); `new_id` is
  // the id a created lease gets. Refused when this workstation holds no
  // live lease for the account and at least `max_workstations` others do.
  AcquireOutcome Acquire(const std::string& account, const std::string& workstation,
                         common::UnixSeconds now, common::UnixSeconds ttl_s,
                         std::uint32_t max_workstations, const std::string& new_id) const;

  // The lease `id` as owned by `workstation`: live, or ended (ended_at != 0,
  // for the caller to answer "ended"). Errors: kNotFound (unknown or
  // lapsed), kForbidden (another workstation's).
  common::Result<Lease> Owned(const std::string& id, const std::string& workstation,
                              common::UnixSeconds now) const;
  // The live lease `id`, whoever holds it. Errors: kNotFound.
  common::Result<Lease> Find(const std::string& id, common::UnixSeconds now) const;
  // `lease` renewed at `now` (a copy; the book is unchanged).
  static Lease Renewed(Lease lease, common::UnixSeconds now, common::UnixSeconds ttl_s);

  // `lease` ended by an administrator at `now`: a tombstone until
  // now + kEndedLeaseKeepS (a copy; the book is unchanged).
  static Lease Ended(Lease lease, common::UnixSeconds now);
  static bool IsLive(const Lease& lease, common::UnixSeconds now) {
    return lease.ended_at == 0 && lease.expires_at > now;
  }

  // Live leases sorted by account, then workstation.
  std::vector<Lease> Live(common::UnixSeconds now) const;
  // The live leases `selector` matches, in the order of Live.
  std::vector<Lease> Select(const LeaseSelector& selector, common::UnixSeconds now) const;
  std::size_t CountLive(common::UnixSeconds now) const;

  // Inserts or replaces a lease (by id); Erase removes one.
  void Put(const Lease& lease);
  void Erase(const std::string& id);

 private:
  std::map<std::string, Lease> by_id_;
  std::uint64_t next_seq_ = 1;
};

}  // namespace staffgate::central

#endif  // STAFFGATE_CENTRAL_LEASES_LEASE_BOOK_H_
