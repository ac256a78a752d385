// The process at the other end of an agent socket connection, as the
// kernel reported it when the connection was accepted (SO_PEERCRED).
#ifndef STAFFGATE_AGENT_SOCKET_PEER_H_
#define STAFFGATE_AGENT_SOCKET_PEER_H_

#include <sys/types.h>

namespace staffgate::agent {

struct Peer {
  uid_t uid = 0;
  pid_t pid = 0;  // The process that connected; 0 when unknown.
};

}  // namespace staffgate::agent

#endif  // STAFFGATE_AGENT_SOCKET_PEER_H_
