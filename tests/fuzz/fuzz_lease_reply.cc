// libFuzzer target for the agent's reading of the central's session lease
// answers (agent::ParseLeaseReply, docs/design.md §6). The first byte picks the
// HTTP status, the rest is the body. It must never crash, and the reply
// must keep the contract in agent/session/lease_client.h: the kind follows the
// status, a granted lease has a hex id of 1-64 characters and a ttl of
// 1-86400 s, and a conflict names a holder of at most 128 bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "agent/session/lease_client.h"

namespace {

using staffgate::agent::LeaseReply;

constexpr long kStatuses[] = {200, 201, 204, 400, 401, 403, 404, 409, 500,
                              502, 503, 0,   -1,  100, 302, 429, 999};

bool IsLowerHex(const std::string& s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

void Check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  long status = kStatuses[data[0] % std::size(kStatuses)];
  std::string body(reinterpret_cast<const char*>(data + 1), size - 1);
  LeaseReply reply = staffgate::agent::ParseLeaseReply(status, body);
  switch (status) {
    case 200:
    case 201:
      Check(reply.kind == LeaseReply::Kind::kGranted ||
            reply.kind == LeaseReply::Kind::kUnavailable);
      if (reply.kind == LeaseReply::Kind::kGranted) {
        Check(IsLowerHex(reply.id) && reply.ttl_s >= 1 && reply.ttl_s <= 86400);
      }
      break;
    case 204:
      Check(reply.kind == LeaseReply::Kind::kGranted);
      break;
    case 409:
      Check(reply.kind == LeaseReply::Kind::kConflict && reply.holder.size() <= 128);
      break;
    case 404:
      Check(reply.kind == LeaseReply::Kind::kNotFound);
      break;
    case 400:
    case 401:
    case 403:
      Check(reply.kind == LeaseReply::Kind::kRefused);
      break;
    default:
      Check(reply.kind == LeaseReply::Kind::kUnavailable);
  }
  return 0;
}
