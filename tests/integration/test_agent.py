"""Integration tests: the real staffgated and staffgatectl over the real
socket, under nss_wrapper (DESIGN.md §2-§5).

Environment: STAFFGATED, STAFFGATECTL (binaries), NSS_WRAPPER_LIB.
Runs as any user; the caller-rule test needs root (it runs a client as
`nobody`) and the agent-side `roster install` needs the ctl to run as root
(otherwise the agent rightly answers forbidden), so those skip when not root.
"""

import datetime
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import agenttest as at  # noqa: E402

STAFFGATED = os.environ.get("STAFFGATED", "")
STAFFGATECTL = os.environ.get("STAFFGATECTL", "")
NSS_WRAPPER_LIB = os.environ.get("NSS_WRAPPER_LIB", "")
IS_ROOT = os.getuid() == 0
NOBODY = 65534
WORKSTATION = "SVC-03"

EMPLOYEES = [
    {"id": "E1001", "status": "active", "accounts": ["asmith"], "groups": ["*"]},
    {"id": "E1002", "status": "terminated", "accounts": ["bjones"], "groups": ["sales"]},
    {"id": "E1003", "status": "suspended", "accounts": ["csmith"]},
    {"id": "E1004", "status": "active", "accounts": ["dlee"], "groups": ["parts"]},
    {"id": "E1005", "status": "active", "accounts": ["ereset"]},
    {"id": "E1006", "status": "active", "accounts": ["selfie"]},
]


class World:
    """A temp dir with nss_wrapper files, a signing key and agent configs."""

    def __init__(self):
        self.tmp = tempfile.mkdtemp(prefix="sgint-")
        os.chmod(self.tmp, 0o755)  # a client running as nobody must reach the socket
        uid = os.getuid()
        # Root: real distinct uids. Non-root: the agent answers a non-root
        # caller only about accounts carrying its own uid, so all share it.
        self.min_uid = 1000 if IS_ROOT else uid
        names = ["asmith", "bjones", "csmith", "dlee", "ereset", "sales", "stranger"]
        self.uids = {n: (2001 + i if IS_ROOT else uid) for i, n in enumerate(names)}
        self.uids["selfie"] = NOBODY if IS_ROOT else uid
        today = at.now_utc()
        passwd, shadow = ["root:x:0:0:root:/root:/bin/sh"], []
        for name, u in self.uids.items():
            passwd.append("%s:x:%d:%d::/nonexistent:/bin/sh" % (name, u, u))
            changed = today - datetime.timedelta(days=30 if name == "ereset" else 0)
            shadow.append("%s:!:%d:0:99999:7:::" % (name, at.days_since_epoch(changed)))
        if self.min_uid > 0:
            passwd.append("sysacct:x:%d:%d::/:/bin/sh" % (self.min_uid - 1, self.min_uid - 1))
        self.files = {}
        for name, lines in (("passwd", passwd), ("group", ["root:x:0:"]), ("shadow", shadow)):
            self.files[name] = os.path.join(self.tmp, name)
            with open(self.files[name], "w") as f:
                f.write("\n".join(lines) + "\n")
        self.key = at.SigningKey(self.tmp)
        self.env = dict(os.environ, LD_PRELOAD=NSS_WRAPPER_LIB,
                        NSS_WRAPPER_PASSWD=self.files["passwd"],
                        NSS_WRAPPER_GROUP=self.files["group"],
                        NSS_WRAPPER_SHADOW=self.files["shadow"])
        self.reset_after = at.rfc3339(today - datetime.timedelta(days=9))

    def employees(self, **status):
        out = []
        for e in EMPLOYEES:
            e = dict(e)
            if e["id"] == "E1005":
                e["credentials_reset_after"] = self.reset_after
            if e["accounts"][0] in status:
                e["status"] = status[e["accounts"][0]]
            out.append(e)
        return out

    def envelope(self, serial, lifetime=datetime.timedelta(days=7), issued=None, **status):
        payload = at.roster_payload(self.employees(**status), serial, shared=["sales"],
                                    workstations={WORKSTATION: {"groups": ["service"]}},
                                    issued=issued, lifetime=lifetime)
        return self.key.sign_envelope(payload)

    def write(self, name, data):
        path = os.path.join(self.tmp, name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def agent(self, name, serial=None, **overrides):
        """Config + state for one agent; returns an (unstarted) at.Agent."""
        base = os.path.join(self.tmp, name)
        os.makedirs(base + "-state", exist_ok=True)
        if serial is not None:
            self.write(name + "-state/roster.dsse", self.envelope(serial))
        values = dict(workstation=WORKSTATION, trusted_keys=[self.key.pub],
                      socket=os.path.join(base + "-run", "agent.sock"),
                      state_dir=base + "-state", audit_log=base + "-audit.jsonl",
                      exempt_accounts=["root"], min_uid=self.min_uid,
                      unknown_accounts="deny", on_revoke="none")
        values.update(overrides)
        config = base + ".conf"
        at.write_config(config, **values)
        agent = at.Agent(STAFFGATED, config, values["socket"], self.env)
        agent.values = values
        return agent

    def ctl(self, agent, *args, user=None, timeout=60):
        cmd = [STAFFGATECTL, "--config", agent.config] + list(args)
        kwargs = {}
        if user is not None:
            kwargs.update(user=user, group=user, extra_groups=[])
        p = subprocess.run(cmd, capture_output=True, timeout=timeout, **kwargs)
        return p.returncode, p.stdout.decode(), p.stderr.decode()

    def remove(self):
        shutil.rmtree(self.tmp, ignore_errors=True)


def setUpModule():
    missing = [n for n, v in (("STAFFGATED", STAFFGATED), ("STAFFGATECTL", STAFFGATECTL),
                              ("NSS_WRAPPER_LIB", NSS_WRAPPER_LIB)) if not os.path.exists(v)]
    if missing or not shutil.which("openssl"):
        raise unittest.SkipTest("needs %s and openssl" % ", ".join(missing))


def check(account, phase="account", **extra):
    return dict({"v": 1, "op": "check", "phase": phase, "account": account,
                 "service": "sshd"}, **extra)


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
        r = at.ask(self.sock, {"v": 1, "op": "session_open", "account": "asmith",
                               "session": "int-s1", "service": "login", "tty": "tty3",
                               "pid": 4242})
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
        self.assertIn("forbidden", err)
        self.assertNotIn("allow", out + err)


class OwnAgentTest(unittest.TestCase):
    """Tests that start, reload, stop or feed their own agent."""

    def setUp(self):
        self.world = World()
        self.agents = []

    def tearDown(self):
        for a in self.agents:
            a.stop()
        self.world.remove()

    def start(self, name, **kwargs):
        agent = self.world.agent(name, **kwargs)
        self.agents.append(agent)
        agent.start()
        return agent

    def test_roster_install_through_the_agent(self):
        if not IS_ROOT:
            self.skipTest("roster_install is root only")
        agent = self.start("inst", serial=10)
        w = self.world

        def install(name, data):
            return w.ctl(agent, "roster", "install", w.write(name, data))
        code, out, err = install("r12.dsse", w.envelope(12, asmith="suspended"))
        self.assertEqual(code, 0, err)
        self.assertIn("12", out)
        self.assertEqual(at.ask(agent.socket_path, check("asmith"))["reason"], "suspended")
        code, out, _ = install("r12b.dsse", w.envelope(12))
        self.assertEqual(code, 0)
        self.assertIn("no change", out)
        for name, data, kind in (
                ("r11.dsse", w.envelope(11), "rollback"),
                ("exp.dsse", w.envelope(13, issued=at.now_utc() - datetime.timedelta(days=9)),
                 "expired"),
                ("tamp.dsse", at.tamper(w.envelope(14)),
                 "bad_signature"),
                ("junk.dsse", b"not an envelope", "invalid_input")):
            with self.subTest(kind=kind):
                code, out, err = install(name, data)
                self.assertEqual(code, 1, out + err)
                self.assertIn("rejected", err)
                self.assertIn(kind, err)
        # The last good roster is still in use and on disk.
        status = at.ask(agent.socket_path, {"v": 1, "op": "status"})
        self.assertEqual(status["serial"], 12)
        with open(os.path.join(agent.values["state_dir"], "roster.dsse"), "rb") as f:
            self.assertIn(b'"payload"', f.read())
        rejected = [e for e in at.read_events(agent.values["audit_log"])
                    if e["type"] == "roster_rejected"]
        self.assertEqual(len(rejected), 4)
        code, _, err = w.ctl(agent, "roster", "install", "/nonexistent/file")
        self.assertEqual(code, 1)

    def test_roster_install_directly_when_the_agent_is_down(self):
        agent = self.world.agent("offline", serial=10)  # never started
        w = self.world
        code, out, err = w.ctl(agent, "roster", "install", w.write("r11.dsse", w.envelope(11)))
        self.assertEqual(code, 0, err)
        self.assertIn("directly", err)
        code, out, err = w.ctl(agent, "roster", "install", w.write("r9.dsse", w.envelope(9)))
        self.assertEqual(code, 1)
        self.assertIn("rollback", err)
        self.agents.append(agent)
        agent.start()
        self.assertEqual(at.ask(agent.socket_path, {"v": 1, "op": "status"})["serial"], 11)

    def test_sigterm_exits_cleanly_and_restart_reverifies_the_cache(self):
        agent = self.start("term", serial=21)
        sock = agent.socket_path
        self.assertEqual(agent.stop(), 0)
        self.assertFalse(os.path.exists(sock))
        self.assertIn("stopping", agent.read_log())
        # Restart: the cached roster is verified and used again.
        agent.start()
        self.assertEqual(at.ask(sock, check("bjones"))["serial"], 21)
        self.assertEqual(agent.stop(), 0)
        # Tamper with the cache: the agent starts, refuses the roster, denies.
        path = os.path.join(agent.values["state_dir"], "roster.dsse")
        with open(path, "rb") as f:
            data = f.read()
        with open(path, "wb") as f:
            f.write(at.tamper(data))
        agent.start()
        r = at.ask(sock, check("asmith"))
        self.assertEqual((r["decision"], r["reason"]), ("deny", "no_roster"))
        self.assertIn("refused", agent.read_log())

    def test_sighup_reloads_and_keeps_the_old_config_when_bad(self):
        agent = self.start("hup", serial=5)
        sock = agent.socket_path
        self.assertEqual(at.ask(sock, check("stranger"))["decision"], "deny")
        values = dict(agent.values, unknown_accounts="ignore")
        at.write_config(agent.config, **values)
        agent.signal(signal.SIGHUP)
        self.assertTrue(at.wait_until(
            lambda: at.ask(sock, check("stranger"))["decision"] == "ignore"))
        with open(agent.config, "a") as f:
            f.write("no_such_key = 1\n")
        agent.signal(signal.SIGHUP)
        self.assertTrue(at.wait_until(lambda: "keeping the old configuration" in agent.read_log()))
        self.assertIn("no_such_key", agent.read_log())
        self.assertEqual(at.ask(sock, check("stranger"))["decision"], "ignore")
        # Un-enrolled by a reload: every login is ignored.
        at.write_config(agent.config, **dict(values, trusted_keys=[]))
        agent.signal(signal.SIGHUP)
        self.assertTrue(at.wait_until(
            lambda: at.ask(sock, check("bjones"))["reason"] == "not_enrolled"))
        self.assertEqual(agent.stop(), 0)

    def test_bad_config_refuses_to_start(self):
        agent = self.world.agent("bad", serial=5, min_uid="many")
        p = subprocess.run([STAFFGATED, "--config", agent.config], env=self.world.env,
                           capture_output=True, timeout=30)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn(b"min_uid", p.stderr)
        self.assertTrue(p.stderr.startswith(b"<3>"))
        self.assertFalse(os.path.exists(agent.socket_path))

    def test_without_roster_and_without_enrollment(self):
        agent = self.start("empty")
        r = at.ask(agent.socket_path, check("asmith"))
        self.assertEqual((r["decision"], r["reason"]), ("deny", "no_roster"))
        self.assertIn("staff list", r["message"])
        agent2 = self.start("unenrolled", trusted_keys=[])
        r = at.ask(agent2.socket_path, check("bjones"))
        self.assertEqual((r["decision"], r["reason"]), ("ignore", "not_enrolled"))
        self.assertFalse(at.ask(agent2.socket_path, {"v": 1, "op": "status"})["enrolled"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
