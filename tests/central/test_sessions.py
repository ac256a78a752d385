"""Session leases (docs/design.md §6) on a real staffgate-central over HTTPS on
127.0.0.1 with the generated CA: two workstations with their own tokens,
conflicts, ownership, lapse at a short TTL, staffgate-admin sessions, and
leases that survive a restart."""
import json
import os
import sys
import re
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import sgtest  # noqa: E402
from centraltest import Central, SharedCentralTest, on_postgres  # noqa: E402

LEASE_KEYS = {"id", "account", "workstation", "expires_at", "ttl_s"}
LIST_KEYS = {"id", "account", "workstation", "acquired_at", "renewed_at", "expires_at"}


def set_conf(central, key, value):
    conf = os.path.join(central.dir, "central.conf")
    with open(conf) as f:
        text = f.read()
    text, n = re.subn(r"(?m)^%s = .*$" % key, "%s = %s" % (key, value), text)
    assert n == 1, key
    with open(conf, "w") as f:
        f.write(text)


class LeaseCentral:
    """A central with two registered workstations, SVC-A and SVC-B."""

    def __init__(self, root, ttl_s=None):
        self.c = Central(root)
        if ttl_s is not None:
            set_conf(self.c, "lease_ttl_s", ttl_s)
        self.c.start()
        self.tokens = {}
        for name in ("SVC-A", "SVC-B"):
            r = self.c.admin("workstation", "add", name)
            assert r.returncode == 0, r.stderr
            self.tokens[name] = r.stdout.strip()
        # Leases go only to accounts of active employees (docs/design.md §13).
        for i, account in enumerate(("asmith", "pol1", "pol2", "cadmin", "badmin", "evlease",
                                     "restartlease", "endsel")):
            r = self.c.admin("employee", "add", "L%d" % i, "--account", account)
            assert r.returncode == 0, r.stderr

    def call(self, method, path, ws, body=None, raw=None, token=None):
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        status, _, answer = self.c.request(method, path, body=data, token=token or self.tokens[ws],
                                           headers={"Content-Type": "application/json"})
        return status, (json.loads(answer) if answer else None)

    def acquire(self, ws, account):
        return self.call("POST", "/v1/sessions", ws, {"account": account})


class SessionLeaseTest(SharedCentralTest):
    tmp_prefix = "sg-central-leases-"

    @classmethod
    def _start_central(cls, root):
        cls.w = LeaseCentral(root)
        return cls.w.c

    def test_conflict_between_two_workstations(self):
        w = self.w
        status, a = w.acquire("SVC-A", "asmith")
        self.assertEqual(status, 201, a)
        self.assertEqual(set(a), LEASE_KEYS)
        self.assertRegex(a["id"], r"^[0-9a-f]{32}$")
        self.assertEqual((a["account"], a["workstation"], a["ttl_s"]), ("asmith", "SVC-A", 90))
        self.assertRegex(a["expires_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        # The same workstation again (an agent that restarted): the same lease.
        status, again = w.acquire("SVC-A", "asmith")
        self.assertEqual((status, again["id"]), (200, a["id"]))
        # Another workstation: 409 naming the holder.
        status, refused = w.acquire("SVC-B", "asmith")
        self.assertEqual(status, 409)
        self.assertEqual(refused, {"error": "in_use_elsewhere", "message": "asmith is signed in on SVC-A",
                                   "workstation": "SVC-A"})
        path = "/v1/sessions/" + a["id"]
        # B can neither renew nor release A's lease.
        self.assertEqual(w.call("PUT", path, "SVC-B", raw="")[0], 403)
        status, err = w.call("DELETE", path, "SVC-B")
        self.assertEqual((status, err["error"]), (403, "forbidden"))
        status, renewed = w.call("PUT", path, "SVC-A", raw="{}")
        self.assertEqual((status, renewed["id"], set(renewed)), (200, a["id"], LEASE_KEYS))
        self.assertEqual(w.call("PUT", path, "SVC-A", raw="")[0], 200)
        # A releases; B now gets its own lease.
        status, body = w.call("DELETE", path, "SVC-A")
        self.assertEqual((status, body), (204, None))
        self.assertEqual(w.call("DELETE", path, "SVC-A")[0], 404)
        self.assertEqual(w.call("PUT", path, "SVC-A", raw="")[0], 404)
        status, b = w.acquire("SVC-B", "asmith")
        self.assertEqual((status, b["workstation"]), (201, "SVC-B"))
        self.assertNotEqual(b["id"], a["id"])
        self.assertEqual(w.call("DELETE", "/v1/sessions/" + b["id"], "SVC-B")[0], 204)

    def test_policy_two_and_unlimited(self):
        w = self.w
        self.admin("policy", "set", "max-workstations-per-account", "2")
        try:
            self.assertEqual(w.acquire("SVC-A", "pol2")[0], 201)
            self.assertEqual(w.acquire("SVC-B", "pol2")[0], 201)
            self.admin("policy", "set", "max-workstations-per-account", "1")
            status, refused = w.acquire("SVC-B", "pol1")
            self.assertEqual(status, 201)
            self.assertEqual(w.acquire("SVC-A", "pol1")[0], 409)
            self.admin("policy", "set", "max-workstations-per-account", "0")
            self.assertEqual(w.acquire("SVC-A", "pol1")[0], 201)
        finally:
            self.admin("policy", "set", "max-workstations-per-account", "1")

    def test_auth_and_validation(self):
        w = self.w
        body = json.dumps({"account": "asmith"})
        for token in (None, "not-a-token"):
            status, _, answer = self.c.request("POST", "/v1/sessions", body=body, token=token)
            self.assertEqual(status, 401)
            self.assertEqual(json.loads(answer)["error"], "unauthorized")
        self.assertEqual(w.call("PUT", "/v1/sessions/" + "0" * 32, None, raw="", token="nope")[0], 401)
        for raw in ("", "not json", "[]", "{}", '{"account": 1}', '{"account": "bad name"}',
                    '{"account": "-rf"}', '{"account": "asmith", "tty": "pts/0"}'):
            status, err = w.call("POST", "/v1/sessions", "SVC-A", raw=raw)
            self.assertEqual((status, err["error"]), (400, "invalid_input"), raw)
        self.assertEqual(w.call("PUT", "/v1/sessions/" + "0" * 32, "SVC-A", raw="")[0], 404)
        self.assertEqual(w.call("DELETE", "/v1/sessions/xyz", "SVC-A")[0], 404)
        self.assertEqual(w.call("GET", "/v1/sessions", "SVC-A")[0], 400)  # No ?account=.
        self.assertEqual(w.call("PATCH", "/v1/sessions", "SVC-A")[0], 405)
        self.assertEqual(w.call("GET", "/v1/admin/sessions", "SVC-A")[0], 401)

    def test_admin_sessions_list_and_end(self):
        w = self.w
        _, a = w.acquire("SVC-B", "cadmin")
        _, b = w.acquire("SVC-A", "badmin")
        listed = json.loads(self.admin("sessions", "--json").stdout)
        self.assertIsInstance(listed, list)
        mine = [s for s in listed if s["account"] in ("badmin", "cadmin")]
        self.assertEqual([(s["account"], s["workstation"], s["id"]) for s in mine],
                         [("badmin", "SVC-A", b["id"]), ("cadmin", "SVC-B", a["id"])])
        self.assertEqual(set(mine[0]), LIST_KEYS)
        status, api_list = w.call("GET", "/v1/admin/sessions", None, token=self.c.admin_token)
        self.assertEqual((status, api_list), (200, listed))
        table = self.admin("sessions").stdout.splitlines()
        self.assertEqual(table[0].split(), ["ID", "ACCOUNT", "WORKSTATION", "SINCE", "EXPIRES"])
        row = [line.split() for line in table[1:] if a["id"] in line]
        self.assertEqual(row[0][:3], [a["id"], "cadmin", "SVC-B"])
        self.assertEqual(row[0][4], a["expires_at"])
        # Ending a lease frees the account for another workstation.
        r = self.admin("sessions", "end", a["id"])
        self.assertIn(a["id"], r.stdout)
        # The holder is told the lease was ended (410), not that it lapsed.
        status, gone = w.call("PUT", "/v1/sessions/" + a["id"], "SVC-B", raw="")
        self.assertEqual((status, gone["error"]), (410, "lease_ended"))
        self.assertEqual(w.acquire("SVC-A", "cadmin")[0], 201)
        r = self.admin("sessions", "end", a["id"], rc=1)
        self.assertEqual(len(r.stderr.strip().splitlines()), 1, r.stderr)
        self.assertIn("no live session lease", r.stderr)
        self.admin("sessions", "end", rc=2)
        self.assertNotIn(a["id"], self.admin("sessions").stdout)

    def test_sessions_end_selectors_fail_closed(self):
        w = self.w
        _, a = w.acquire("SVC-A", "endsel")
        self.admin("policy", "set", "max-workstations-per-account", "0")
        try:
            _, b = w.acquire("SVC-B", "endsel")
        finally:
            self.admin("policy", "set", "max-workstations-per-account", "1")
        for args, rc, words in (
                ((), 2, "needs a lease ID, --account or --workstation"),
                (("--account", ""), 1, "the account to end leases of is blank"),
                (("--account", "endsel", "--workstation", ""), 1,
                 "the workstation to end leases of is blank"),
                (("--account", "nobody"), 1, "no live session lease of account 'nobody'"),
                (("--workstation", "SVC-NONE"), 1, "no live session lease on workstation 'SVC-NONE'"),
                ((a["id"], "--workstation", "SVC-B"), 1,
                 "no live session lease with id '%s' on workstation 'SVC-B'" % a["id"])):
            r = self.admin("sessions", "end", *args, rc=rc)
            self.assertIn(words, r.stderr)
            self.assertEqual(len(r.stderr.strip().splitlines()), 1, r.stderr)
        for body in ({}, {"account": " "}, {"account": "endsel", "all": True}, {"account": ["endsel"]}):
            status, err = w.call("POST", "/v1/admin/sessions/end", None, body,
                                 token=self.c.admin_token)
            self.assertEqual((status, err["error"]), (400, "invalid_input"), body)
        listed = json.loads(self.admin("sessions", "--json").stdout)
        self.assertEqual(sorted(s["workstation"] for s in listed if s["account"] == "endsel"),
                         ["SVC-A", "SVC-B"])  # Nothing was ended.
        # The intersection ends one; the account selector the rest.
        r = self.admin("sessions", "end", "--account", "endsel", "--workstation", "SVC-B")
        self.assertEqual(r.stdout.strip(), "ended session lease %s (endsel on SVC-B)" % b["id"])
        r = self.admin("sessions", "end", "--account", "endsel")
        self.assertEqual(r.stdout.strip(), "ended session lease %s (endsel on SVC-A)" % a["id"])
        status, view = w.call("GET", "/v1/sessions?account=endsel", "SVC-A")
        self.assertEqual((status, view), (200, {"account": "endsel", "here": None, "elsewhere": []}))

    def test_lease_events_and_metrics(self):
        w = self.w
        _, a = w.acquire("SVC-A", "evlease")
        self.assertEqual(w.acquire("SVC-B", "evlease")[0], 409)
        self.assertEqual(w.call("DELETE", "/v1/sessions/" + a["id"], "SVC-A")[0], 204)
        events = json.loads(self.admin("events", "--account", "evlease", "--json").stdout)
        self.assertEqual([(e["type"], e["workstation"]) for e in events],
                         [("lease_acquired", "SVC-A"), ("lease_refused", "SVC-B"), ("lease_released", "SVC-A")])
        self.assertEqual(events[1]["decision"], "deny")
        self.assertEqual(events[1]["reason"], "in_use_elsewhere")
        self.assertEqual(events[1]["holder"], "SVC-A")
        status, _, metrics = self.c.request("GET", "/metrics")
        text = metrics.decode()
        for name in ("acquired", "refused", "released", "lapsed", "renewed"):
            self.assertRegex(text, r"staffgate_central_leases_%s_total \d+" % name)
        self.assertGreaterEqual(int(re.search(r"leases_refused_total (\d+)", text).group(1)), 1)
        self.assertNotIn("evlease", text)
        if not on_postgres():  # Counted at each scrape here; once a minute on PostgreSQL.
            def gauge_and_list():
                """(gauge, listed) when they agree (a lease of an earlier
                test may lapse between the two reads), else None."""
                listed = len(json.loads(self.admin("sessions", "--json").stdout))
                page = self.c.request("GET", "/metrics")[2].decode()
                gauge = int(re.search(r"(?m)^staffgate_central_leases_live (\d+)$", page).group(1))
                return (gauge, listed) if gauge == listed else None
            status, held = w.acquire("SVC-A", "evlease")
            self.assertEqual(status, 201, held)
            held_count = sgtest.wait_until(gauge_and_list, timeout=10)
            self.assertTrue(held_count)
            self.assertGreaterEqual(held_count[0], 1)
            self.assertEqual(w.call("DELETE", "/v1/sessions/" + held["id"], "SVC-A")[0], 204)
            after = sgtest.wait_until(gauge_and_list, timeout=10)
            self.assertTrue(after)
            self.assertLess(after[0], held_count[0])

    def test_zz_leases_survive_restart(self):
        w = self.w
        status, a = w.acquire("SVC-A", "restartlease")
        self.assertEqual(status, 201)
        self.assertEqual(self.c.stop(), 0)
        self.c.start()
        self.assertIn(a["id"], self.admin("sessions").stdout)
        self.assertEqual(w.acquire("SVC-B", "restartlease")[0], 409)
        status, again = w.acquire("SVC-A", "restartlease")
        self.assertEqual((status, again["id"]), (200, a["id"]))
        self.assertEqual(w.call("PUT", "/v1/sessions/" + a["id"], "SVC-A", raw="")[0], 200)


class LeaseLapseTest(unittest.TestCase):
    TTL = 2

    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="sg-central-lapse-")
        self.w = LeaseCentral(self._tmp.name, ttl_s=self.TTL)

    def tearDown(self):
        self.w.c.stop()
        self._tmp.cleanup()

    def test_renewed_lease_holds_unrenewed_lapses_at_ttl(self):
        w = self.w
        status, a = w.acquire("SVC-A", "asmith")
        self.assertEqual((status, a["ttl_s"]), (201, self.TTL))
        # Renewed every quarter TTL (expiry has whole-second resolution):
        # still held after one and a half TTLs.
        for _ in range(6):
            time.sleep(self.TTL / 4)
            self.assertEqual(w.call("PUT", "/v1/sessions/" + a["id"], "SVC-A", raw="")[0], 200)
            self.assertEqual(w.acquire("SVC-B", "asmith")[0], 409)
        # A's agent dies (no more renewals): B is refused until the TTL has passed.
        died = time.monotonic()
        while w.acquire("SVC-B", "asmith")[0] == 409:
            self.assertLess(time.monotonic() - died, self.TTL + 3, "the lease never lapsed")
            time.sleep(0.1)
        # Expiry is in whole seconds: at least TTL-1 s after the last renewal.
        self.assertGreaterEqual(time.monotonic() - died, self.TTL - 1.5)
        self.assertEqual(w.call("PUT", "/v1/sessions/" + a["id"], "SVC-A", raw="")[0], 404)
        listed = json.loads(w.c.admin("sessions", "--json").stdout)
        self.assertEqual([(s["account"], s["workstation"]) for s in listed], [("asmith", "SVC-B")])
        status, _, metrics = w.c.request("GET", "/metrics")
        self.assertIn("staffgate_central_leases_lapsed_total 1\n", metrics.decode())


if __name__ == "__main__":
    sgtest.require_inputs("STAFFGATE_CENTRAL_BIN", "STAFFGATE_ADMIN_BIN")
    unittest.main()
