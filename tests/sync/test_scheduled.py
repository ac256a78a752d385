#!/usr/bin/env python3
"""Scheduled termination (docs/design.md §11, §3 row 7b) with a real central,
a real agent and the real module under pamtester: `employee terminate E1
--at TIME` a few seconds ahead reaches the agent as valid_until; the central
is then stopped, and the agent on its own clock refuses the account from
TIME on (not a moment before) and ends the session open at that time (its
table entry closes with reason "expired"; as root its process ends too).

Inputs: STAFFGATED, STAFFGATECTL, STAFFGATE_MODULE, STAFFGATE_CENTRAL_BIN,
STAFFGATE_ADMIN_BIN (tests/lib/README.md)
"""

import datetime
import json
import math
import os
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
sys.path.insert(0, HERE)

import sgtest  # noqa: E402
import test_leases  # noqa: E402  (its Workstation and central, not its tests)
from centraltest import ADMIN, CENTRAL  # noqa: E402

ROOT = test_leases.ROOT
# Far enough ahead for the roster to reach the agent and the central to stop
# on a loaded machine; the checks below are against the wall clock.
LEAD_S = 10
# How late the refusal and the session's end may come.
LATE_S = 3.0


def rfc3339(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@unittest.skipUnless(CENTRAL and ADMIN, "STAFFGATE_CENTRAL_BIN and STAFFGATE_ADMIN_BIN needed")
class ScheduledTerminationTest(unittest.TestCase):
    def setUp(self):
        test_leases.start_central(self)
        self.ws = test_leases.Workstation(self, "SVC-A", on_revoke="terminate")

    def tearDown(self):
        test_leases.stop_all(self, (self.ws,))

    def decision(self):
        return self.ws.ask({"op": "check", "phase": "account", "account": "asmith",
                            "service": "sched-test"})

    def wait_for(self, predicate, timeout, what):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return time.time()
            time.sleep(0.05)
        self.fail("timed out waiting for %s\n%s" % (what, self.ws.agent.read_log()))

    def test_refused_at_valid_until_and_session_ends_with_the_central_down(self):
        proc, _ = test_leases.login(self, self.ws)
        at = math.ceil(time.time()) + LEAD_S
        out = self.central.admin_ok("employee", "terminate", "E1", "--at", rfc3339(at))
        self.assertIn("scheduled for " + rfc3339(at), out)
        serial = int(out.rsplit("roster serial ", 1)[1].rstrip(")\n"))
        self.wait_for(lambda: (self.ws.ask({"op": "status"}).get("roster") or {}).get("serial")
                      == serial, LEAD_S / 2, "the agent to install serial %d" % serial)
        self.central.stop()
        self.assertLess(time.time(), at - 1, "the machine was too slow to test before the time")

        # Allowed until the time, through the real module too.
        rc, out, err, _ = sgtest.pamtester("sg", "asmith", ["acct_mgmt"], self.ws.pam_env)
        self.assertEqual(rc, 0, out + err)
        last_allow = time.time()
        while self.decision()["decision"] == "allow":
            last_allow = time.time()
            time.sleep(0.02)
        refused_at = time.time()
        answer = self.decision()
        self.assertEqual((answer["decision"], answer["reason"]), ("deny", "expired"), answer)
        print("  last allow %.2f s, first refusal %.2f s after valid_until"
              % (last_allow - at, refused_at - at))
        self.assertLess(last_allow, at + 0.05)  # Never refused early ...
        self.assertGreaterEqual(refused_at, at - 0.05)  # ... nor allowed at the time.
        self.assertLess(refused_at, at + LATE_S)

        # The session open at the time ends, on the agent's own clock.
        ended = self.wait_for(lambda: not self.ws.ask({"op": "sessions"})["sessions"],
                              at + LATE_S + 5 - time.time(), "the session to end")
        print("  session ended %.2f s after valid_until" % (ended - at))
        self.assertLess(ended, at + LATE_S)
        if ROOT:
            self.wait_for(lambda: proc.poll() is not None, LATE_S, "the session's process to end")
            # Audited once the terminator is done with the account.
            self.wait_for(lambda: "sessions_terminated" in self.ws.audit_types(), 30,
                          "sessions_terminated in the audit log")
        with open(self.ws.audit) as f:
            events = [json.loads(line) for line in f]
        closes = [e for e in events if e["type"] == "session_close" and e.get("reason") == "expired"]
        self.assertEqual(len(closes), 1, events)
        self.assertIn("valid_until " + rfc3339(at), closes[0].get("detail", ""))
        if ROOT:
            ends = [e for e in events if e["type"] == "sessions_terminated"]
            self.assertEqual([(e["reason"], e.get("decision")) for e in ends], [("expired", "deny")])

        # The person reads the terminated sentence; the account phase says ACCT_EXPIRED.
        rc, out, err, _ = sgtest.pamtester("sg", "asmith", ["acct_mgmt"], self.ws.pam_env)
        sgtest.assert_pam_failed(self, "ACCT_EXPIRED", rc, out, err)
        self.assertIn("This account has been deactivated.", out + err)
        rc, out, err, _ = sgtest.pamtester("sg", "asmith", ["open_session"], self.ws.pam_env,
                                           items={"tty": "tty2"})
        self.assertNotEqual(rc, 0, out + err)


if __name__ == "__main__":
    sgtest.require_inputs("STAFFGATED", "STAFFGATECTL", "STAFFGATE_MODULE", "STAFFGATE_CENTRAL_BIN",
                          "STAFFGATE_ADMIN_BIN")
    unittest.main(verbosity=2)
