// What the Service asks of whoever decides session leases (docs/design.md
// §6, §12): LeaseDesk decides in the central's memory (SQLite, one
// central), SharedLeaseDesk in the database several centrals share. The
// caller has applied its policy first (account rules, who may sign in
// where) and passes the limit. Implementations are thread-safe.
#ifndef STAFFGATE_CENTRAL_LEASES_LEASE_DECIDER_H_
#define STAFFGATE_CENTRAL_LEASES_LEASE_DECIDER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "central/leases/lease_book.h"
#include "central/model.h"
#include "common/result.h"
#include "common/time_util.h"

namespace staffgate::central {

class LeaseDecider {
 public:
  virtual ~LeaseDecider() = default;

  // Decides `workstation`'s acquisition of `account` (LeaseBook::Acquire;
  // `new_id` for a created lease) and applies it, with a lease_acquired or
  // lease_refused audit event (none for a renewal). Errors: kIo or
  // kUnavailable when the decision cannot be made now (nothing is held:
  // the agent retries, or opens the session as it would with the central
  // unreachable).
  virtual common::Result<AcquireOutcome> Acquire(const std::string& account,
                                                 const std::string& workstation,
                                                 common::UnixSeconds ttl_s,
                                                 std::uint32_t max_workstations,
                                                 const std::string& new_id) = 0;
  // Renew and Release answer the lease as its workstation owns it; one an
  // administrator ended comes back with ended_at != 0 and is left as it is.
  // Errors: kNotFound (unknown or lapsed), kForbidden (another
  // workstation's), and Acquire's.
  virtual common::Result<Lease> Renew(const std::string& id, const std::string& workstation,
                                      common::UnixSeconds ttl_s) = 0;
  virtual common::Result<Lease> Release(const std::string& id, const std::string& workstation) = 0;
  // Ends every live lease `selector` matches: each becomes a tombstone with
  // a lease_ended_by_admin event and a notice for its workstation. Returns
  // the tombstones. Errors: kNotFound when none matched (`describe` names
  // the selector in the message), and Acquire's.
  virtual common::Result<std::vector<Lease>> End(const LeaseSelector& selector,
                                                 const std::string& describe) = 0;
  // The live leases `selector` matches, sorted by account, then
  // workstation. The whole list (no field set) also prunes the lapsed ones,
  // counting them.
  virtual common::Result<std::vector<Lease>> Select(const LeaseSelector& selector) = 0;
};

}  // namespace staffgate::central

#endif  // STAFFGATE_CENTRAL_LEASES_LEASE_DECIDER_H_
