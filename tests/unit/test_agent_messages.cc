// Messages shown to the person: one per refusal reason, nothing about
// anyone else.
#include <catch2/catch.hpp>

#include "agent/messages.h"

namespace staffgate::agent {
namespace {

using common::Decision;

Verdict Deny(Reason reason) {
  Verdict v;
  v.decision =
      reason == Reason::kCredentialsResetRequired ? Decision::kResetRequired : Decision::kDeny;
  v.reason = reason;
  v.serial = 42;
  return v;
}

TEST_CASE("messages: one clear sentence for every refusal", "[agent]") {
  for (Reason r :
       {Reason::kNoRoster, Reason::kRosterExpired, Reason::kSharedAccount, Reason::kUnknownAccount,
        Reason::kTerminated, Reason::kSuspended, Reason::kNotStarted, Reason::kExpired,
        Reason::kNotPermittedHere, Reason::kInUseElsewhere, Reason::kCredentialsResetRequired}) {
    std::string m = MessageFor(Deny(r), "asmith");
    INFO(ReasonName(r) << ": " << m);
    CHECK(m.size() > 20);
    CHECK(m.size() < 160);
    CHECK(m.back() == '.');
    CHECK(m.find('\n') == std::string::npos);
    // Nothing internal leaks: no serial, no reason code, no employee id.
    CHECK(m.find("42") == std::string::npos);
    CHECK(m.find('_') == std::string::npos);  // no wire codes such as "roster_expired"
    CHECK(m.find("E10") == std::string::npos);
  }
  CHECK(MessageFor(Deny(Reason::kTerminated), "bjones") ==
        "This account has been deactivated. Please contact your manager.");
  // A scheduled leaver reads what a terminated person reads.
  CHECK(MessageFor(Deny(Reason::kExpired), "bjones") ==
        MessageFor(Deny(Reason::kTerminated), "bjones"));
  CHECK(MessageFor(Deny(Reason::kNotStarted), "newbie") ==
        "This account is not active yet. Please contact your manager.");
  CHECK(MessageFor(Deny(Reason::kSharedAccount), "sales") ==
        "'sales' is a shared account. Sign in with your own account.");
}

TEST_CASE("messages: only the person's own account and workstation appear", "[agent]") {
  Verdict in_use = Deny(Reason::kInUseElsewhere);
  in_use.other_workstation = "SVC-02";
  CHECK(MessageFor(in_use, "asmith") == "You are signed in on SVC-02. Sign out there first.");
  // The account is echoed only where the person needs it, and never with
  // control characters.
  std::string m = MessageFor(Deny(Reason::kSharedAccount), "sa\x1b[2Jles");
  CHECK(m.find('\x1b') == std::string::npos);
  for (Reason r : {Reason::kTerminated, Reason::kSuspended, Reason::kUnknownAccount,
                   Reason::kNotStarted, Reason::kExpired, Reason::kNotPermittedHere}) {
    CHECK(MessageFor(Deny(r), "asmith").find("asmith") == std::string::npos);
  }
}

TEST_CASE("messages: none for allow and ignore", "[agent]") {
  Verdict v;
  v.decision = Decision::kAllow;
  v.reason = Reason::kAllowed;
  CHECK(MessageFor(v, "asmith").empty());
  v.decision = Decision::kIgnore;
  v.reason = Reason::kExempt;
  CHECK(MessageFor(v, "root").empty());
  v.reason = Reason::kUnknownAccount;  // unknown_accounts = "ignore"
  CHECK(MessageFor(v, "x").empty());
}

}  // namespace
}  // namespace staffgate::agent
