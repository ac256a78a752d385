#!/usr/bin/env python3
"""Staffgate passwords end to end (docs/design.md §10), nothing faked: a real
staffgate-central over HTTPS on 127.0.0.1, two real agents (SVC-A, SVC-B)
enrolled with `staffgatectl enroll`, and pam_staffgate.so `authenticate`
inside pamtester (pam_wrapper, nss_wrapper) with the password typed at its
prompt. One password for the whole fleet: fleet-wide lockout from two
workstations, reset -> change on one workstation -> new password works on
both and the old one on neither, a one-time password for a new starter,
and an offline sign-in with the central stopped.

Inputs: STAFFGATED, STAFFGATECTL, STAFFGATE_MODULE, STAFFGATE_CENTRAL_BIN,
STAFFGATE_ADMIN_BIN (tests/lib/README.md)
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
sys.path.insert(0, HERE)

import sgtest  # noqa: E402
from centraltest import ADMIN, CENTRAL, Central  # noqa: E402
from test_leases import ASMITH_UID, MODULE, Workstation  # noqa: E402

FIRST = "Winter-Garage-Lamp-41"
SECOND = "Copper-Tide-Orchard-73"
WRONG = "Not-The-Right-One-9"


class PasswordWorkstation(Workstation):
    """A Workstation whose PAM service asks for the password (`authenticate`)."""

    def __init__(self, test, name):
        super().__init__(test, name)
        services = os.path.join(self.dir, "services")
        args = "socket=%s agent_uid=%d min_uid=%d timeout_ms=5000" % (
            self.socket, os.getuid(), min(1000, ASMITH_UID))
        with open(os.path.join(services, "sgpw"), "w") as f:
            f.write("auth required %s authenticate %s\n" % (MODULE, args))
            f.write("account required %s %s\n" % (MODULE, args))
            f.write("password required %s %s\n" % (MODULE, args))

    def pam(self, user, ops, lines):
        rc, out, _ = sgtest.pamtester_typing("sgpw", user, ops, self.pam_env, lines)
        return rc, out


@unittest.skipUnless(CENTRAL and ADMIN and MODULE, "central, admin and module needed")
class PasswordsLiveTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="sg-pwlive-")
        os.chmod(self.dir, 0o755)
        self.central = Central(self.dir)
        self.central.start()
        self.central_url = "https://127.0.0.1:%d" % self.central.port
        self.central.admin_ok("employee", "add", "E1", "--account", "asmith")
        self.set_password("E1", FIRST)
        self.nss_env = sgtest.nss_wrapper_env(self.dir, {"asmith": ASMITH_UID,
                                                         "bnew": ASMITH_UID + 1})
        self.a = PasswordWorkstation(self, "SVC-A")
        self.b = PasswordWorkstation(self, "SVC-B")

    def tearDown(self):
        for ws in (self.a, self.b):
            ws.agent.stop()
        self.central.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def set_password(self, employee, password):
        env = dict(os.environ, STAFFGATE_CENTRAL="https://127.0.0.1:%d" % self.central.port,
                   STAFFGATE_CA=os.path.join(self.central.dir, "ca.pem"),
                   STAFFGATE_TOKEN_FILE=os.path.join(self.central.dir, "admin.token"))
        r = subprocess.run([ADMIN, "employee", "set-password", employee], input=password + "\n",
                           env=env, capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn(password, r.stdout + r.stderr)

    def assert_code(self, code, rc, out):
        self.assertEqual(rc, 1, out)
        self.assertIn("pamtester: " + sgtest.PAM_TEXT[code], out)

    def sync(self, *stations):
        for ws in stations:
            r = subprocess.run([sgtest.tier_input("STAFFGATECTL"), "--config", ws.config, "sync"],
                               capture_output=True, text=True, timeout=60)
            self.assertEqual(r.returncode, 0, r.stderr)

    def test_one_password_for_the_fleet(self):
        rc, out = self.a.pam("asmith", ["authenticate", "acct_mgmt"], [FIRST])
        self.assertEqual(rc, 0, out)
        rc, out = self.b.pam("asmith", ["authenticate"], [WRONG])
        self.assert_code("AUTH_ERR", rc, out)

        # HR flags the password: the old one gets a sign-in that must change
        # it, on every workstation.
        self.central.admin_ok("employee", "reset-credentials", "E1")
        self.sync(self.a, self.b)
        rc, out = self.b.pam("asmith", ["authenticate", "acct_mgmt"], [FIRST])
        self.assert_code("NEW_AUTHTOK_REQD", rc, out)
        rc, out = self.a.pam("asmith", ["chauthtok"], [FIRST, SECOND, SECOND])
        self.assertEqual(rc, 0, out)
        self.sync(self.a, self.b)
        for ws in (self.a, self.b):
            rc, out = ws.pam("asmith", ["authenticate", "acct_mgmt"], [SECOND])
            self.assertEqual(rc, 0, "%s: %s" % (ws.name, out))
            rc, out = ws.pam("asmith", ["authenticate"], [FIRST])
            self.assert_code("AUTH_ERR", rc, out)

        # The central stops: B checks offline against what it kept.
        self.central.stop()
        rc, out = self.b.pam("asmith", ["authenticate"], [SECOND])
        self.assertEqual(rc, 0, out)
        rc, out = self.b.pam("asmith", ["authenticate"], [FIRST])
        self.assert_code("AUTH_ERR", rc, out)
        with open(self.b.audit) as f:
            self.assertIn('"offline"', f.read())
        for ws in (self.a, self.b):
            for path in (ws.audit, ws.agent.log_path):
                with open(path) as f:
                    text = f.read()
                for secret in (FIRST, SECOND, WRONG):
                    self.assertNotIn(secret, text, path)

    def test_lockout_is_fleet_wide(self):
        for i in range(10):
            ws = self.a if i % 2 == 0 else self.b
            rc, out = ws.pam("asmith", ["authenticate"], [WRONG])
            self.assertEqual(rc, 1, out)
        for ws in (self.a, self.b):
            rc, out = ws.pam("asmith", ["authenticate"], [FIRST])
            self.assert_code("MAXTRIES", rc, out)
        self.central.admin_ok("employee", "unlock", "E1")
        rc, out = self.a.pam("asmith", ["authenticate"], [FIRST])
        self.assertEqual(rc, 0, out)

    def test_new_starter_one_time_password(self):
        self.central.admin_ok("employee", "add", "E2", "--account", "bnew")
        out = self.central.admin_ok("employee", "set-password", "E2", "--one-time")
        words = re.findall(r"\S{12,}", out)
        self.assertTrue(words, out)
        one_time = words[-1]
        self.sync(self.b)
        rc, pam_out = self.b.pam("bnew", ["authenticate", "acct_mgmt"], [one_time])
        self.assert_code("NEW_AUTHTOK_REQD", rc, pam_out)
        rc, pam_out = self.b.pam("bnew", ["chauthtok"], [one_time, "Silver-Fox-Canal-58", "Silver-Fox-Canal-58"])
        self.assertEqual(rc, 0, pam_out)
        self.sync(self.b)
        rc, pam_out = self.b.pam("bnew", ["authenticate", "acct_mgmt"], ["Silver-Fox-Canal-58"])
        self.assertEqual(rc, 0, pam_out)


if __name__ == "__main__":
    unittest.main(verbosity=2)
