// Session leases decided in the database (docs/design.md §12), for a
// central whose PostgreSQL database other centrals share: an agent may ask
// any of them, so no central's memory can hold the truth. Each decision is
// one transaction on the desk's own connection (a lease never waits behind
// an import on the Service's), under the account's lease lock that every
// central takes, on the database's clock: two agents asking two centrals at
// the same moment cannot both get a lease the account allows once.
//
// The rules are LeaseBook's, applied to the rows just read; the audit
// events and the notices of ended leases go to the central's LeaseDesk,
// whose flush stores the events as on SQLite.
//
// Thread-safe: one decision at a time per central (the desk's mutex guards
// its connection); the database serialises the centrals.
#ifndef STAFFGATE_CENTRAL_LEASES_SHARED_LEASE_DESK_H_
#define STAFFGATE_CENTRAL_LEASES_SHARED_LEASE_DESK_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "central/leases/lease_book.h"
#include "central/leases/lease_decider.h"
#include "central/leases/lease_desk.h"
#include "central/model.h"
#include "common/result.h"

namespace staffgate::central {

class Store;

class SharedLeaseDesk : public LeaseDecider {
 public:
  // Opens a connection of its own to `uri`. `local` receives the events and
  // notices and must outlive the desk. Errors: as Store::Open.
  static common::Result<std::unique_ptr<SharedLeaseDesk>> Open(const std::string& uri,
                                                               LeaseDesk& local);
  SharedLeaseDesk(const SharedLeaseDesk&) = delete;
  SharedLeaseDesk& operator=(const SharedLeaseDesk&) = delete;
  ~SharedLeaseDesk() override;

  // LeaseDecider's, decided and stored before they return. Acquire runs
  // under the account's lock; Renew and Release under the lease's row
  // lock; End under the selected rows' locks, with NOTIFY staffgate_leases
  // at the commit.
  common::Result<AcquireOutcome> Acquire(const std::string& account, const std::string& workstation,
                                         common::UnixSeconds ttl_s, std::uint32_t max_workstations,
                                         const std::string& new_id) override;
  common::Result<Lease> Renew(const std::string& id, const std::string& workstation,
                              common::UnixSeconds ttl_s) override;
  common::Result<Lease> Release(const std::string& id, const std::string& workstation) override;
  common::Result<std::vector<Lease>> End(const LeaseSelector& selector,
                                         const std::string& describe) override;
  // The tombstones of leases other centrals ended since the last call (the
  // first: since Open), for this central to tell their workstations
  // (LISTEN staffgate_leases, docs/design.md §12).
  common::Result<std::vector<Lease>> TakeEndedElsewhere();
  common::Result<std::vector<Lease>> Select(const LeaseSelector& selector) override;

 private:
  SharedLeaseDesk(std::unique_ptr<Store> store, LeaseDesk& local, common::UnixSeconds now);
  // Reads the rows `selector` matches, locked, into a book; `*now` gets the
  // database's clock. With mu_ held, in a transaction.
  common::Result<LeaseBook> LockedRows(const LeaseSelector& selector, common::UnixSeconds* now);
  // What Renew and Release do to a live lease `id` that `workstation` owns,
  // at the database's `now`, in the transaction that holds its row.
  using OwnedChange = std::function<common::Result<Lease>(const Lease&, common::UnixSeconds)>;
  // In one transaction: the lease as owned (LeaseBook::Owned; an ended one
  // comes back unchanged), or what `change` made of it, committed.
  common::Result<Lease> ChangeOwned(const std::string& id, const std::string& workstation,
                                    const OwnedChange& change);

  std::mutex mu_;  // Guards store_'s connection and the two below.
  std::unique_ptr<Store> store_;
  LeaseDesk& local_;
  common::UnixSeconds ended_seen_;  // The database's clock at the last look.
  // Leases this desk ended (id, ended_at) until a look has passed them.
  std::map<std::string, common::UnixSeconds> ended_here_;
};

}  // namespace staffgate::central

#endif  // STAFFGATE_CENTRAL_LEASES_SHARED_LEASE_DESK_H_
