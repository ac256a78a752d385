#!/usr/bin/env python3
"""The workstation's name comes from its token (docs/design.md §6): a real
staffgate-central tells a real staffgated, on every roster answer, which
workstation its token belongs to. An agent configured without a name
enforces that workstation's groups; one configured with another
workstation's name is refused with one sentence naming both, and still
enforces the token's groups.

Inputs: STAFFGATED, STAFFGATECTL, STAFFGATE_CENTRAL_BIN, STAFFGATE_ADMIN_BIN
(tests/lib/README.md)
"""

import json
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))

import sgtest  # noqa: E402
from centraltest import Central  # noqa: E402
from livetest import STAFFGATECTL, STAFFGATED  # noqa: E402
MISMATCH = ("the configuration names workstation PARTS-01 but the central knows this "
            "workstation's token as SVC-03, so SVC-03's groups are enforced")


class IdentityTest(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="sg-identity-")
        self.dir = self._tmp.name
        os.chmod(self.dir, 0o755)
        self.central = Central(self.dir)
        self.central.start()
        self.central.admin_ok("employee", "add", "E1", "--account", "asmith", "--groups", "sales")
        self.central.admin_ok("employee", "add", "E2", "--account", "pjones", "--groups", "parts")
        self.central.admin_ok("workstation", "add", "PARTS-01", "--groups", "parts")
        token = self.central.admin_ok("workstation", "add", "SVC-03", "--groups", "sales").strip()
        self.token_file = os.path.join(self.dir, "ws.token")
        sgtest.write_secret(self.token_file, token)
        self.socket = os.path.join(self.dir, "agent.sock")
        self.config = os.path.join(self.dir, "agent.conf")
        self.agent = None

    def tearDown(self):
        if self.agent:
            self.agent.stop()
        self.central.stop()
        self._tmp.cleanup()

    def start_agent(self, enrolled, **name):
        """Starts staffgated; `enrolled`: the config already follows the
        central (as a configuration tool would write it)."""
        values = dict(name, socket=self.socket, state_dir=os.path.join(self.dir, "state"),
                      audit_log=os.path.join(self.dir, "audit.jsonl"),
                      min_uid=min(os.getuid(), 1000), on_revoke="none")
        if enrolled:
            values.update(central_url="https://127.0.0.1:%d" % self.central.port,
                          ca_file=os.path.join(self.central.dir, "ca.pem"),
                          token_file=self.token_file,
                          trusted_keys=[os.path.join(self.central.dir, "roster-signing.pub")])
        sgtest.write_config(self.config, **values)
        env = sgtest.nss_wrapper_env(self.dir, {a: os.getuid() for a in ("asmith", "pjones")})
        self.agent = sgtest.Agent(STAFFGATED, self.config, self.socket, env=env)
        self.agent.start()

    def ctl(self, *args):
        return subprocess.run([STAFFGATECTL, "--config", self.config] + list(args),
                              capture_output=True, text=True, timeout=90)

    def reason(self, account):
        return sgtest.ask_agent(self.socket, sgtest.check_request(account))["reason"]

    def assert_token_groups(self):
        ok = sgtest.wait_until(lambda: self.reason("asmith") == "allowed", timeout=20)
        self.assertTrue(ok, "asmith: %s\n%s" % (self.reason("asmith"), self.agent.read_log()))
        self.assertEqual(self.reason("pjones"), "not_permitted_here")
        status = json.loads(self.ctl("status", "--json").stdout)
        self.assertEqual(status["workstation"], "SVC-03")

    def test_configured_without_a_name_enforces_the_tokens_groups(self):
        self.start_agent(enrolled=True)
        self.assert_token_groups()
        r = self.ctl("sync")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_enrolled_without_workstation_enforces_the_tokens_groups(self):
        self.start_agent(enrolled=False)
        r = self.ctl("enroll", "--central", "https://127.0.0.1:%d" % self.central.port,
                     "--token-file", self.token_file,
                     "--ca", os.path.join(self.central.dir, "ca.pem"))
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assert_token_groups()

    def test_another_workstations_name_is_refused_naming_both(self):
        self.start_agent(enrolled=True, workstation="PARTS-01")
        self.assert_token_groups()  # Never PARTS-01's: pjones stays out.
        r = self.ctl("sync")
        self.assertNotEqual(r.returncode, 0, r.stdout)
        self.assertIn(MISMATCH, r.stderr)
        status = json.loads(self.ctl("status", "--json").stdout)
        self.assertIn(MISMATCH, status.get("last_sync_result", ""))
        self.assertIn(MISMATCH, self.agent.read_log())
        # A reload keeps the token's name (the file still says PARTS-01).
        self.agent.signal(1)
        sgtest.wait_until(lambda: "reloaded" in self.agent.read_log(), timeout=10)
        self.assertEqual(self.reason("pjones"), "not_permitted_here")
        self.assertEqual(self.reason("asmith"), "allowed")


if __name__ == "__main__":
    sgtest.require_inputs("STAFFGATED", "STAFFGATECTL", "STAFFGATE_CENTRAL_BIN", "STAFFGATE_ADMIN_BIN")
    unittest.main(verbosity=2)
