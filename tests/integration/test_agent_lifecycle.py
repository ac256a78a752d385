"""Integration tests: staffgated's life cycle and roster handling with the
real binaries (docs/design.md §2, §5): roster install through the agent and
directly, SIGTERM, restart re-verification, SIGHUP reload, bad config.

Environment: STAFFGATED, STAFFGATECTL, NSS_WRAPPER_LIB. The agent-side
`roster install` needs the ctl to run as root (the agent rightly answers
forbidden otherwise), so that test skips when not root.
"""

import datetime
import os
import signal
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import agenttest as at  # noqa: E402
from agenttest import IS_ROOT, STAFFGATED, World, check  # noqa: E402


def setUpModule():
    at.require_binaries()


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
