#include "central/journal/actor.h"

#include <utility>

namespace staffgate::central {

namespace {
thread_local const Actor* current_actor = nullptr;
}  // namespace

Actor TokenActor(std::string from) { return Actor{kTokenActorName, std::move(from), Role::kOwner}; }

ActorScope::ActorScope(Actor actor) : actor_(std::move(actor)), previous_(current_actor) {
  current_actor = &actor_;
}

ActorScope::~ActorScope() { current_actor = previous_; }

const Actor* CurrentActor() { return current_actor; }

}  // namespace staffgate::central
