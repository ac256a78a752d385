// Who is making an administrative change, and from where (the action
// journal, docs/design.md §11). A front end (the /v1/admin API now, the
// console later) opens an ActorScope around the work of one request; the
// Service reads CurrentActor() in its one journal hook, so no change path
// has to pass it along and none can forget it.
//
// Thread-local: the scope covers exactly the calls made on the thread that
// opened it. Work handed to another thread (the hashing pool) opens its own
// scope with a copy. Without a scope nothing is journalled: the central's
// own housekeeping (re-signing) and an employee changing their own password
// are not administrative changes.
#ifndef STAFFGATE_CENTRAL_JOURNAL_ACTOR_H_
#define STAFFGATE_CENTRAL_JOURNAL_ACTOR_H_

#include <string>

#include "central/admins/role.h"

namespace staffgate::central {

// The name the journal records for the bearer admin token.
inline constexpr const char* kTokenActorName = "admin-token";

struct Actor {
  std::string who;   // An administrator's name, or kTokenActorName.
  std::string from;  // The remote address, as the server saw it.
  Role role = Role::kOwner;
};

// The bearer admin token acting from `from` (docs/design.md §11: as owner).
Actor TokenActor(std::string from);

class ActorScope {
 public:
  // Makes `actor` current on this thread until destruction (nests: the
  // previous one comes back).
  explicit ActorScope(Actor actor);
  ~ActorScope();
  ActorScope(const ActorScope&) = delete;
  ActorScope& operator=(const ActorScope&) = delete;

 private:
  Actor actor_;
  const Actor* previous_;
};

// The actor of the innermost scope on this thread, or nullptr.
const Actor* CurrentActor();

}  // namespace staffgate::central

#endif  // STAFFGATE_CENTRAL_JOURNAL_ACTOR_H_
