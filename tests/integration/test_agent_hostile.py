"""Integration tests: one hostile local user against the real staffgated
(docs/design.md §4, §13). The attacker is a real non-root uid (nobody, whose
account here is "selfie") running tests/integration/hostile_client.py; the
victims are root's checks and session_opens, as sshd, login and gdm make
them. Every test needs root to run a client as another uid; it skips
otherwise.

Environment: STAFFGATED, STAFFGATECTL, NSS_WRAPPER_LIB.
"""

import json
import os
import socket
import subprocess
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import agenttest as at  # noqa: E402
from agenttest import IS_ROOT, NOBODY, World, check  # noqa: E402

PYTHON = "/usr/bin/python3"  # sys.executable may sit in a home nobody cannot enter
with open(os.path.join(HERE, "hostile_client.py")) as _f:
    HOSTILE = _f.read()
# The module's deadline (docs/design.md §5): a slower answer is a failed login.
MODULE_DEADLINE_S = 2.0


def setUpModule():
    at.require_binaries()


def as_nobody(*args, **kwargs):
    return subprocess.Popen([PYTHON, "-c", HOSTILE] + [str(a) for a in args], user=NOBODY,
                            group=NOBODY, extra_groups=[], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, **kwargs)


def run_as_nobody(*args):
    p = as_nobody(*args)
    out, err = p.communicate(timeout=120)
    if p.returncode != 0:
        raise AssertionError("hostile client failed: " + err.decode())
    return json.loads(out.decode().splitlines()[-1])


def session_open(account, sid, pid):
    return {"v": 1, "op": "session_open", "account": account, "session": sid,
            "service": "sshd", "tty": "pts/3", "pid": pid}


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@unittest.skipUnless(IS_ROOT, "needs root to run a client as nobody")
@unittest.skipUnless(os.access(PYTHON, os.X_OK), "no system python3 to run as nobody")
class HostileUserTest(unittest.TestCase):
    def setUp(self):
        self.world = World()
        self.agent = self.world.agent("main", serial=10)
        self.agent.start()
        self.sock = self.agent.socket_path

    def tearDown(self):
        self.agent.stop()
        self.world.remove()

    def status(self):
        return at.ask(self.sock, {"v": 1, "op": "status"})

    def listed(self):
        return {s["session"]: s for s in at.ask(self.sock, {"v": 1, "op": "sessions"})["sessions"]}

    def test_one_uid_holding_1100_connections_does_not_block_root(self):
        flood = as_nobody("flood", self.sock, 1100, 12)
        try:
            self.assertEqual(flood.stdout.readline().strip(), b"ready")
            failures = []
            for i in range(20):
                try:
                    r = at.ask(self.sock, check("asmith", service="sshd"), MODULE_DEADLINE_S)
                    if not (r and r.get("ok") and r.get("decision") == "allow"):
                        failures.append(r)
                except OSError as e:
                    failures.append(repr(e))
                time.sleep(0.25)
            self.assertEqual(failures, [], "root's checks failed while nobody flooded")
        finally:
            out, err = flood.communicate(timeout=60)
        counts = json.loads(out.decode().splitlines()[-1])
        # The flood reached the agent and was turned away there.
        self.assertGreater(counts["busy"], 0, counts)
        # Nobody's own requests still work, within its share.
        self.assertTrue(run_as_nobody("sessions", self.sock, 1, "self", "selfie"))

    def test_fd_limit_reached_without_spinning_or_flooding_the_log(self):
        pid = self.agent.proc.pid
        subprocess.run(["prlimit", "--pid", str(pid), "--nofile=96:96"], check=True)
        log_before = len(self.agent.read_log().splitlines())
        cpu_before = cpu_seconds(pid)
        held = []
        try:
            for _ in range(300):
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.settimeout(5)
                s.connect(self.sock)
                held.append(s)
            time.sleep(3)
            cpu = cpu_seconds(pid) - cpu_before
        finally:
            for s in held:
                s.close()
        lines = self.agent.read_log().splitlines()[log_before:]
        self.assertLess(cpu, 1.0, "the agent spun at the fd limit")
        self.assertLess(len(lines), 20, "\n".join(lines[:20]))
        r = at.wait_until(lambda: at.ask(self.sock, check("asmith"), MODULE_DEADLINE_S), 10)
        self.assertEqual(r["decision"], "allow")

    def test_session_pid_must_be_the_callers_own(self):
        before = self.status()["sessions"]
        counts = run_as_nobody("sessions", self.sock, 3, 1, "selfie")
        self.assertEqual(counts, {"forbidden": 3})
        self.assertEqual(self.status()["sessions"], before)
        self.assertEqual(run_as_nobody("sessions", self.sock, 1, "self", "selfie"), {"allow": 1})
        self.assertEqual(self.status()["sessions"], before + 1)

    def test_session_flood_never_lets_a_login_in_untracked(self):
        counts = run_as_nobody("sessions", self.sock, 10000, 1, "selfie")
        self.assertNotIn("allow", counts)
        counts = run_as_nobody("sessions", self.sock, 10000, "self", "selfie")
        self.assertLess(counts.get("allow", 0), 1000, counts)
        self.assertEqual(sum(counts.values()), 10000)
        # A real login (root runs the module) is still tracked.
        before = self.status()["sessions"]
        r = at.ask(self.sock, session_open("asmith", "a" * 32, os.getpid()))
        self.assertEqual(r.get("decision"), "allow", r)
        self.assertEqual(self.status()["sessions"], before + 1)
        self.assertIn("a" * 32, self.listed())

    def test_session_id_of_another_user_is_not_overwritten(self):
        sid = "victim-0"
        r = at.ask(self.sock, session_open("asmith", sid, os.getpid()))
        self.assertEqual(r.get("decision"), "allow", r)
        counts = run_as_nobody("sessions", self.sock, 1, "self", "selfie", "victim")
        self.assertNotIn("allow", counts)
        record = self.listed()[sid]
        self.assertEqual((record["account"], record["pid"]), ("asmith", os.getpid()))

    def test_restart_does_not_bring_back_a_full_table(self):
        # The table as the pid-1 flood left it before the fix, then a restart.
        self.agent.stop()
        with open("/proc/sys/kernel/random/boot_id") as f:
            boot = f.read().strip()
        sessions = [{"id": "%032x" % i, "account": "selfie", "service": "login", "tty": "tty9",
                     "pid": 1, "opened_at": int(time.time()), "opener_uid": NOBODY}
                    for i in range(10000)]
        self.world.write("main-state/sessions.json",
                         json.dumps({"boot_id": boot, "sessions": sessions}).encode())
        self.agent.start()
        self.assertTrue(at.wait_until(lambda: "restored" in self.agent.read_log(), 10))
        self.assertLess(self.status()["sessions"], 100)
        before = self.status()["sessions"]
        r = at.ask(self.sock, session_open("asmith", "b" * 32, os.getpid()))
        self.assertEqual(r.get("decision"), "allow", r)
        self.assertEqual(self.status()["sessions"], before + 1)


if __name__ == "__main__":
    unittest.main(verbosity=2)
