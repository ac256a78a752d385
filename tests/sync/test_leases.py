#!/usr/bin/env python3
"""One person, one workstation (docs/design.md §3 row 9): two real agents (SVC-A, SVC-B,
two state dirs) enrolled with one real central over HTTPS, session leases
through the socket protocol and through pamtester + pam_staffgate.so.

Inputs: STAFFGATED, STAFFGATECTL, STAFFGATE_MODULE, STAFFGATE_CENTRAL_BIN,
STAFFGATE_ADMIN_BIN (tests/lib/README.md)
"""

import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))

import sgtest  # noqa: E402
from centraltest import ADMIN, CENTRAL, Central  # noqa: E402

STAFFGATED = sgtest.tier_input("STAFFGATED")
STAFFGATECTL = sgtest.tier_input("STAFFGATECTL")
MODULE = sgtest.tier_input("STAFFGATE_MODULE")
TTL_S = 3
ROOT = os.getuid() == 0
ASMITH_UID = 2001 if ROOT else os.getuid()


class Workstation:
    def __init__(self, test, name, on_revoke="none"):
        self.name = name
        self.dir = os.path.join(test.dir, name)
        os.mkdir(self.dir)
        os.chmod(self.dir, 0o755)
        self.socket = os.path.join(self.dir, "agent.sock")
        self.config = os.path.join(self.dir, "agent.conf")
        self.audit = os.path.join(self.dir, "audit.jsonl")
        with open(self.config, "w") as f:
            f.write('workstation = "%s"\nsocket = "%s"\nstate_dir = "%s"\naudit_log = "%s"\n'
                    'min_uid = %d\non_revoke = "%s"\n'
                    % (name, self.socket, os.path.join(self.dir, "state"), self.audit,
                       min(1000, ASMITH_UID), on_revoke))
        token = test.central.admin_ok("workstation", "add", name).strip()
        self.token_file = os.path.join(self.dir, "token")
        sgtest.write_secret(self.token_file, token)
        self.agent = sgtest.Agent(STAFFGATED, self.config, self.socket, env=test.nss_env)
        self.agent.start()
        r = subprocess.run([STAFFGATECTL, "--config", self.config, "enroll", "--central",
                            test.central_url, "--token-file", self.token_file, "--ca",
                            os.path.join(test.central.dir, "ca.pem")],
                           capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stdout + r.stderr + self.agent.read_log()
        services = os.path.join(self.dir, "services")
        os.mkdir(services)
        args = ["socket=" + self.socket, "agent_uid=%d" % os.getuid(),
                "min_uid=%d" % min(1000, ASMITH_UID)]
        with open(os.path.join(services, "sg"), "w") as f:
            f.write(sgtest.pam_service_text(MODULE, args))
        self.pam_env = dict(test.nss_env, LD_PRELOAD=sgtest.preload("libpam_wrapper.so",
                                                                    "libnss_wrapper.so"),
                            PAM_WRAPPER="1", PAM_WRAPPER_SERVICE_DIR=services)

    def ask(self, request):
        return sgtest.ask_agent(self.socket, dict(request, v=1))

    def open(self, account, pid):
        sid = secrets.token_hex(16)
        answer = self.ask({"op": "session_open", "account": account, "session": sid,
                           "service": "login", "tty": "tty1", "pid": pid})
        return answer, sid

    def close(self, sid):
        return self.ask({"op": "session_close", "session": sid})

    def audit_types(self):
        with open(self.audit) as f:
            return [json.loads(line)["type"] for line in f]


def start_central(test):
    """A real central with a TTL_S lease lifetime and employee E1 (asmith), on test.central."""
    test.dir = tempfile.mkdtemp(prefix="sg-lease-")
    os.chmod(test.dir, 0o755)
    test.central = Central(test.dir)
    conf = os.path.join(test.central.dir, "central.conf")
    with open(conf) as f:
        text = f.read()
    with open(conf, "w") as f:
        f.write(text.replace("lease_ttl_s = 90", "lease_ttl_s = %d" % TTL_S))
    test.central.start()
    test.central_url = "https://127.0.0.1:%d" % test.central.port
    test.central.admin_ok("employee", "add", "E1", "--account", "asmith")
    test.nss_env = sgtest.nss_wrapper_env(test.dir, {"asmith": ASMITH_UID})
    test.procs = []


def login(test, ws):
    """A session of asmith on `ws` through the socket: a process of the
    account's uid (as root) stands for it. Returns (process, session id)."""
    cmd = ["sleep", "300"]
    if ROOT:
        cmd = ["setpriv", "--reuid=%d" % ASMITH_UID, "--regid=%d" % ASMITH_UID,
               "--clear-groups"] + cmd
    proc = subprocess.Popen(cmd)
    test.procs.append(proc)
    answer, sid = ws.open("asmith", proc.pid)
    test.assertEqual(answer["decision"], "allow", answer)
    return proc, sid


def stop_all(test, workstations):
    """Undoes start_central and the Workstations: processes, agents, central, files."""
    for p in test.procs:
        if p.poll() is None:
            p.kill()
            p.wait()
    for ws in workstations:
        ws.agent.stop()
    test.central.stop()
    shutil.rmtree(test.dir, ignore_errors=True)


@unittest.skipUnless(CENTRAL and ADMIN, "STAFFGATE_CENTRAL_BIN and STAFFGATE_ADMIN_BIN needed")
class LeaseTest(unittest.TestCase):
    def setUp(self):
        start_central(self)
        self.a = Workstation(self, "SVC-A")
        self.b = Workstation(self, "SVC-B")

    def tearDown(self):
        stop_all(self, (self.a, self.b))

    def holder(self):
        """A process standing for a logged-in session (its pid is sent)."""
        p = subprocess.Popen(["sleep", "300"])
        self.procs.append(p)
        return p

    def wait_for(self, predicate, timeout, what):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return
            time.sleep(0.05)
        self.fail("timed out waiting for %s\nA:\n%s\nB:\n%s"
                  % (what, self.a.agent.read_log(), self.b.agent.read_log()))

    def b_admitted(self):
        answer, sid = self.b.open("asmith", self.holder().pid)
        if answer.get("decision") == "allow":
            self.b.close(sid)
            return True
        return False

    # -- tests -----------------------------------------------------------------------
    def test_second_workstation_refused_with_the_first_ones_name(self):
        answer, sid = self.a.open("asmith", self.holder().pid)
        self.assertEqual(answer["decision"], "allow", answer)
        refused, _ = self.b.open("asmith", self.holder().pid)
        self.assertEqual((refused["decision"], refused["reason"]), ("deny", "in_use_elsewhere"))
        self.assertEqual(refused["message"], "You are signed in on SVC-A. Sign out there first.")
        # The same through the real module: the person sees the sentence.
        rc, out, err, _ = sgtest.pamtester("sg", "asmith", ["open_session"], self.b.pam_env,
                                           items={"tty": "tty2"})
        self.assertNotEqual(rc, 0, out + err)
        self.assertIn("You are signed in on SVC-A. Sign out there first.", out + err)
        self.assertIn("lease_refused", self.b.audit_types())
        # A signs out: B gets in at once.
        started = time.monotonic()
        self.assertTrue(self.a.close(sid)["closed"])
        self.wait_for(self.b_admitted, 5, "B admitted after A signed out")
        print("  B admitted %.0f ms after A's close_session" % ((time.monotonic() - started) * 1000))
        self.wait_for(lambda: "lease_released" in self.a.audit_types(), 5, "A's lease_released event")

    def test_same_account_twice_on_one_workstation_shares_one_lease(self):
        first, sid1 = self.a.open("asmith", self.holder().pid)
        second, sid2 = self.a.open("asmith", self.holder().pid)
        self.assertEqual((first["decision"], second["decision"]), ("allow", "allow"))
        leases = json.loads(self.central.admin_ok("sessions", "--json"))
        self.assertEqual([(l["account"], l["workstation"]) for l in leases], [("asmith", "SVC-A")])
        listed = self.a.ask({"op": "sessions"})
        self.assertEqual(len(listed["sessions"]), 2)
        self.assertEqual({s.get("lease") for s in listed["sessions"]}, {leases[0]["id"]})
        r = subprocess.run([STAFFGATECTL, "--config", self.a.config, "sessions"],
                           capture_output=True, text=True, timeout=30)
        self.assertIn(leases[0]["id"], r.stdout)
        self.a.close(sid1)
        time.sleep(1.5)
        self.assertFalse(self.b_admitted(), "one of A's two sessions still runs")
        self.a.close(sid2)
        self.wait_for(self.b_admitted, 5, "B admitted after A's last session")

    def test_killed_agent_holds_until_the_ttl_lapses(self):
        answer, _ = self.a.open("asmith", self.holder().pid)
        self.assertEqual(answer["decision"], "allow")
        time.sleep(TTL_S + 1)  # Renewals keep it past one TTL while A lives.
        self.assertFalse(self.b_admitted(), "A's lease lapsed although A renews it")
        self.a.agent.proc.send_signal(signal.SIGKILL)
        self.a.agent.proc.wait(timeout=10)
        killed = time.monotonic()
        self.assertFalse(self.b_admitted())
        self.wait_for(self.b_admitted, TTL_S + 5, "the dead workstation's lease to lapse")
        print("  B admitted %.1f s after A was killed (TTL %d s)" % (time.monotonic() - killed, TTL_S))

    def test_restarted_agent_keeps_its_sessions_and_lease(self):
        answer, sid = self.a.open("asmith", self.holder().pid)
        self.assertEqual(answer["decision"], "allow")
        self.a.agent.stop()  # SIGTERM: an upgrade or a restart by systemd.
        self.a.agent.start()
        self.assertIn("restored 1 open session", self.a.agent.read_log())
        listed = self.a.ask({"op": "sessions"})
        self.assertEqual([s["session"] for s in listed["sessions"]], [sid])
        time.sleep(TTL_S + 2)  # Past the TTL: only renewals keep the lease.
        self.assertFalse(self.b_admitted(), "the restarted agent stopped renewing")
        self.assertTrue(self.a.close(sid)["closed"])
        self.wait_for(self.b_admitted, 5, "B admitted after the restored session closed")

    def test_policy_two_lets_both_in(self):
        self.central.admin_ok("policy", "set", "max-workstations-per-account", "2")
        self.assertEqual(self.a.open("asmith", self.holder().pid)[0]["decision"], "allow")
        self.assertEqual(self.b.open("asmith", self.holder().pid)[0]["decision"], "allow")

    def test_session_whose_process_ended_releases_its_lease(self):
        proc = self.holder()
        self.assertEqual(self.a.open("asmith", proc.pid)[0]["decision"], "allow")
        self.assertFalse(self.b_admitted())
        proc.kill()
        proc.wait()
        self.wait_for(self.b_admitted, 5, "the lease of a session whose process ended")
        with open(self.a.audit) as f:
            self.assertIn("ended without close_session", f.read())

    def test_central_down_at_session_open(self):
        # The default; a site drop-in (applied after enroll's) turns it to deny.
        with open(os.path.join(self.b.config + ".d", "90-site.conf"), "w") as f:
            f.write('lease_unreachable = "deny"\n')
        answer = self.b.ask({"op": "reload"})
        self.assertTrue(answer["ok"], answer)
        self.central.stop()
        t0 = time.monotonic()
        allowed, _ = self.a.open("asmith", self.holder().pid)
        self.assertEqual((allowed["decision"], allowed["reason"]), ("allow", "allowed"))
        refused, _ = self.b.open("asmith", self.holder().pid)
        self.assertEqual((refused["decision"], refused["reason"]), ("deny", "lease_unverified"))
        self.assertIn("central service is unreachable", refused["message"])
        self.assertLess(time.monotonic() - t0, 3.0)
        self.assertIn("lease_unverified", self.a.audit_types())
        self.assertIn("lease_unverified", self.b.audit_types())


if __name__ == "__main__":
    sgtest.require_inputs("STAFFGATED", "STAFFGATECTL", "STAFFGATE_MODULE", "STAFFGATE_CENTRAL_BIN",
                          "STAFFGATE_ADMIN_BIN")
    unittest.main(verbosity=2)
