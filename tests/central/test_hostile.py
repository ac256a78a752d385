"""A hostile workstation or client against a real staffgate-central over
HTTPS on 127.0.0.1 (docs/design.md §13): event quotas, a full event store
that still lets HR terminate someone, escapes in staffgate-admin's tables,
per-client connection caps, room kept for authenticated traffic, leases
for unknown accounts, future-dated
events, token file permissions and init under umask 000."""
import json
import os
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import base64

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from centraltest import ADMIN, CENTRAL, Central, run  # noqa: E402


def batch(prefix, n, account="asmith", when=None):
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(when if when is not None else time.time()))
    return json.dumps([{"id": "%s-%d" % (prefix, i), "time": stamp, "type": "decision", "account": account,
                        "decision": "allow", "reason": "allowed", "service": "sudo",
                        "detail": "x" * 200} for i in range(n)])


def hold_connections(port, sources, per_source):
    """Opens idle TCP connections (no TLS handshake) from each source address."""
    held = []
    for source in sources:
        for _ in range(per_source):
            held.append(socket.create_connection(("127.0.0.1", port), timeout=5, source_address=(source, 0)))
    return held


def count_closed(sockets):
    closed = 0
    for s in sockets:
        s.settimeout(0.2)
        try:
            closed += s.recv(1) == b""
        except socket.timeout:
            pass
        except OSError:
            closed += 1
    return closed


class HostileBase(unittest.TestCase):
    conf = {}

    @classmethod
    def setUpClass(cls):
        cls._tmp = tempfile.TemporaryDirectory(prefix="sg-central-hostile-")
        cls.c = Central(cls._tmp.name)
        for key, value in cls.conf.items():
            cls.c.set_conf(key, value)
        cls.c.start()
        r = cls.c.admin("workstation", "add", "WS-1")
        assert r.returncode == 0, r.stderr
        cls.token = r.stdout.strip()

    @classmethod
    def tearDownClass(cls):
        cls.c.stop()
        cls._tmp.cleanup()

    def post(self, body):
        return self.c.request("POST", "/v1/events", body=body, token=self.token,
                              headers={"Content-Type": "application/json"})

    def roster_payload(self):
        status, _, body = self.c.request("GET", "/v1/roster", token=self.token)
        self.assertEqual(status, 200)
        return json.loads(base64.b64decode(json.loads(body)["payload"]))


@unittest.skipUnless(CENTRAL and ADMIN, "STAFFGATE_CENTRAL_BIN and STAFFGATE_ADMIN_BIN needed")
class FullEventStoreTest(HostileBase):
    conf = {"events_max_bytes": 262144, "events_per_workstation_per_hour": 0}

    def test_full_event_store_refuses_events_but_terminate_publishes(self):
        self.c.admin_ok("employee", "add", "E1", "--account", "asmith")
        for i in range(200):
            status, headers, body = self.post(batch("fill%d" % i, 100))
            if status != 202:
                break
        self.assertEqual(status, 507, body)
        self.assertEqual(json.loads(body)["error"], "event_store_full")
        self.assertGreater(int(headers["Retry-After"]), 0)
        status, _, body = self.c.request("GET", "/healthz")
        health = json.loads(body)
        self.assertEqual((status, health["status"]), (200, "degraded"), body)
        self.assertFalse(health["event_store"]["accepting"])
        self.assertIn("events_max_bytes", health["event_store"]["problem"])
        before = self.roster_payload()["serial"]
        self.c.admin_ok("employee", "terminate", "E1")
        payload = self.roster_payload()
        self.assertEqual(payload["serial"], before + 1)
        self.assertEqual([e["status"] for e in payload["employees"] if e["id"] == "E1"], ["terminated"])
        metrics = self.c.request("GET", "/metrics")[2].decode()
        self.assertRegex(metrics, r"staffgate_central_event_batches_store_full_total [1-9]")


@unittest.skipUnless(CENTRAL and ADMIN, "STAFFGATE_CENTRAL_BIN and STAFFGATE_ADMIN_BIN needed")
class QuotaAndOutputTest(HostileBase):
    conf = {"events_per_workstation_per_hour": 100, "max_connections": 30,
            "max_connections_per_client": 10}

    def test_a_over_quota_is_429_with_retry_after(self):
        status, _, body = self.post(batch("q", 150))
        self.assertEqual(status, 202, body)
        status, headers, body = self.post(batch("q2", 5))
        self.assertEqual(status, 429, body)
        self.assertEqual(json.loads(body)["error"], "over_quota")
        self.assertGreater(int(headers["Retry-After"]), 60)
        events = json.loads(self.c.admin_ok("events", "--json", "--limit", "1000"))
        self.assertEqual(len([e for e in events if e["id"].startswith("q2-")]), 0)

    def test_b_escapes_in_tables_json_exact(self):
        # Another workstation (own quota): an account with a screen clear, a
        # window title, a C1 CSI and a right-to-left override.
        token = self.c.admin_ok("workstation", "add", "WS-ESC").strip()
        account = "ev\x1b[2J\x1b]0;pwned\x07il\u009b31m\u202etxt.exe\t\r"
        event = [{"id": "esc-1", "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                  "type": "decision", "account": account, "decision": "deny", "reason": "unknown_account"}]
        status, _, body = self.c.request("POST", "/v1/events", body=json.dumps(event), token=token)
        self.assertEqual(status, 202, body)
        r = self.c.admin("events", "--workstation", "WS-ESC")
        self.assertEqual(r.returncode, 0, r.stderr)
        out = r.stdout
        for raw in ("\x1b", "\u009b", "\u202e", "\x07", "\t", "\r"):
            self.assertNotIn(raw, out)
        self.assertIn("ev\\x1b[2J\\x1b]0;pwned\\x07il\\u009b31m\\u202etxt.exe\\x09\\x0d", out)
        as_json = json.loads(self.c.admin_ok("events", "--json", "--workstation", "WS-ESC"))
        self.assertEqual([e["account"] for e in as_json], [account])

    def test_c_future_dated_events_do_not_hide_real_ones(self):
        token = self.c.admin_ok("workstation", "add", "WS-FUTURE").strip()
        future = [{"id": "fut-%d" % i, "time": "2099-01-01T00:00:00Z", "type": "decision",
                   "account": "x", "decision": "allow"} for i in range(20)]
        self.assertEqual(self.c.request("POST", "/v1/events", body=json.dumps(future), token=token)[0], 202)
        real = [{"id": "real-1", "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                 "type": "decision", "account": "y", "decision": "allow"}]
        self.assertEqual(self.c.request("POST", "/v1/events", body=json.dumps(real), token=token)[0], 202)
        newest = json.loads(self.c.admin_ok("events", "--json", "--limit", "1"))
        self.assertEqual([e["id"] for e in newest], ["real-1"])
        self.assertIn("received", newest[0])
        metrics = self.c.request("GET", "/metrics")[2].decode()
        self.assertRegex(metrics, r"staffgate_central_events_clamped_total 20")

    def test_d_one_client_at_its_cap_does_not_starve_admin(self):
        held = []
        try:
            for _ in range(30):  # As many as the global cap, from 127.0.0.2.
                s = socket.create_connection(("127.0.0.1", self.c.port), timeout=5,
                                             source_address=("127.0.0.2", 0))
                held.append(s)
            time.sleep(0.5)
            self.assertEqual(count_closed(held), 20)  # Beyond max_connections_per_client.
            self.c.admin_ok("employee", "list")
            self.assertEqual(self.c.request("GET", "/healthz")[0], 200)
        finally:
            for s in held:
                s.close()

    def test_e_leases_only_for_active_permitted_accounts(self):
        self.c.admin_ok("employee", "add", "E9", "--account", "leaseok")
        body = lambda a: json.dumps({"account": a})  # noqa: E731
        status, _, answer = self.c.request("POST", "/v1/sessions", body=body("nosuchuser"), token=self.token)
        self.assertEqual(status, 403, answer)
        self.assertIn("no employee has the account", json.loads(answer)["message"])
        self.assertEqual(self.c.request("POST", "/v1/sessions", body=body("leaseok"), token=self.token)[0], 201)
        self.c.admin_ok("employee", "terminate", "E9")
        status, _, answer = self.c.request("POST", "/v1/sessions", body=body("leaseok"), token=self.token)
        self.assertIn(status, (200, 403))  # The holder renews; nobody else may take it.

    def test_f_world_readable_token_file_is_refused(self):
        loose = os.path.join(self._tmp.name, "loose.token")
        with open(loose, "w") as f:
            f.write(self.c.admin_token + "\n")
        os.chmod(loose, 0o644)
        r = self.c.admin("employee", "list", token_file=loose)
        self.assertEqual(r.returncode, 1)
        self.assertIn("permissions 0644 for %s are too open" % loose, r.stderr)
        os.chmod(loose, 0o600)
        self.assertEqual(self.c.admin("employee", "list", token_file=loose).returncode, 0)


@unittest.skipUnless(CENTRAL and ADMIN, "STAFFGATE_CENTRAL_BIN and STAFFGATE_ADMIN_BIN needed")
class AuthenticatedReserveTest(HostileBase):
    # Three sources, each within its per-client cap, together at the global
    # cap; the slow header timeout lets them sit there.
    conf = {"max_connections": 30, "max_connections_per_client": 10, "header_timeout_s": 120}

    def test_unauthenticated_flood_at_the_cap_leaves_room_for_tokens(self):
        self.c.admin_ok("employee", "add", "E1", "--account", "asmith")
        serial = self.roster_payload()["serial"]
        held = []
        try:
            held += hold_connections(self.c.port, ("127.0.0.2", "127.0.0.3", "127.0.0.4"), 10)
            time.sleep(0.5)
            answer = {}

            def long_poll():
                answer["poll"] = self.c.request("GET", "/v1/roster", token=self.token, timeout=90,
                                                headers={"If-None-Match": '"%d"' % serial, "Prefer": "wait=60"})

            poller = threading.Thread(target=long_poll)
            poller.start()
            time.sleep(1.0)
            # More idle connections arrive while the long-poll is held: they
            # push out older unauthenticated ones, never the held poll.
            held += hold_connections(self.c.port, ("127.0.0.5",), 10)
            time.sleep(0.5)
            self.c.admin_ok("employee", "suspend", "E1")
            poller.join(90)
            self.assertFalse(poller.is_alive())
            status, _, body = answer["poll"]
            self.assertEqual(status, 200, body)
            payload = json.loads(base64.b64decode(json.loads(body)["payload"]))
            self.assertGreater(payload["serial"], serial)
            self.assertEqual([e["status"] for e in payload["employees"] if e["id"] == "E1"], ["suspended"])
            # The unauthenticated share stays below the cap: some of the
            # flood was closed to make room.
            self.assertGreater(count_closed(held), 0)
            metrics = self.c.request("GET", "/metrics")[2].decode()
            self.assertRegex(metrics, r"staffgate_central_connections_evicted_total [1-9]")
        finally:
            for s in held:
                s.close()


@unittest.skipUnless(CENTRAL, "STAFFGATE_CENTRAL_BIN needed")
class InitUmaskTest(unittest.TestCase):
    def test_init_under_umask_000_makes_no_writable_directory(self):
        with tempfile.TemporaryDirectory(prefix="sg-central-umask-") as tmp:
            target = os.path.join(tmp, "srv", "staffgate", "central")
            r = subprocess.run([CENTRAL, "init", "--dir", target, "--listen", "127.0.0.1:1"],
                               capture_output=True, text=True, timeout=60, preexec_fn=lambda: os.umask(0))
            self.assertEqual(r.returncode, 0, r.stderr)
            for d in (os.path.join(tmp, "srv"), os.path.dirname(target), target):
                mode = stat.S_IMODE(os.stat(d).st_mode)
                self.assertEqual(mode & 0o022, 0, "%s is mode %o" % (d, mode))


if __name__ == "__main__":
    unittest.main()
