#!/usr/bin/env python3
"""`staffgate-central cert renew` and `token rotate` (docs/design.md §5):
a renewed certificate is trusted by the CA every workstation already has
and keeps (or replaces) its names; a rotated admin token works and the old
one is refused by the running central after SIGHUP, without a restart.

Inputs: STAFFGATE_CENTRAL_BIN, STAFFGATE_ADMIN_BIN (tests/lib/README.md)
"""

import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))

from centraltest import ADMIN, CENTRAL, Central, run  # noqa: E402


def served_cert(port, ca):
    """The leaf certificate the central serves, verified against `ca`."""
    ctx = ssl.create_default_context(cafile=ca)
    ctx.check_hostname = False
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        with ctx.wrap_socket(raw) as tls:
            return tls.getpeercert(binary_form=True)


def sans_of(pem_path):
    out = subprocess.run(["openssl", "x509", "-in", pem_path, "-noout", "-ext", "subjectAltName"],
                         capture_output=True, text=True, check=True).stdout
    return out


@unittest.skipUnless(CENTRAL and ADMIN, "STAFFGATE_CENTRAL_BIN and STAFFGATE_ADMIN_BIN needed")
class MaintenanceTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="sg-maint-")
        self.central = Central(self.tmp)
        self.ca = os.path.join(self.central.dir, "ca.pem")

    def tearDown(self):
        self.central.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def test_init_keeps_the_ca_key_private(self):
        st = os.stat(os.path.join(self.central.dir, "ca.key"))
        self.assertEqual(st.st_mode & 0o777, 0o600)

    def test_cert_renew_keeps_the_ca_and_the_names(self):
        crt = os.path.join(self.central.dir, "tls.crt")
        with open(crt) as f:
            before = f.read()
        r = run([CENTRAL, "cert", "renew", "--dir", self.central.dir])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("central.test", r.stdout)
        self.assertIn("restart the central", r.stdout)
        with open(crt) as f:
            self.assertNotEqual(f.read(), before)
        self.assertIn("DNS:central.test", sans_of(crt))
        # The CA every workstation holds verifies the renewed certificate.
        self.central.start()
        self.assertEqual(self.central.request("GET", "/healthz")[0], 200)
        self.assertTrue(served_cert(self.central.port, self.ca))
        self.central.admin_ok("employee", "list")

    def test_cert_renew_with_new_names(self):
        self.central.start()
        first = served_cert(self.central.port, self.ca)
        r = run([CENTRAL, "cert", "renew", "--dir", self.central.dir,
                 "--san", "central.example.com", "--san", "10.0.0.5"])
        self.assertEqual(r.returncode, 0, r.stderr)
        sans = sans_of(os.path.join(self.central.dir, "tls.crt"))
        self.assertIn("DNS:central.example.com", sans)
        self.assertIn("IP Address:10.0.0.5", sans)
        self.assertIn("DNS:localhost", sans)
        self.assertNotIn("central.test", sans)
        self.central.stop()
        self.central.start()
        self.assertNotEqual(served_cert(self.central.port, self.ca), first)

    def test_cert_renew_refuses_bad_names_and_a_missing_ca_key(self):
        crt = os.path.join(self.central.dir, "tls.crt")
        with open(crt) as f:
            before = f.read()
        r = run([CENTRAL, "cert", "renew", "--dir", self.central.dir, "--san", "bad name!"])
        self.assertEqual(r.returncode, 1)
        self.assertIn("'bad name!' is neither a DNS name nor an IP address", r.stderr)
        os.unlink(os.path.join(self.central.dir, "ca.key"))
        r = run([CENTRAL, "cert", "renew", "--dir", self.central.dir])
        self.assertEqual(r.returncode, 1)
        self.assertIn("ca.key", r.stderr)
        self.assertEqual(len(r.stderr.strip().splitlines()), 1, r.stderr)
        with open(crt) as f:
            self.assertEqual(f.read(), before)

    def test_token_rotate_takes_effect_on_sighup(self):
        self.central.start()
        old = os.path.join(self.tmp, "old.token")
        shutil.copy(os.path.join(self.central.dir, "admin.token"), old)
        r = run([CENTRAL, "token", "rotate", "--dir", self.central.dir])
        self.assertEqual(r.returncode, 0, r.stderr)
        token_file = os.path.join(self.central.dir, "admin.token")
        self.assertEqual(os.stat(token_file).st_mode & 0o777, 0o600)
        with open(token_file) as f, open(old) as g:
            self.assertNotEqual(f.read(), g.read())
        with open(token_file) as f:
            self.assertNotIn(f.read().strip(), r.stdout + r.stderr)
        self.central.proc.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 10
        while self.central.admin("employee", "list", token_file=old).returncode == 0:
            self.assertLess(time.monotonic(), deadline, "the old token still works after SIGHUP")
            time.sleep(0.1)
        self.central.admin_ok("employee", "list")
        # And across a restart.
        self.central.stop()
        self.central.start()
        self.assertNotEqual(self.central.admin("employee", "list", token_file=old).returncode, 0)
        self.central.admin_ok("employee", "list")


    def test_unknown_commands_list_the_valid_ones(self):
        r = self.central.admin("employe", "list")
        self.assertEqual(r.returncode, 2)
        self.assertEqual(r.stderr.strip(), "staffgate-admin: unknown command 'employe'; the commands "
                         "are: employee, shared-account, workstation, posix-group, import, events, "
                         "policy, sessions, rollout, admin, actions, report")
        r = self.central.admin("employee", "fire", "E1")
        self.assertEqual(r.returncode, 2)
        self.assertIn("unknown command 'fire'; the commands of 'employee' are: add, terminate",
                      r.stderr)
        r = run([CENTRAL, "cert", "renw"])
        self.assertEqual(r.returncode, 2)
        self.assertIn("unknown command 'renw'", r.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
