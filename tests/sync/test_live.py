#!/usr/bin/env python3
"""The whole chain, nothing faked: a real staffgate-central over
HTTPS on 127.0.0.1, staffgate-admin, a real staffgated enrolled with
`staffgatectl enroll`, decisions following admin changes, audit events
arriving at the central, `staffgatectl sync` and `status`, and (as root)
the live sessions of a revoked account ended while a system account's
process survives.

Inputs: STAFFGATED, STAFFGATECTL, STAFFGATE_CENTRAL_BIN, STAFFGATE_ADMIN_BIN
(tests/lib/README.md)
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))

import sgtest  # noqa: E402
from centraltest import ADMIN, CENTRAL, Central  # noqa: E402
from livetest import STAFFGATECTL, STAFFGATED  # noqa: E402
ROOT = os.getuid() == 0
# As root the test accounts get uids of their own, so their processes can
# be started and ended; otherwise they share the test's uid (never killed).
UIDS = {"asmith": 2001, "bjones": 2002, "svcbackup": 999} if ROOT else {}


@unittest.skipUnless(CENTRAL and ADMIN, "STAFFGATE_CENTRAL_BIN and STAFFGATE_ADMIN_BIN needed")
class LiveTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="sg-live-")
        os.chmod(self.dir, 0o755)
        self.central = Central(self.dir)
        self.central.start()
        self.central.admin_ok("employee", "add", "E1", "--account", "asmith", "--groups", "sales")
        self.central.admin_ok("employee", "add", "E2", "--account", "bjones", "--groups", "sales")
        # A service account wrongly listed under an employee: below min_uid,
        # so it is never touched whatever the roster says.
        self.central.admin_ok("employee", "add", "E3", "--account", "svcbackup", "--groups", "sales")
        token = self.central.admin_ok("workstation", "add", "SVC-03", "--groups", "sales").strip()
        self.token_file = os.path.join(self.dir, "ws.token")
        sgtest.write_secret(self.token_file, token)
        self.socket = os.path.join(self.dir, "agent.sock")
        self.config = os.path.join(self.dir, "agent.conf")
        uid = os.getuid()
        with open(self.config, "w") as f:
            f.write('workstation = "SVC-03"\nsocket = "%s"\nstate_dir = "%s"\naudit_log = "%s"\n'
                    'min_uid = %d\non_revoke = "%s"\n'
                    % (self.socket, os.path.join(self.dir, "state"),
                       os.path.join(self.dir, "audit.jsonl"), 1000 if ROOT else min(uid, 1000),
                       "terminate" if ROOT else "none"))
        self.env = sgtest.nss_wrapper_env(self.dir, {name: UIDS.get(name, uid) for name in
                                                     ("asmith", "bjones", "svcbackup")})
        self.agent = sgtest.Agent(STAFFGATED, self.config, self.socket, env=self.env)
        self.agent.start()
        self.procs = []

    def tearDown(self):
        for p in self.procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        self.agent.stop()
        self.central.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    # -- helpers ---------------------------------------------------------------------
    def ctl(self, *args):
        return subprocess.run([STAFFGATECTL, "--config", self.config] + list(args),
                              capture_output=True, text=True, timeout=90)

    def check(self, account):
        self.checks = getattr(self, "checks", 0) + 1
        return sgtest.ask_agent(self.socket, {"v": 1, "op": "check", "phase": "account",
                                              "account": account, "service": "live-test"})

    def wait_for(self, predicate, timeout=20.0, what="condition"):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return
            time.sleep(0.02)
        self.fail("timed out waiting for %s\nagent log:\n%s" % (what, self.agent.read_log()))

    def enroll(self):
        r = self.ctl("enroll", "--central", "https://127.0.0.1:%d" % self.central.port,
                     "--token-file", self.token_file,
                     "--ca", os.path.join(self.central.dir, "ca.pem"))
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr + self.agent.read_log())
        return r.stdout

    # -- tests -----------------------------------------------------------------------
    def test_enroll_follow_sync_status_and_events(self):
        self.assertEqual(self.check("asmith")["reason"], "not_enrolled")
        out = self.enroll()
        self.checks = 0  # Decisions from now on go to the central too.
        self.assertIn("enrolled workstation SVC-03", out)
        self.assertIn("the agent reloaded", out)
        self.assertRegex(out, r"installed serial \d+|up to date")
        self.assertEqual(self.check("asmith")["reason"], "allowed")

        started = time.monotonic()
        self.central.admin_ok("employee", "terminate", "E1")
        self.wait_for(lambda: self.check("asmith")["reason"] == "terminated", what="terminated")
        print("  terminate took effect after %.0f ms" % ((time.monotonic() - started) * 1000))
        self.assertEqual(self.check("bjones")["reason"], "allowed")

        r = self.ctl("sync")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("up to date", r.stdout)
        r = self.ctl("status", "--json")
        self.assertEqual(r.returncode, 0, r.stderr)
        status = json.loads(r.stdout)
        self.assertTrue(status["enrolled"])
        self.assertTrue(status["central_reachable"])
        self.assertIn("last_sync", status)
        self.assertIn("outbox_depth", status)
        text = self.ctl("status").stdout
        self.assertRegex(text, r"central reachable: +yes")

        # Every decision reaches the central, once, with this workstation's name.
        def arrived():
            r = self.central.admin("events", "--since", "1h", "--json")
            if r.returncode != 0:
                return []
            return [e for e in json.loads(r.stdout)
                    if e.get("service") == "live-test" and e.get("workstation") == "SVC-03"]
        answered = self.checks
        try:
            self.wait_for(lambda: len(arrived()) >= answered, timeout=30, what="decision events")
        except AssertionError:
            r = self.central.admin("events", "--since", "1h", "--json")
            self.fail("events at the central: %s %s\nstatus: %s" % (r.stdout[-3000:], r.stderr,
                                                                    self.ctl("status").stdout))
        time.sleep(2.5)  # A duplicate would show up now.
        events = arrived()
        self.assertEqual(len(events), answered)
        self.assertEqual(len({e["id"] for e in events}), len(events))
        self.assertIn("terminated", {e.get("reason") for e in events})

    def test_status_sees_the_central_back_within_5_s_after_a_long_outage(self):
        self.enroll()

        def reachable():
            r = self.ctl("status", "--json")
            return r.returncode == 0 and json.loads(r.stdout)["central_reachable"]
        self.wait_for(reachable, what="central reachable")
        self.central.stop()
        self.wait_for(lambda: not reachable(), what="central unreachable")
        # Long enough for a 1-60 s exponential backoff to pass 5 s.
        time.sleep(16)
        self.central.start()
        back = time.monotonic()
        self.wait_for(reachable, timeout=5.0, what="central reachable within 5 s")
        print("  status saw the central back after %.1f s" % (time.monotonic() - back))
        self.assertEqual(self.check("asmith")["reason"], "allowed")

    def test_enroll_tls_failures_say_which_mistake(self):
        url = "https://127.0.0.1:%d" % self.central.port

        def enroll_with(ca):
            r = self.ctl("enroll", "--central", url, "--token-file", self.token_file, "--ca", ca)
            self.assertNotEqual(r.returncode, 0, r.stdout)
            return r.stderr
        missing = os.path.join(self.dir, "no-such-ca.pem")
        self.assertIn("cannot read the CA file %s" % missing, enroll_with(missing))
        other = "/etc/ssl/certs/ca-certificates.crt"
        if os.path.exists(other):
            self.assertIn("not signed by the CA in %s" % other, enroll_with(other))

    def test_unknown_command_lists_the_valid_ones(self):
        r = self.ctl("stauts")
        self.assertEqual(r.returncode, 2)
        self.assertRegex(r.stderr, r"^staffgatectl: unknown command 'stauts'; the commands are: "
                         r"status, check, .*enroll\n$")

    @unittest.skipUnless(ROOT and shutil.which("setpriv"), "needs root to run as nobody")
    def test_root_only_commands_say_they_need_root(self):
        for args in (["sessions"], ["sync"]):
            r = subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                                STAFFGATECTL, "--socket", self.socket] + args,
                               capture_output=True, text=True, timeout=30)
            self.assertEqual(r.returncode, 1, r.stdout)
            self.assertEqual(r.stderr.strip(),
                             "staffgatectl: forbidden: this command needs root (run it with sudo)")

    def test_sync_without_central_is_a_clear_error(self):
        r = self.ctl("sync")
        self.assertEqual(r.returncode, 1)
        self.assertIn("no central_url", r.stderr)

    def test_enroll_while_agent_down_then_start(self):
        self.agent.stop()
        r = self.ctl("enroll", "--central", "https://127.0.0.1:%d" % self.central.port,
                     "--token-file", self.token_file,
                     "--ca", os.path.join(self.central.dir, "ca.pem"))
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        # A stopped agent is a normal roll-out step, not a failure.
        self.assertEqual(r.stderr, "")
        self.assertIn("the agent is not running", r.stdout)
        self.assertIn("installed roster serial", r.stdout)
        self.agent.start()
        self.assertEqual(self.check("asmith")["reason"], "allowed")

    def test_enroll_takes_the_name_from_the_token_and_refuses_other_tokens(self):
        ca = os.path.join(self.central.dir, "ca.pem")
        url = "https://127.0.0.1:%d" % self.central.port
        with open(self.config) as f:
            before = f.read()
        # The admin token is not a workstation's: refused, nothing written.
        r = self.ctl("enroll", "--central", url, "--ca", ca,
                     "--token-file", os.path.join(self.central.dir, "admin.token"))
        self.assertNotEqual(r.returncode, 0, r.stdout)
        self.assertIn("not a workstation token", r.stderr)
        # Another workstation's name: refused, nothing written.
        r = self.ctl("enroll", "--central", url, "--ca", ca, "--token-file", self.token_file,
                     "--workstation", "SVC-04")
        self.assertNotEqual(r.returncode, 0, r.stdout)
        self.assertIn("knows this token as workstation SVC-03", r.stderr)
        with open(self.config) as f:
            self.assertEqual(f.read(), before)
        self.assertFalse(os.path.exists(self.config + ".d"))
        # A config naming another workstation: the central's name wins, in
        # the enrollment drop-in; the config file itself (a dpkg conffile
        # when packaged) is never rewritten.
        edited = before.replace('workstation = "SVC-03"', 'workstation = "PARTS-01"')
        with open(self.config, "w") as f:
            f.write(edited)
        self.enroll()
        with open(self.config) as f:
            self.assertEqual(f.read(), edited)
        with open(os.path.join(self.config + ".d", "50-enrollment.conf")) as f:
            dropin = f.read()
        self.assertIn('workstation = "SVC-03"', dropin)
        self.assertRegex(dropin, r'(?m)^central_url = "https://')
        # Every path written is absolute.
        for key in ("ca_file", "token_file"):
            self.assertRegex(dropin, r'(?m)^%s = "/' % key)
        self.assertRegex(dropin, r'(?m)^trusted_keys = \["/')
        self.assertRegex(self.ctl("status").stdout, r"workstation: +SVC-03")

    @unittest.skipUnless(ROOT, "ending another account's processes needs root")
    def test_revocation_ends_sessions_but_never_system_accounts(self):
        self.enroll()
        def spawn(uid):
            p = subprocess.Popen(["setpriv", "--reuid=%d" % uid, "--regid=%d" % uid,
                                  "--clear-groups", "sleep", "300"])
            self.procs.append(p)
            return p
        victim, bystander, system = spawn(UIDS["bjones"]), spawn(UIDS["asmith"]), spawn(UIDS["svcbackup"])
        time.sleep(0.2)
        started = time.monotonic()
        self.central.admin_ok("employee", "terminate", "E2")
        self.central.admin_ok("employee", "terminate", "E3")
        self.wait_for(lambda: victim.poll() is not None, timeout=20, what="bjones's process to end")
        print("  bjones's process ended %.0f ms after the terminate"
              % ((time.monotonic() - started) * 1000))
        self.wait_for(lambda: self.check("svcbackup")["reason"] == "exempt"
                      or "svcbackup" in open(os.path.join(self.dir, "audit.jsonl")).read(),
                      what="svcbackup seen")
        time.sleep(1.0)
        self.assertIsNone(system.poll(), "a system account's process was ended")
        self.assertIsNone(bystander.poll(), "an active employee's process was ended")
        with open(os.path.join(self.dir, "audit.jsonl")) as f:
            ended = [json.loads(l) for l in f if '"sessions_terminated"' in l]
        self.assertEqual([e["account"] for e in ended], ["bjones"])
        self.assertIn("ended the sessions of bjones", self.agent.read_log())


if __name__ == "__main__":
    sgtest.require_inputs("STAFFGATED", "STAFFGATECTL", "STAFFGATE_CENTRAL_BIN", "STAFFGATE_ADMIN_BIN")
    unittest.main(verbosity=2)
