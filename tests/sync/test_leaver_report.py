#!/usr/bin/env python3
"""The leaver report with real agents (docs/design.md §11): an employee
terminated while one of two workstations' agent is stopped is reported as
confirmed on the running one and not confirmed (with its last contact) on
the stopped one, with the refused login attempt made after the
termination; once that agent is started again it takes the roster and
the report lists it as confirmed.

Inputs: STAFFGATED, STAFFGATECTL, STAFFGATE_CENTRAL_BIN, STAFFGATE_ADMIN_BIN
(tests/lib/README.md)
"""

import json
import os
import shutil
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))

import sgtest  # noqa: E402,F401
from centraltest import ADMIN, CENTRAL  # noqa: E402
from livetest import LiveWorkstation  # noqa: E402

ACCOUNTS = {"E1": "asmith", "E2": "bjones"}


@unittest.skipUnless(CENTRAL and ADMIN, "STAFFGATE_CENTRAL_BIN and STAFFGATE_ADMIN_BIN needed")
class LeaverReportLiveTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="sg-leaver-")
        os.chmod(self.dir, 0o755)
        self.ws1 = LiveWorkstation(self.dir, ACCOUNTS, workstation="SVC-01")
        self.central = self.ws1.central
        second = os.path.join(self.dir, "svc02")
        os.mkdir(second)
        self.ws2 = LiveWorkstation(second, ACCOUNTS, workstation="SVC-02", central=self.central)
        for ws in (self.ws1, self.ws2):
            ws.agent.start()
            ws.enroll()

    def tearDown(self):
        self.ws2.close()
        self.ws1.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def current(self):
        return json.loads(self.central.request("GET", "/v1/admin/status",
                                               token=self.central.admin_token)[2])["serial"]

    def report(self):
        r = self.central.admin("report", "leaver", "E1", "--format", "json")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        return json.loads(r.stdout)

    def test_a_stopped_workstation_is_not_confirmed_until_it_comes_back(self):
        for ws in (self.ws1, self.ws2):
            ws.wait_for(lambda ws=ws: ws.status().get("serial") == self.current(),
                        what="first roster")
        self.ws2.agent.stop()
        self.central.admin_ok("employee", "terminate", "E1")
        serial = self.current()
        self.ws1.wait_for(lambda: self.ws1.status().get("serial") == serial,
                          what="the termination on SVC-01")
        self.assertEqual(self.ws1.check("asmith")["reason"], "terminated")  # A login attempt.

        self.ws1.wait_for(lambda: self.report()["login_attempts"] and
                          self.report()["workstations"][0]["confirmed"],
                          what="SVC-01's confirmation and its refused attempt at the central")
        j = self.report()
        self.assertEqual(j["termination"]["by"], "admin-token")
        self.assertEqual(j["termination"]["serial"], serial)
        svc01, svc02 = j["workstations"]
        self.assertEqual((svc01["name"], svc01["confirmed"]), ("SVC-01", True))
        self.assertIsNotNone(svc01["confirmed_at"])
        self.assertEqual((svc02["name"], svc02["confirmed"]), ("SVC-02", False))
        self.assertIsNotNone(svc02["last_contact"])
        self.assertEqual(j["not_confirmed"], ["SVC-02"])
        attempt = j["login_attempts"][0]
        self.assertEqual((attempt["workstation"], attempt["account"], attempt["decision"]),
                         ("SVC-01", "asmith", "deny"))
        text = self.central.admin_ok("report", "leaver", "E1")
        self.assertIn("confirmed on 1 of 2 workstations", text)
        self.assertRegex(text, r"SVC-02: not confirmed: last contact \S+Z")

        self.ws2.agent.start()
        self.ws2.wait_for(lambda: self.report()["not_confirmed"] == [], timeout=30,
                          what="SVC-02's confirmation after its restart")
        svc02 = self.report()["workstations"][1]
        self.assertTrue(svc02["confirmed"])
        self.assertIsNotNone(svc02["confirmed_at"])
        self.assertIn("confirmed on 2 of 2 workstations",
                      self.central.admin_ok("report", "leaver", "E1"))


if __name__ == "__main__":
    unittest.main(verbosity=2)
