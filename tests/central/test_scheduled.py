"""Scheduled changes (docs/design.md §11) on a real staffgate-central over
HTTPS on 127.0.0.1: `employee terminate|suspend ID --at TIME` puts
valid_until in the signed roster at once and the central sets the status
when the time comes; `employee add --start TIME` carries valid_from until
then; `employee list` (and --json) shows pending changes; `employee cancel`
withdraws them; pending changes survive a restart, and one missed while the
central was down is applied when it starts. Times are a few seconds ahead
on the real clock."""
import base64
import datetime
import json
import math
import os
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import sgtest  # noqa: E402
from centraltest import Central  # noqa: E402

# How late the central may set a status after its time (it looks every second).
LATE_S = 4.0


def rfc3339(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class ScheduledChangesTest(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="sg-central-sched-")
        self.c = Central(self._tmp.name)
        self.c.start()
        self.token = self.admin("workstation", "add", "WS-1").stdout.strip()
        for i, account in ((1, "asmith"), (2, "bjones"), (3, "cdoe")):
            self.admin("employee", "add", "E%d" % i, "--account", account)

    def tearDown(self):
        self.c.stop()
        self._tmp.cleanup()

    # -- helpers -------------------------------------------------------------
    def admin(self, *args, rc=0):
        return self.c.admin_expect(*args, rc=rc)

    def roster(self):
        status, headers, body = self.c.request("GET", "/v1/roster", token=self.token)
        self.assertEqual(status, 200)
        payload = json.loads(base64.b64decode(json.loads(body)["payload"]))
        payload["etag_serial"] = int(headers["ETag"].strip('"'))
        return payload

    def in_roster(self, employee_id):
        return [e for e in self.roster()["employees"] if e["id"] == employee_id][0]

    def listed(self, employee_id):
        out = json.loads(self.admin("employee", "list", "--json").stdout)
        return [e for e in out if e["id"] == employee_id][0]

    def wait_for(self, predicate, timeout, what):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return time.time()
            time.sleep(0.1)
        self.fail("timed out waiting for %s\n%s" % (what, open(self.c.log).read()[-3000:]))

    # -- tests ---------------------------------------------------------------
    def test_terminate_at_carries_valid_until_then_flips_at_the_time(self):
        at = math.ceil(time.time()) + 4
        before = self.roster()["serial"]
        out = self.admin("employee", "terminate", "E1", "--at", rfc3339(at)).stdout
        self.assertIn("terminate of employee E1 scheduled for %s" % rfc3339(at), out)
        e = self.in_roster("E1")  # At once, in a new signed serial.
        self.assertEqual(self.roster()["serial"], before + 1)
        self.assertEqual((e["status"], e["valid_until"]), ("active", rfc3339(at)))
        self.assertNotIn("valid_until", self.in_roster("E2"))
        listed = self.listed("E1")
        self.assertEqual(listed["status"], "active")
        self.assertEqual(listed["pending"], [{"change": "terminated", "at": rfc3339(at)}])
        self.assertEqual(listed["valid_until"], rfc3339(at))
        table = self.admin("employee", "list").stdout
        self.assertIn("PENDING", table)
        self.assertIn("terminate at " + rfc3339(at), table)

        flipped = self.wait_for(lambda: self.listed("E1")["status"] == "terminated", 4 + LATE_S + 5,
                                "the central to terminate E1")
        print("  status set %.2f s after the time" % (flipped - at))
        self.assertGreaterEqual(flipped, at)
        self.assertLess(flipped, at + LATE_S)
        self.assertEqual(self.listed("E1")["pending"], [])
        e = self.in_roster("E1")
        self.assertEqual(e["status"], "terminated")
        self.assertNotIn("valid_until", e)
        self.assertEqual(self.roster()["serial"], before + 2)
        events = json.loads(self.admin("events", "--since", "1h", "--json").stdout)
        applied = [x for x in events if x.get("type") == "scheduled_change"]
        self.assertEqual(len(applied), 1, events)
        self.assertEqual(applied[0].get("account"), "asmith")

    def test_start_carries_valid_from_until_the_time(self):
        start = math.ceil(time.time()) + 3
        out = self.admin("employee", "add", "E9", "--account", "newbie", "--start",
                         rfc3339(start)).stdout
        self.assertIn("starting at " + rfc3339(start), out)
        self.assertEqual(self.in_roster("E9")["valid_from"], rfc3339(start))
        self.assertEqual(self.listed("E9")["pending"], [{"change": "start", "at": rfc3339(start)}])
        self.wait_for(lambda: "valid_from" not in self.in_roster("E9"), 3 + LATE_S + 5,
                      "the start to pass")
        self.assertEqual(self.listed("E9")["pending"], [])
        self.assertEqual(self.in_roster("E9")["status"], "active")

    def test_bad_times_are_refused_and_change_nothing(self):
        serial = self.roster()["serial"]
        past = rfc3339(time.time() - 60)
        r = self.admin("employee", "terminate", "E1", "--at", past, rc=1)
        self.assertIn("is not in the future", r.stderr)
        for bad in ("2h", "2026-12-04T17:30:00", "tomorrow", "1795910400"):
            r = self.admin("employee", "suspend", "E1", "--at", bad, rc=2)
            self.assertIn("--at", r.stderr)
        self.admin("employee", "add", "E8", "--account", "late", "--start", past, rc=1)
        self.admin("employee", "reinstate", "E1", "--at", rfc3339(time.time() + 60), rc=2)
        # A later or milder change than the pending one must wait for a cancel.
        soon = math.ceil(time.time()) + 3600
        self.admin("employee", "terminate", "E2", "--at", rfc3339(soon))
        serial = self.roster()["serial"]
        r = self.admin("employee", "suspend", "E2", "--at", rfc3339(soon - 60), rc=1)
        self.assertIn("cancel it first", r.stderr)
        self.admin("employee", "terminate", "E2", "--at", rfc3339(soon + 60), rc=1)
        self.assertEqual(self.roster()["serial"], serial)
        self.assertEqual(self.in_roster("E2")["valid_until"], rfc3339(soon))

    def test_cancel_removes_the_pending_change(self):
        at = rfc3339(math.ceil(time.time()) + 3600)
        self.admin("employee", "suspend", "E1", "--at", at)
        self.admin("employee", "add", "E9", "--account", "newbie", "--start", at)
        out = self.admin("employee", "cancel", "E1").stdout
        self.assertIn("cancelled the pending status change of employee E1", out)
        self.assertNotIn("valid_until", self.in_roster("E1"))
        self.assertEqual(self.listed("E1")["pending"], [])
        r = self.admin("employee", "cancel", "E1", rc=1)
        self.assertIn("no pending status change", r.stderr)
        self.assertEqual(self.in_roster("E9")["valid_from"], at)  # Untouched by a plain cancel.
        self.admin("employee", "cancel", "E9", "--start")
        self.assertNotIn("valid_from", self.in_roster("E9"))

    def test_a_status_change_now_supersedes_failing_closed(self):
        at = rfc3339(math.ceil(time.time()) + 3600)
        self.admin("employee", "terminate", "E1", "--at", at)
        self.admin("employee", "suspend", "E1")  # The termination still comes.
        self.assertEqual(self.in_roster("E1")["valid_until"], at)
        self.admin("employee", "reinstate", "E1")  # Still comes.
        self.assertEqual(self.listed("E1")["pending"], [{"change": "terminated", "at": at}])
        self.admin("employee", "terminate", "E1")  # Done now: nothing pending.
        self.assertEqual(self.listed("E1")["pending"], [])
        self.assertNotIn("valid_until", self.in_roster("E1"))

    def test_pending_changes_survive_a_restart_and_missed_ones_apply_at_start(self):
        later = rfc3339(math.ceil(time.time()) + 3600)
        soon = math.ceil(time.time()) + 3
        self.admin("employee", "suspend", "E1", "--at", later)
        self.admin("employee", "add", "E9", "--account", "newbie", "--start", later)
        self.admin("employee", "terminate", "E2", "--at", rfc3339(soon))
        self.c.stop()
        time.sleep(max(0.0, soon + 1 - time.time()))  # E2's time passes while it is down.
        self.c.start()
        self.assertEqual(self.listed("E1")["pending"], [{"change": "suspended", "at": later}])
        self.assertEqual(self.listed("E9")["pending"], [{"change": "start", "at": later}])
        self.assertEqual(self.in_roster("E1")["valid_until"], later)
        self.assertEqual(self.in_roster("E9")["valid_from"], later)
        self.wait_for(lambda: self.listed("E2")["status"] == "terminated", LATE_S + 5,
                      "the missed termination to apply")
        self.assertNotIn("valid_until", self.in_roster("E2"))


if __name__ == "__main__":
    sgtest.require_inputs("STAFFGATE_CENTRAL_BIN", "STAFFGATE_ADMIN_BIN")
    unittest.main(verbosity=2)
