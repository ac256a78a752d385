#!/usr/bin/env python3
"""Agents fail over between several centrals (docs/design.md §12), nothing
faked: two real staffgate-central processes over HTTPS on 127.0.0.1 and a
real staffgated enrolled with `staffgatectl enroll --central A --central B`.
On SQLite the second central is a cold copy of the first's directory (same
signing key, CA, tokens and state: a stand-in for two centrals on one
database); as sync_failover_pg (STAFFGATE_TEST_DATABASE set) both serve one
real PostgreSQL database, the second made by `init --join`, and every
event is counted in the one store both read.

- kill -9 A while the agent long-polls it: the agent moves to B within
  seconds; a terminate made on B reaches it (the roster serial advances,
  pamtester is refused); decisions taken after the failover arrive at B
  exactly once; a lease question is answered by B; `staffgatectl status`
  names B and shows A down, since when and why; A started again: the agent
  goes back to A, and new events arrive there.
- A hung central (a TCP listener that accepts and never answers) first in
  the list: the agent uses the second within seconds.

Inputs: STAFFGATED, STAFFGATECTL, STAFFGATE_MODULE, STAFFGATE_CENTRAL_BIN,
STAFFGATE_ADMIN_BIN (tests/lib/README.md)
"""

import json
import os
import shutil
import socket
import sys
import tempfile
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))

import sgtest  # noqa: E402
from centraltest import ADMIN, CENTRAL, Central, on_postgres  # noqa: E402
from livetest import LiveWorkstation  # noqa: E402

MODULE = sgtest.tier_input("STAFFGATE_MODULE")
# "Within seconds": kill -9 resets the held long-poll at once; a hung
# central costs the connect deadline (5 s, TCP and TLS).
FAILOVER_S = 5.0
HUNG_FAILOVER_S = 12.0
# The first central is retried after 2-30 s (with jitter).
RETURN_S = 45.0


class HungListener:
    """Accepts TCP connections on 127.0.0.1 and never answers (a central
    whose process hangs after accept, or a TLS terminator stuck)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.held = []
        self.accepted = 0
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def _loop(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted += 1
            self.held.append(conn)

    def url(self):
        return "https://127.0.0.1:%d" % self.port

    def close(self):
        self.sock.close()
        for conn in self.held:
            conn.close()


class FailoverBase(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="sg-failover-")
        os.chmod(self.dir, 0o755)
        self.extra = []  # Centrals and listeners to close.

    def tearDown(self):
        if getattr(self, "ws", None):
            self.ws.close()
        for thing in self.extra:
            (thing.stop if hasattr(thing, "stop") else thing.close)()
        shutil.rmtree(self.dir, ignore_errors=True)

    def status(self):
        return self.ws.status()

    def in_use(self):
        return self.status().get("central_url")

    def wait_for(self, predicate, timeout, what):
        started = time.monotonic()
        self.ws.wait_for(predicate, timeout=timeout, what=what)
        return time.monotonic() - started

    def check(self, service):
        answer = sgtest.ask_agent(self.ws.socket, {"v": 1, "op": "check", "phase": "account",
                                                   "account": "bjones", "service": service})
        self.assertEqual(answer["decision"], "allow", answer)

    def events_at(self, central, prefix):
        r = central.admin("events", "--since", "1h", "--json", "--limit", "10000")
        self.assertEqual(r.returncode, 0, r.stderr)
        return [e for e in json.loads(r.stdout) if e.get("service", "").startswith(prefix)]

    def exactly_once(self, central, prefix, count):
        """Waits for `count` decision events under `prefix` at `central`,
        then makes sure no duplicate follows."""
        self.wait_for(lambda: len(self.events_at(central, prefix)) >= count, 30,
                      "%d %s events at %s" % (count, prefix, central.url()))
        time.sleep(2.5)  # The sender wakes every 2 s: a duplicate would be here now.
        events = self.events_at(central, prefix)
        self.assertEqual(len(events), count, events)
        self.assertEqual(len({e["id"] for e in events}), count)
        return events

    def not_elsewhere(self, central, prefix, count):
        """The events under `prefix` as `central` sees them: none when it
        keeps a store of its own (SQLite). On PostgreSQL both read one
        store, which keeps an event once by id whoever sent it twice, so
        this only sees the same `count` again: which central received them
        is not shown there."""
        events = self.events_at(central, prefix)
        if not on_postgres():
            self.assertEqual(events, [])
            return
        self.assertEqual(len(events), count, events)
        self.assertEqual(len({e["id"] for e in events}), count)


@unittest.skipUnless(CENTRAL and ADMIN, "STAFFGATE_CENTRAL_BIN and STAFFGATE_ADMIN_BIN needed")
class TwoCentralsTest(FailoverBase):
    def setUp(self):
        super().setUp()
        os.mkdir(os.path.join(self.dir, "a"))
        self.a = Central(os.path.join(self.dir, "a"))
        self.extra = [self.a]
        self.a.start()
        self.a.admin_ok("employee", "add", "E1", "--account", "asmith")
        self.a.admin_ok("employee", "add", "E2", "--account", "bjones")
        self.ws = LiveWorkstation(self.dir, {"E1": "asmith", "E2": "bjones"}, central=self.a,
                                  workstation="WS-FO")
        os.mkdir(os.path.join(self.dir, "b"))
        if on_postgres():
            self.b = self.a.join(os.path.join(self.dir, "b"))
        else:
            # B: a cold copy of A, taken while A is stopped.
            self.a.stop()
            self.b = self.a.cold_copy(os.path.join(self.dir, "b"))
            self.a.start()
        self.b.start()
        self.extra = [self.a, self.b]
        self.ws.agent.start()
        r = self.ws.ctl("enroll", "--central", self.a.url(), "--central", self.b.url(),
                        "--token-file", self.ws.token_file,
                        "--ca", os.path.join(self.a.dir, "ca.pem"))
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr + self.ws.agent.read_log())
        self.assertIn("with %s, %s" % (self.a.url(), self.b.url()), r.stdout)
        with open(os.path.join(self.ws.config + ".d", "50-enrollment.conf")) as f:
            self.assertIn('central_urls = ["%s", "%s"]' % (self.a.url(), self.b.url()), f.read())
        self.pam_env = self.pam_service()

    def pam_service(self):
        services = os.path.join(self.dir, "services")
        os.mkdir(services)
        args = ["socket=" + self.ws.socket, "agent_uid=%d" % os.getuid(), "min_uid=1000"]
        with open(os.path.join(services, "sg"), "w") as f:
            f.write(sgtest.pam_service_text(MODULE, args))
        env = sgtest.nss_wrapper_env(self.dir, {"asmith": 2001, "bjones": 2002})
        return dict(env, LD_PRELOAD=sgtest.preload("libpam_wrapper.so", "libnss_wrapper.so"),
                    PAM_WRAPPER="1", PAM_WRAPPER_SERVICE_DIR=services)

    def serial(self):
        return (self.status().get("roster") or {}).get("serial", 0)

    def test_kill_9_moves_to_b_then_back_to_a(self):
        a, b = self.a, self.b
        self.wait_for(lambda: self.status().get("central_reachable"), 20, "A reachable")
        status = self.status()
        self.assertEqual(status["central_url"], a.url())
        self.assertEqual([(c["url"], c["in_use"], c["down"]) for c in status["centrals"]],
                         [(a.url(), True, False), (b.url(), False, False)])
        rc, out, err, _ = sgtest.pamtester("sg", "asmith", ["acct_mgmt"], self.pam_env)
        self.assertEqual(rc, 0, out + err)

        # Decisions before the failover reach A, once.
        for i in range(5):
            self.check("fo-before-%d" % i)
        self.exactly_once(a, "fo-before-", 5)
        # The long-poll is held on A meanwhile: a hold is not a hang.
        self.assertEqual(self.in_use(), a.url())
        self.assertFalse(any(c["down"] for c in self.status()["centrals"]))

        serial = self.serial()
        a.kill()
        moved = self.wait_for(lambda: self.in_use() == b.url(), FAILOVER_S * 3, "the move to B")
        print("  on B %.2f s after kill -9 of A" % moved)
        self.assertLess(moved, FAILOVER_S)

        # A terminate made on B reaches the agent through B.
        started = time.monotonic()
        b.admin_ok("employee", "terminate", "E1")
        self.wait_for(lambda: self.serial() > serial, 20, "the serial from B")
        print("  terminate on B took effect after %.0f ms"
              % ((time.monotonic() - started) * 1000))
        rc, out, err, _ = sgtest.pamtester("sg", "asmith", ["acct_mgmt"], self.pam_env)
        sgtest.assert_pam_failed(self, "ACCT_EXPIRED", rc, out, err)

        # Lease calls follow the same choice: B answers (A is dead).
        r = self.ws.ctl("check", "bjones", "--phase", "session", "--json")
        self.assertEqual(json.loads(r.stdout).get("lease"), "none", r.stdout + r.stderr)

        # Decisions after the failover arrive at B exactly once.
        for i in range(7):
            self.check("fo-after-%d" % i)
        self.exactly_once(b, "fo-after-", 7)
        self.not_elsewhere(b, "fo-before-", 5)  # A had them all.

        # status names B and shows A down, since when and why.
        status = self.status()
        self.assertEqual(status["central_url"], b.url())
        first, second = status["centrals"]
        self.assertEqual((first["url"], first["in_use"], first["down"]), (a.url(), False, True))
        self.assertRegex(first["down_since"], r"^\d{4}-\d\d-\d\dT")
        self.assertTrue(first["last_error"])
        self.assertEqual((second["url"], second["in_use"], second["down"]), (b.url(), True, False))
        text = self.ws.ctl("status").stdout
        self.assertRegex(text, r"(?m)^central in use: +%s$" % b.url())
        self.assertRegex(text, r"(?m)^central down: +%s since \d{4}-.*: .+$" % a.url())

        # A comes back (on SQLite its copy of the data made to match B's
        # change): the agent returns to it, and new events go there.
        a.start()
        if not on_postgres():
            a.admin_ok("employee", "terminate", "E1")
        back = self.wait_for(lambda: self.in_use() == a.url(), RETURN_S, "the return to A")
        print("  back on A %.1f s after it started" % back)
        self.assertFalse(any(c["down"] for c in self.status()["centrals"]))
        for i in range(3):
            self.check("fo-back-%d" % i)
        self.exactly_once(a, "fo-back-", 3)
        self.not_elsewhere(b, "fo-back-", 3)
        self.not_elsewhere(a, "fo-after-", 7)
        log = self.ws.agent.read_log()
        self.assertIn("now using the central at %s" % b.url(), log)
        self.assertIn("now using the central at %s (%s answers again)" % (a.url(), a.url()), log)


@unittest.skipUnless(CENTRAL and ADMIN, "STAFFGATE_CENTRAL_BIN and STAFFGATE_ADMIN_BIN needed")
class HungCentralTest(FailoverBase):
    def setUp(self):
        super().setUp()
        self.hung = HungListener()
        self.ws = LiveWorkstation(self.dir, {"E2": "bjones"}, workstation="WS-HUNG")
        self.extra = [self.hung]

    def test_a_hung_first_central_is_left_for_the_second_within_seconds(self):
        real = self.ws.central
        # Written by hand, as an administrator would: the hung one first.
        with open(self.ws.config, "a") as f:
            f.write('central_urls = ["%s", "%s"]\nca_file = "%s"\ntoken_file = "%s"\n'
                    'trusted_keys = ["%s"]\n'
                    % (self.hung.url(), real.url(), os.path.join(real.dir, "ca.pem"),
                       self.ws.token_file, os.path.join(real.dir, "roster-signing.pub")))
        self.ws.agent.start()
        started = time.monotonic()
        self.wait_for(lambda: self.in_use() == real.url() and self.status().get("roster"),
                      HUNG_FAILOVER_S * 3, "a roster from the second central")
        took = time.monotonic() - started
        print("  roster from the second central %.1f s after start (hung first)" % took)
        self.assertLess(took, HUNG_FAILOVER_S)
        self.assertGreater(self.hung.accepted, 0)
        first = self.status()["centrals"][0]
        self.assertTrue(first["down"])
        self.assertIn("did not complete the connection in time", first["last_error"])
        # Calls follow the choice: decisions reach the second central, once.
        for i in range(4):
            self.check("hung-%d" % i)
        self.exactly_once(real, "hung-", 4)
        # Retries of the hung one are short probes: the agent stays on the
        # second and keeps answering.
        self.assertEqual(self.in_use(), real.url())


if __name__ == "__main__":
    sgtest.require_inputs("STAFFGATED", "STAFFGATECTL", "STAFFGATE_MODULE", "STAFFGATE_CENTRAL_BIN",
                          "STAFFGATE_ADMIN_BIN")
    unittest.main(verbosity=2)
