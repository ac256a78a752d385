#!/usr/bin/env python3
"""`staffgate-admin sessions end` (docs/design.md §5, §6) against a real central and
two real agents, with the real module under pamtester: the lease ends at the
central, the holding agent ends the session through its revocation path (as
root the session's process, running as the account's uid, is ended), no
renewal brings the lease back, each lease event reaches the central once with
its source, and `staffgatectl check --phase session` reports the lease.

Inputs: STAFFGATED, STAFFGATECTL, STAFFGATE_MODULE, STAFFGATE_CENTRAL_BIN,
STAFFGATE_ADMIN_BIN (tests/lib/README.md)
"""

import collections
import json
import os
import subprocess
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
sys.path.insert(0, HERE)

import sgtest  # noqa: E402
import test_leases  # noqa: E402  (its Workstation and central, not its tests)
from centraltest import ADMIN, CENTRAL  # noqa: E402

STAFFGATECTL = test_leases.STAFFGATECTL
ROOT = test_leases.ROOT
TTL_S = test_leases.TTL_S
# The holder renews every TTL_S/3 s; the end must show within a few of those.
END_BOUND_S = TTL_S + 5


@unittest.skipUnless(CENTRAL and ADMIN, "STAFFGATE_CENTRAL_BIN and STAFFGATE_ADMIN_BIN needed")
class LeaseEndTest(unittest.TestCase):
    def setUp(self):
        test_leases.start_central(self)
        self.a = test_leases.Workstation(self, "SVC-A", on_revoke="terminate")
        self.b = test_leases.Workstation(self, "SVC-B")

    def tearDown(self):
        test_leases.stop_all(self, (self.a, self.b))

    # -- helpers ---------------------------------------------------------------------
    def login(self, ws):
        return test_leases.login(self, ws)

    def wait_for(self, predicate, timeout, what):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return time.monotonic()
            time.sleep(0.05)
        self.fail("timed out waiting for %s\nA:\n%s\nB:\n%s"
                  % (what, self.a.agent.read_log(), self.b.agent.read_log()))

    def ctl_check(self, ws):
        r = subprocess.run([STAFFGATECTL, "--config", ws.config, "check", "asmith", "--phase",
                            "session"], capture_output=True, text=True, timeout=30)
        line = [l for l in r.stdout.splitlines() if l.startswith("lease:")]
        self.assertEqual(len(line), 1, r.stdout + r.stderr)
        return line[0][len("lease:"):].strip()

    def leases_at_central(self):
        return json.loads(self.central.admin_ok("sessions", "--json"))

    def central_events(self):
        return json.loads(self.central.admin_ok("events", "--json", "--account", "asmith"))

    # -- tests -----------------------------------------------------------------------
    def test_end_by_account_ends_the_session_and_stays_ended(self):
        proc, sid = self.login(self.a)
        self.assertEqual(self.ctl_check(self.a), "held here")
        self.assertEqual(self.ctl_check(self.b), "held on another workstation: SVC-A")
        rc, out, err, _ = sgtest.pamtester("sg", "asmith", ["open_session"], self.b.pam_env,
                                           items={"tty": "tty2"})
        self.assertIn("You are signed in on SVC-A. Sign out there first.", out + err)

        started = time.monotonic()
        out = self.central.admin_ok("sessions", "end", "--account", "asmith")
        self.assertRegex(out, r"ended session lease [0-9a-f]{32} \(asmith on SVC-A\)")
        gone = self.wait_for(lambda: not self.a.ask({"op": "sessions"})["sessions"], END_BOUND_S,
                             "SVC-A to end the session")
        print("  SVC-A ended the session %.1f s after `sessions end` (renewal every %d s)"
              % (gone - started, max(1, TTL_S // 3)))
        if ROOT:  # The revocation path ended the session's process.
            ended = self.wait_for(lambda: proc.poll() is not None, END_BOUND_S,
                                  "the session's process to end")
            print("  its process ended %.1f s after `sessions end`" % (ended - started))
        self.assertFalse(self.a.close(sid)["closed"])

        # Several renewal periods later nothing took the lease again.
        time.sleep(TTL_S + 1)
        self.assertEqual(self.leases_at_central(), [])
        self.assertEqual(self.a.ask({"op": "sessions"}).get("leases", []), [])
        self.assertEqual(self.ctl_check(self.a), "none")
        # The account may sign in anywhere again, through the real module.
        rc, out, err, _ = sgtest.pamtester("sg", "asmith", ["open_session"], self.b.pam_env,
                                           items={"tty": "tty2"})
        self.assertEqual(rc, 0, out + err)

        self.wait_for(lambda: any(e.get("reason") == "lease_ended_by_admin"
                                  and e.get("type") == ("sessions_terminated" if ROOT else
                                                        "session_close")
                                  for e in self.central_events()), 15, "SVC-A's events")
        events = self.central_events()
        ids = [e["id"] for e in events]
        self.assertEqual(len(ids), len(set(ids)))
        lease_events = collections.Counter(
            (e["type"], e.get("workstation"), e.get("source")) for e in events
            if e["type"].startswith("lease_"))
        self.assertEqual(lease_events[("lease_acquired", "SVC-A", "central")], 1, lease_events)
        self.assertEqual(lease_events[("lease_ended_by_admin", "SVC-A", "central")], 1)
        self.assertEqual(lease_events[("lease_refused", "SVC-B", "central")], 1)
        # The agents' copies of what the central recorded stay local.
        self.assertFalse([k for k in lease_events if k[2] != "central"], lease_events)
        closes = [e for e in events if e["type"] == "session_close"
                  and e.get("reason") == "lease_ended_by_admin"]
        self.assertEqual([(e["workstation"], e["source"]) for e in closes], [("SVC-A", "agent")])
        if ROOT:
            ended = [e for e in events if e["type"] == "sessions_terminated"]
            self.assertEqual([(e["reason"], e["source"]) for e in ended],
                             [("lease_ended_by_admin", "agent")])
        with open(self.a.audit) as f:
            self.assertIn("lease_acquired", f.read())  # Still in the local trail.

    def test_selectors_fail_closed(self):
        self.login(self.a)
        for args, rc, words in (
                ((), 2, "needs a lease ID, --account or --workstation"),
                (("--account", ""), 1, "the account to end leases of is blank"),
                (("--workstation", ""), 1, "the workstation to end leases of is blank"),
                (("--account", "nobody"), 1, "no live session lease of account 'nobody'"),
                (("--account", "asmith", "--workstation", "SVC-B"), 1,
                 "no live session lease of account 'asmith' on workstation 'SVC-B'"),
                (("0123456789abcdef0123456789abcdef",), 1, "no live session lease with id")):
            r = self.central.admin("sessions", "end", *args)
            self.assertEqual(r.returncode, rc, (args, r.stdout, r.stderr))
            self.assertIn(words, r.stderr)
        self.assertEqual(len(self.leases_at_central()), 1)  # Nothing ended.
        # The intersection and the workstation selector.
        lease = self.leases_at_central()[0]
        out = self.central.admin_ok("sessions", "end", lease["id"], "--workstation", "SVC-A")
        self.assertIn(lease["id"], out)
        # A login in the moment before SVC-A hears of the end would share the
        # ended lease and end with it: log in again once SVC-A has let go.
        self.wait_for(lambda: not self.a.ask({"op": "sessions"}).get("leases"), END_BOUND_S,
                      "SVC-A to let go of the ended lease")
        self.login(self.a)
        self.central.admin_ok("sessions", "end", "--workstation", "SVC-A")
        self.assertEqual(self.leases_at_central(), [])

    def test_check_reports_an_unreachable_central(self):
        self.login(self.a)
        self.central.stop()
        self.assertEqual(self.ctl_check(self.a), "unknown: the central is unreachable")


if __name__ == "__main__":
    sgtest.require_inputs("STAFFGATED", "STAFFGATECTL", "STAFFGATE_MODULE", "STAFFGATE_CENTRAL_BIN",
                          "STAFFGATE_ADMIN_BIN")
    unittest.main(verbosity=2)
