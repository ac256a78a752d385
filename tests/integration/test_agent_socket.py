"""Integration tests: the real staffgated and staffgatectl over the real
socket (docs/design.md §3-§5): decisions, framing, caps, idle close, ctl output
and exit codes, audit lines, sessions and the caller rules.

Environment: STAFFGATED, STAFFGATECTL, NSS_WRAPPER_LIB. Runs as any user;
tests that need a second uid (a client as `nobody`) or a root ctl skip
when not root.
"""

import json
import os
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import agenttest as at  # noqa: E402
from agenttest import IS_ROOT, NOBODY, STAFFGATECTL, WORKSTATION, World, check  # noqa: E402


def setUpModule():
    at.require_binaries()


class SharedAgentTest(unittest.TestCase):
    """Tests against one agent started with a cached roster (serial 10)."""

    @classmethod
    def setUpClass(cls):
        cls.world = World()
        cls.agent = cls.world.agent("main", serial=10)
        try:
            cls.agent.start()
        except BaseException:
            cls.world.remove()
            raise
        cls.sock = cls.agent.socket_path

    @classmethod
    def tearDownClass(cls):
        cls.agent.stop()
        cls.world.remove()

    def test_decisions_over_the_socket(self):
        expect = {"asmith": ("allow", "allowed"), "bjones": ("deny", "terminated"),
                  "csmith": ("deny", "suspended"), "dlee": ("deny", "not_permitted_here"),
                  "ereset": ("reset_required", "credentials_reset_required"),
                  "sales": ("deny", "shared_account"), "stranger": ("deny", "unknown_account"),
                  "root": ("ignore", "exempt"), "sysacct": ("ignore", "exempt")}
        for phase in ("auth", "account", "session"):
            for account, (decision, reason) in expect.items():
                with self.subTest(account=account, phase=phase):
                    if not IS_ROOT and account in ("root", "sysacct"):
                        continue  # other uids: a non-root caller may not ask
                    r = at.ask(self.sock, check(account, phase))
                    self.assertTrue(r["ok"], r)
                    self.assertEqual((r["decision"], r["reason"]), (decision, reason))
                    if reason != "exempt":
                        self.assertEqual(r["serial"], 10)
        r = at.ask(self.sock, check("bjones"))
        self.assertEqual(r["message"],
                         "This account has been deactivated. Please contact your manager.")

    def test_malformed_requests_keep_the_connection(self):
        c = at.Conn(self.sock)
        try:
            for line in (b"garbage", b"[1,2]", b'{"v":1,"op":"check","account":7}',
                         b'{"v":1,"op":"check"}', b'{"v":1,"op":"session_open","account":"a"}',
                         b'{"v":1,"op":"nope"}', b'{"op":"status"}', b'{"v":1,"v":1}'):
                with self.subTest(line=line):
                    c.send(line + b"\n")
                    r = c.read_json()
                    self.assertEqual((r["ok"], r["error"]), (False, "bad_request"), r)
            # The same connection still answers.
            self.assertEqual(c.request({"v": 1, "op": "status"})["ok"], True)
        finally:
            c.close()

    def test_oversized_line_gets_an_error_and_is_closed(self):
        c = at.Conn(self.sock)
        try:
            c.send(b'{"v":1,"op":"check","account":"' + b"a" * (70 * 1024) + b'"}\n')
            r = c.read_json()
            self.assertEqual(r["error"], "bad_request")
            self.assertIn("longer than", r["message"])
            self.assertTrue(c.at_eof())
        finally:
            c.close()

    def test_several_requests_per_connection(self):
        c = at.Conn(self.sock)
        try:
            lines = b"".join((json.dumps(check(a)) + "\n").encode()
                             for a in ("asmith", "bjones", "csmith"))
            c.send(lines)  # pipelined in one write
            reasons = [c.read_json()["reason"] for _ in range(3)]
            self.assertEqual(reasons, ["allowed", "terminated", "suspended"])
            self.assertEqual(c.request(check("asmith"))["decision"], "allow")
        finally:
            c.close()

    def test_checks_named_like_slow_ops_stay_on_the_fast_path(self):
        """Routing is by the parsed op, so a check whose account, service or
        tty is "sync" is answered on the fast path; and roster_install of a
        FIFO is refused at once instead of holding the slow worker."""
        fifo = os.path.join(self.world.tmp, "stuck-roster.dsse")
        os.mkfifo(fifo)
        start = time.monotonic()
        r = at.ask(self.sock, {"v": 1, "op": "roster_install", "path": fifo}, timeout=5)
        self.assertLess(time.monotonic() - start, 3)
        self.assertEqual((r["ok"], r["error"]), (False, "rejected"), r)
        self.assertIn("not a regular file", r["message"])
        for request in (check("sync"), check("asmith", service="sync"),
                        check("asmith", tty="sync", rhost="reload")):
            with self.subTest(request=request):
                start = time.monotonic()
                r = at.ask(self.sock, request, timeout=3)
                self.assertIsNotNone(r)
                self.assertNotEqual(r.get("error"), "bad_request", r)
                self.assertLess(time.monotonic() - start, 3)

    def test_idle_connection_is_closed(self):
        c = at.Conn(self.sock, timeout=15)
        try:
            self.assertTrue(c.request({"v": 1, "op": "status"})["ok"])
            start = time.monotonic()
            self.assertTrue(c.at_eof())  # bounded by the 15 s socket timeout
            self.assertGreater(time.monotonic() - start, 3.0)
        finally:
            c.close()

    def test_ctl_check_exit_codes_and_output(self):
        if not IS_ROOT:
            self.skipTest("the ctl asks about several accounts: needs root")
        for account, rc in (("asmith", 0), ("root", 0), ("bjones", 1), ("ereset", 1),
                            ("stranger", 1)):
            with self.subTest(account=account):
                code, out, err = self.world.ctl(self.agent, "check", account)
                self.assertEqual(code, rc, out + err)
        code, out, _ = self.world.ctl(self.agent, "check", "bjones")
        self.assertIn("terminated", out)
        self.assertIn("This account has been deactivated.", out)
        code, out, _ = self.world.ctl(self.agent, "check", "csmith", "--phase", "auth",
                                      "--service", "gdm-password", "--json")
        self.assertEqual(code, 1)
        self.assertEqual(json.loads(out)["reason"], "suspended")
        code, _, _ = self.world.ctl(self.agent, "check", "asmith", "--phase", "lunch")
        self.assertEqual(code, 2)
        code, _, _ = self.world.ctl(self.agent, "frobnicate")
        self.assertEqual(code, 2)
        p = subprocess.run([STAFFGATECTL, "--socket", os.path.join(self.world.tmp, "none.sock"),
                            "check", "asmith"], capture_output=True, timeout=30)
        self.assertEqual(p.returncode, 3)
        self.assertIn(b"unreachable", p.stderr)

    def test_ctl_status(self):
        code, out, err = self.world.ctl(self.agent, "status", "--json")
        self.assertEqual(code, 0, err)
        status = json.loads(out)
        self.assertTrue(status["enrolled"])
        self.assertEqual(status["workstation"], WORKSTATION)
        self.assertEqual(status["roster"]["state"], "valid")
        self.assertGreaterEqual(status["serial"], 10)
        code, out, _ = self.world.ctl(self.agent, "status")
        self.assertEqual(code, 0)
        self.assertIn("roster serial:", out)
        p = subprocess.run([STAFFGATECTL, "--socket", os.path.join(self.world.tmp, "none.sock"),
                            "status"], capture_output=True, timeout=30)
        self.assertEqual(p.returncode, 3)

    def test_audit_lines(self):
        at.ask(self.sock, check("csmith", tty="pts/7", rhost="10.9.8.7"))
        path = self.agent.values["audit_log"]

        def found():
            return [e for e in at.read_events(path) if e.get("tty") == "pts/7"]
        events = at.wait_until(found, 5)
        self.assertTrue(events)
        e = events[-1]
        for key in ("id", "time", "workstation", "type", "account", "phase", "service", "tty",
                    "rhost", "decision", "reason", "serial"):
            self.assertIn(key, e)
        self.assertEqual((e["type"], e["account"], e["decision"], e["reason"]),
                         ("decision", "csmith", "deny", "suspended"))
        ids = [e["id"] for e in at.read_events(path)]
        self.assertEqual(len(ids), len(set(ids)))
        types = {e["type"] for e in at.read_events(path)}
        self.assertIn("agent_start", types)

    def test_sessions(self):
        if not IS_ROOT:
            self.skipTest("`staffgatectl sessions` is root only")
        # This process stands for the session: the agent closes sessions
        # whose process is gone, as a made-up pid would be at any moment.
        r = at.ask(self.sock, {"v": 1, "op": "session_open", "account": "asmith",
                               "session": "int-s1", "service": "login", "tty": "tty3",
                               "pid": os.getpid()})
        self.assertEqual(r["decision"], "allow")
        code, out, err = self.world.ctl(self.agent, "sessions", "--json")
        self.assertEqual(code, 0, err)
        listed = [s for s in json.loads(out)["sessions"] if s["session"] == "int-s1"]
        self.assertEqual(listed[0]["tty"], "tty3")
        code, out, _ = self.world.ctl(self.agent, "sessions")
        self.assertIn("asmith", out)
        r = at.ask(self.sock, {"v": 1, "op": "session_close", "session": "int-s1"})
        self.assertTrue(r["closed"])

    def test_caller_rules_for_a_non_root_client(self):
        if not IS_ROOT:
            self.skipTest("needs root to run a client as nobody")
        python = "/usr/bin/python3"  # sys.executable may sit in a home nobody cannot enter
        if not os.access(python, os.X_OK):
            self.skipTest("no system python3 to run as nobody")
        script = ("import json,socket,sys\n"
                  "s=socket.socket(socket.AF_UNIX);s.settimeout(10);s.connect(sys.argv[1])\n"
                  "for a in sys.argv[2:]:\n"
                  "  s.sendall((json.dumps({'v':1,'op':'check','account':a})+'\\n').encode())\n"
                  "f=s.makefile('rb')\n"
                  "for a in sys.argv[2:]: print(f.readline().decode().strip())\n"
                  "s.sendall(b'{\"v\":1,\"op\":\"sessions\"}\\n');print(f.readline().decode().strip())\n"
                  "s.sendall(b'{\"v\":1,\"op\":\"status\"}\\n');print(f.readline().decode().strip())\n")
        p = subprocess.run([python, "-c", script, self.sock, "selfie", "asmith", "bjones",
                            "stranger", "root"], user=NOBODY, group=NOBODY, extra_groups=[],
                           capture_output=True, timeout=30)
        self.assertEqual(p.returncode, 0, p.stderr)
        answers = [json.loads(line) for line in p.stdout.decode().splitlines()]
        self.assertEqual(answers[0]["reason"], "allowed")  # itself
        forbidden = {"v": 1, "ok": False, "error": "forbidden",
                     "message": answers[1].get("message")}
        for a in answers[1:6]:  # others, unknown, root, sessions: identical bare answers
            self.assertEqual(a, forbidden)
        self.assertTrue(answers[6]["ok"])  # status is for everyone
        code, out, err = self.world.ctl(self.agent, "check", "asmith", user=NOBODY)
        self.assertEqual(code, 1)
        self.assertEqual(err, "staffgatectl: forbidden: only root may ask about another account\n")
        self.assertNotIn("allow", out + err)


if __name__ == "__main__":
    unittest.main(verbosity=2)
