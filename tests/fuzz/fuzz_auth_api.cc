// libFuzzer target for the password endpoints' bodies (common/auth_api.h,
// docs/design.md §10): the central parses requests from workstations, the
// agent parses the central's answers. The first byte picks the parser. It
// must never crash; what parses must keep the caps of common/auth_api.h and
// survive a serialise/parse round trip unchanged.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "common/auth_api.h"

namespace {

namespace sc = staffgate::common;

void Check(bool ok) {
  if (!ok) std::abort();
}

void Verify(const std::string& body) {
  auto request = sc::ParseVerifyRequest(body);
  if (!request) return;
  Check(!request->account.empty() && request->account.size() <= 256);
  Check(request->password.size() <= sc::kMaxPasswordBytes);
  auto again = sc::ParseVerifyRequest(sc::SerializeVerifyRequest(*request));
  Check(again && *again == *request);
}

void Change(const std::string& body) {
  auto request = sc::ParseChangeRequest(body);
  if (!request) return;
  Check(request->old_password.size() <= sc::kMaxPasswordBytes &&
        request->new_password.size() <= sc::kMaxPasswordBytes);
  auto again = sc::ParseChangeRequest(sc::SerializeChangeRequest(*request));
  Check(again && *again == *request);
}

void Answers(const std::string& body) {
  if (auto answer = sc::ParseVerifyAnswer(body)) {
    auto again = sc::ParseVerifyAnswer(sc::SerializeVerifyAnswer(*answer));
    Check(again && *again == *answer);
  }
  if (auto refusal = sc::ParseChangeRefusal(body)) {
    auto again = sc::ParseChangeRefusal(sc::SerializeChangeRefusal(*refusal));
    Check(again && *again == *refusal);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::string body(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (data[0] % 3) {
    case 0:
      Verify(body);
      break;
    case 1:
      Change(body);
      break;
    default:
      Answers(body);
  }
  return 0;
}
