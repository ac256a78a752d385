#!/usr/bin/env python3
"""Rollout confirmation with a real agent (docs/design.md §11): the central
learns the serial the agent installed, `employee terminate --wait` returns
once it has, times out naming a stopped agent, and an offline roster signed
above the central's serial (`staffgate-central sign`, `staffgatectl roster
install`) makes the central publish above it, so the agent takes the
central's rosters again.

Inputs: STAFFGATED, STAFFGATECTL, STAFFGATE_CENTRAL_BIN, STAFFGATE_ADMIN_BIN
(tests/lib/README.md)
"""

import base64
import json
import os
import shutil
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))

import sgtest  # noqa: E402
from centraltest import ADMIN, CENTRAL, run  # noqa: E402
from livetest import LiveWorkstation  # noqa: E402


@unittest.skipUnless(CENTRAL and ADMIN, "STAFFGATE_CENTRAL_BIN and STAFFGATE_ADMIN_BIN needed")
class RolloutLiveTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="sg-rollout-")
        os.chmod(self.dir, 0o755)
        self.ws = LiveWorkstation(self.dir, {"E1": "asmith", "E2": "bjones", "E3": "cyoung"},
                                  workstation="SVC-03")
        self.ws.agent.start()
        self.ws.enroll()
        self.central = self.ws.central

    def tearDown(self):
        self.ws.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def current(self):
        return json.loads(self.central.request("GET", "/v1/admin/status",
                                               token=self.central.admin_token)[2])["serial"]

    def agent_serial(self):
        return self.ws.status().get("serial")

    def listed(self):
        return json.loads(self.central.admin_ok("workstation", "list", "--json"))[0]

    def test_terminate_wait_confirms_then_times_out_on_a_stopped_agent(self):
        self.ws.wait_for(lambda: self.agent_serial() == self.current(), what="first roster")
        r = self.central.admin("employee", "terminate", "E1", "--wait", "30")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr + self.ws.agent.read_log()[-3000:])
        self.assertIn("confirmed on 1 of 1 workstations", r.stdout)
        serial = self.current()
        self.assertEqual(self.agent_serial(), serial)
        self.assertEqual(self.ws.check("asmith")["reason"], "terminated")
        w = self.listed()
        self.assertEqual(w["name"], "SVC-03")
        self.assertEqual(w["installed_serial"], serial)
        self.assertTrue(w["agent_version"].startswith("staffgated/"))
        rollout = json.loads(self.central.admin_ok("rollout", "--json"))
        self.assertTrue(rollout["complete"])
        self.assertTrue(rollout["workstations"][0]["confirmed"])
        self.assertIn("confirmed on 1 of 1 workstations", self.central.admin_ok("rollout"))

        # Stopped, but seen within online_window_s: the change is not confirmed.
        self.ws.agent.stop()
        started = time.monotonic()
        r = self.central.admin("employee", "terminate", "E2", "--wait", "3")
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertGreaterEqual(time.monotonic() - started, 2.5)
        self.assertIn("confirmed on 0 of 1 workstations", r.stdout)
        self.assertRegex(r.stdout, r"SVC-03 last seen [^\n]* ago, installed serial %d" % serial)
        self.assertIn("not confirmed", r.stderr)

        # Back up: it takes the change and confirms it.
        self.ws.agent.start()
        self.ws.wait_for(lambda: json.loads(self.central.admin_ok("rollout", "--json"))["complete"],
                         what="confirmation after the restart")

    def test_an_offline_roster_above_the_central_is_followed(self):
        self.ws.wait_for(lambda: self.agent_serial() == self.current(), what="first roster")
        before = self.current()
        offline = before + 1000
        # The offline procedure: the central's roster, a serial well above
        # the central's, signed with the central's key, installed by hand.
        _, _, body = self.central.request("GET", "/v1/roster", token=self.central.admin_token)
        payload = json.loads(base64.b64decode(json.loads(body)["payload"]))
        payload["serial"] = offline
        for e in payload["employees"]:
            if e["id"] == "E3":
                e["status"] = "suspended"
        payload_file = os.path.join(self.dir, "offline.json")
        with open(payload_file, "w") as f:
            json.dump(payload, f)
        envelope = os.path.join(self.dir, "offline.dsse")
        r = run([CENTRAL, "sign", "--key", os.path.join(self.central.dir, "roster-signing.key"),
                 "--in", payload_file, "--out", envelope])
        self.assertEqual(r.returncode, 0, r.stderr)
        r = self.ws.ctl("roster", "install", envelope)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(self.ws.check("cyoung")["reason"], "suspended")

        # The central learns the offline serial and publishes above it; the
        # agent takes that roster (E3 active again, as the central says).
        self.ws.wait_for(lambda: (self.agent_serial() or 0) > offline, timeout=30,
                         what="the central's roster above the offline one")
        self.assertEqual(self.agent_serial(), offline + 1)
        self.assertEqual(self.current(), offline + 1)
        self.assertEqual(self.ws.check("cyoung")["reason"], "allowed")
        self.ws.wait_for(lambda: self.listed()["installed_serial"] == offline + 1,
                         what="installed serial at the central")
        self.assertFalse(self.listed()["rejecting_rosters"])
        # Changes reach it again, and are confirmed.
        r = self.central.admin("employee", "suspend", "E2", "--wait", "30")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("confirmed on 1 of 1 workstations", r.stdout)
        self.assertEqual(self.ws.check("bjones")["reason"], "suspended")


if __name__ == "__main__":
    sgtest.require_inputs("STAFFGATED", "STAFFGATECTL", "STAFFGATE_CENTRAL_BIN",
                          "STAFFGATE_ADMIN_BIN")
    unittest.main()
