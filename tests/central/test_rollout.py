"""Rollout confirmation (docs/design.md §11) on a real staffgate-central over
HTTPS on 127.0.0.1: the serial each workstation has installed, learned from
its long-poll's If-None-Match and its roster events; `workstation list`,
`rollout`, `employee terminate --wait`; a workstation refusing the central's
rosters flagged; an offline roster serial above the central's followed."""
import base64
import json
import os
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import sgtest  # noqa: E402
from centraltest import Central  # noqa: E402


class PollingWorkstation:
    """What an agent does with its token, in a thread: asks for the roster
    naming the one it has, and takes whatever newer one it is given."""

    def __init__(self, central, token):
        self.c, self.token = central, token
        self.serial = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def poll(self):
        headers = {"User-Agent": "staffgated/rollout-test"}
        if self.serial is not None:
            headers["If-None-Match"] = '"%d"' % self.serial
        status, h, _ = self.c.request("GET", "/v1/roster", token=self.token, headers=headers)
        if status == 200:
            self.serial = int(h["ETag"].strip('"'))
        return status

    def _run(self):
        while not self._stop.is_set():
            self.poll()
            self._stop.wait(0.2)

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._stop.set()
        self._thread.join(10)


class RolloutTest(unittest.TestCase):
    """Each test has its own central, so the counts are its own."""

    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="sg-central-rollout-")
        self.c = Central(self._tmp.name)
        self.c.start()
        self.tokens = {}

    def tearDown(self):
        self.c.stop()
        self._tmp.cleanup()

    # -- helpers -------------------------------------------------------------
    def admin(self, *args, rc=0):
        return self.c.admin_expect(*args, rc=rc)

    def add_workstation(self, name):
        token = self.admin("workstation", "add", name).stdout.strip()
        self.tokens[name] = token
        return token

    def poll(self, name, serial):
        headers = {"If-None-Match": '"%d"' % serial, "User-Agent": "staffgated/rollout-test"}
        return self.c.request("GET", "/v1/roster", token=self.tokens[name], headers=headers)[0]

    def current(self):
        return json.loads(self.c.request("GET", "/v1/admin/status", token=self.c.admin_token)[2])[
            "serial"]

    def listed(self, name):
        out = json.loads(self.admin("workstation", "list", "--json").stdout)
        return [w for w in out if w["name"] == name][0]

    def rollout(self, *args):
        return json.loads(self.admin("rollout", "--json", *args).stdout)

    def entry(self, answer, name):
        return [w for w in answer["workstations"] if w["name"] == name][0]

    def events(self, name, *events):
        batch = [dict(e, id="%s-%s-%f" % (name, e["type"], time.time()),
                      time=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())) for e in events]
        status, _, body = self.c.request("POST", "/v1/events", body=json.dumps(batch),
                                         token=self.tokens[name])
        self.assertEqual(status, 202, body)

    def new_employee(self, tag):
        self.admin("employee", "add", "E-" + tag, "--account", "acct" + tag.lower())
        return "E-" + tag

    # -- tests ---------------------------------------------------------------
    def test_installed_serial_is_what_the_agent_uses_not_what_was_sent(self):
        self.add_workstation("INST-1")
        self.new_employee("INST")
        now = self.current()
        # Sent the current roster (no If-None-Match), but it says it uses an older one.
        self.assertEqual(self.c.request("GET", "/v1/roster", token=self.tokens["INST-1"])[0], 200)
        self.assertEqual(self.poll("INST-1", now - 1), 200)
        w = self.listed("INST-1")
        self.assertEqual(w["installed_serial"], now - 1)
        self.assertTrue(w["online"])
        self.assertFalse(w["rejecting_rosters"])
        self.assertEqual(w["agent_version"], "staffgated/rollout-test")
        entry = self.entry(self.rollout(), "INST-1")
        self.assertFalse(entry["confirmed"])
        self.assertTrue(self.entry(self.rollout(str(now - 1)), "INST-1")["confirmed"])
        self.assertEqual(self.poll("INST-1", now), 304)
        w = self.listed("INST-1")
        self.assertEqual(w["installed_serial"], now)
        self.assertIsNotNone(w["installed_at"])
        table = self.admin("workstation", "list").stdout
        self.assertIn("INSTALLED", table.splitlines()[0])
        line = [l for l in table.splitlines() if l.startswith("INST-1 ")][0]
        self.assertIn(str(now), line)
        entry = self.entry(self.rollout(), "INST-1")
        self.assertTrue(entry["confirmed"])
        self.assertIsNotNone(entry["confirmed_at"])

    def test_rollout_counts_and_names_those_not_confirmed(self):
        for name in ("CNT-A", "CNT-B"):
            self.add_workstation(name)
        self.new_employee("CNT")
        now = self.current()
        self.poll("CNT-A", now)
        self.poll("CNT-B", now - 1)
        answer = self.rollout()
        self.assertEqual(answer["serial"], now)
        self.assertIn("confirmed on", answer["summary"])
        self.assertTrue(self.entry(answer, "CNT-A")["confirmed"])
        self.assertFalse(self.entry(answer, "CNT-B")["confirmed"])
        self.assertFalse(answer["complete"])
        text = self.admin("rollout").stdout
        self.assertRegex(text, r"roster serial %d: confirmed on \d+ of \d+ workstations" % now)
        pending = text[text.index("not yet confirmed:"):]
        self.assertRegex(pending, r"CNT-B last seen (just now|\d+ seconds? ago), installed serial %d"
                         % (now - 1))
        self.assertNotIn("CNT-A", pending)
        # A workstation never seen is listed, not counted.
        self.add_workstation("CNT-NEVER")
        self.assertIn("CNT-NEVER never seen", self.admin("rollout").stdout)
        # Bad serials: one sentence, exit 1.
        r = self.admin("rollout", str(self.current() + 5), rc=1)
        self.assertIn("has not been published", r.stderr)
        self.admin("rollout", "abc", rc=2)

    def test_terminate_wait_returns_once_every_online_workstation_confirmed(self):
        self.add_workstation("WAIT-1")
        self.add_workstation("WAIT-GONE")  # Registered, never seen: not waited for.
        employee = self.new_employee("WAIT")
        ws = PollingWorkstation(self.c, self.tokens["WAIT-1"]).start()
        try:
            sgtest.wait_until(lambda: ws.serial == self.current(), timeout=10)
            started = time.monotonic()
            r = self.c.admin("employee", "terminate", employee, "--wait", "20")
            took = time.monotonic() - started
            # Without a value --wait waits up to the default 60 s.
            again = self.c.admin("employee", "reinstate", employee, "--wait")
        finally:
            ws.stop()
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("terminated employee %s" % employee, r.stdout)
        self.assertIn("confirmed on 1 of 1 workstations", r.stdout)
        self.assertIn("WAIT-GONE never seen", r.stdout)
        self.assertLess(took, 15)
        self.assertEqual(again.returncode, 0, again.stdout + again.stderr)
        self.assertIn("confirmed on 1 of 1 workstations", again.stdout)

    def test_wait_times_out_naming_the_workstation_behind(self):
        self.add_workstation("LATE-1")
        employee = self.new_employee("LATE")
        self.poll("LATE-1", self.current())
        started = time.monotonic()
        r = self.c.admin("employee", "suspend", employee, "--wait", "2")
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertGreaterEqual(time.monotonic() - started, 1.5)
        self.assertIn("suspended employee %s" % employee, r.stdout)
        self.assertRegex(r.stdout, r"LATE-1 last seen [^\n]*, installed serial \d+")
        self.assertIn("not confirmed by every workstation", r.stderr)
        self.assertEqual(len(r.stderr.strip().splitlines()), 1, r.stderr)

    def test_a_workstation_rejecting_the_rosters_is_flagged(self):
        self.add_workstation("REJ-1")
        now = self.current()
        self.poll("REJ-1", now - 1)
        self.events("REJ-1", {"type": "roster_rejected",
                              "detail": "from central: bad_signature: no trusted key signed it"})
        w = self.listed("REJ-1")
        self.assertTrue(w["rejecting_rosters"])
        self.assertIn("bad_signature", w["last_error"])
        self.assertIsNotNone(w["last_error_at"])
        line = [l for l in self.admin("workstation", "list").stdout.splitlines()
                if l.startswith("REJ-1 ")][0]
        self.assertIn("REJECTING", line)
        self.assertIn("bad_signature", line)
        self.assertIn("rejects the central's rosters", self.admin("rollout").stdout)
        # A file refused by hand is not the central's roster.
        self.add_workstation("REJ-2")
        self.poll("REJ-2", now - 1)
        self.events("REJ-2", {"type": "roster_rejected", "detail": "from file /x: rollback: old"})
        self.assertFalse(self.listed("REJ-2")["rejecting_rosters"])
        # Once it uses the current roster, nothing is left to refuse.
        self.poll("REJ-1", self.current())
        self.assertFalse(self.listed("REJ-1")["rejecting_rosters"])

    def test_records_survive_a_restart(self):
        self.add_workstation("KEEP-1")
        now = self.current()
        self.poll("KEEP-1", now)
        self.events("KEEP-1", {"type": "roster_not_saved", "serial": now,
                               "detail": "enforced but not saved to disk: No space left"})
        self.c.stop()
        self.c.start()
        w = self.listed("KEEP-1")
        self.assertEqual(w["installed_serial"], now)
        self.assertIn("No space left", w["last_error"])
        self.assertFalse(w["rejecting_rosters"])

    def test_offline_serial_above_the_central_is_followed(self):
        self.add_workstation("OFF-1")
        before = self.current()
        offline = before + 1000
        # Its If-None-Match names a serial the central never published: the
        # central sends its own (older) roster, which the agent refuses.
        self.assertEqual(self.poll("OFF-1", offline), 200)
        sgtest.wait_until(lambda: self.current() > offline, timeout=15)
        self.assertEqual(self.current(), offline + 1)
        self.assertNotIn("OFF-1", [w["name"] for w in self.rollout(str(before))["workstations"]
                                   if w["confirmed"]])
        status, h, body = self.c.request("GET", "/v1/roster", token=self.tokens["OFF-1"],
                                         headers={"If-None-Match": '"%d"' % offline})
        self.assertEqual(status, 200)
        payload = json.loads(base64.b64decode(json.loads(body)["payload"]))
        self.assertEqual(payload["serial"], offline + 1)
        self.poll("OFF-1", offline + 1)
        self.assertTrue(self.entry(self.rollout(str(before)), "OFF-1")["confirmed"])
        events = json.loads(self.admin("events", "--json", "--workstation", "OFF-1").stdout)
        self.assertIn("serial_followed", [e["type"] for e in events])
        # A forged serial near the end of the range is not followed.
        self.add_workstation("OFF-2")  # Publishes offline + 2.
        self.poll("OFF-2", 2 ** 63)
        time.sleep(3)
        self.assertEqual(self.current(), offline + 2)
        # The serials stay above after a restart, and the forged one is still refused.
        self.c.stop()
        self.c.start()
        time.sleep(3)
        self.assertEqual(self.current(), offline + 2)
        with open(self.c.log) as f:
            self.assertIn("not followed", f.read())

    def test_online_window_is_checked_at_start(self):
        os.makedirs(os.path.join(self._tmp.name, "badconf"))
        other = Central(os.path.join(self._tmp.name, "badconf"))
        other.set_conf("online_window_s", "0")
        with self.assertRaises(AssertionError) as failed:
            other.start()
        self.assertIn("online_window_s", str(failed.exception))


if __name__ == "__main__":
    sgtest.require_inputs("STAFFGATE_CENTRAL_BIN", "STAFFGATE_ADMIN_BIN")
    unittest.main()
