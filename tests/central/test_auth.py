"""Staffgate passwords at a real staffgate-central over HTTPS on 127.0.0.1
(docs/design.md §10): fleet-wide lockout from two workstations and unlock,
200 parallel verifies under a memory bound, the group rule, a change that
publishes credentials_changed_at, one-time passwords and reset-credentials
through staffgate-admin, 503 with Retry-After when hashing is saturated,
and no plaintext password in the log, the databases or any answer."""
import base64
import concurrent.futures
import json
import os
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import sgtest  # noqa: E402
from centraltest import ADMIN, Central, run  # noqa: E402

# Every password this file sends: none may show up anywhere but a request.
GOOD = "Tangerine-Lantern-47-Orbit"
NEW = "Walrus-Quarry-93-Velvet-Pine"
PERF = "Copper-Meadow-58-Falcon-Drum"
WRONG = "Wrong-Guess-%d-Zebra"
SEEN = set([GOOD, NEW, PERF] + [WRONG % i for i in range(40)])

# Peak resident memory allowed for the central during 200 parallel
# verifies: the default argon2id cost (32 MiB) x max_concurrent_hashes (2)
# plus the server itself and 200 TLS connections. Without the bound, 200
# hashes at once would need 6.4 GiB.
RSS_BOUND_KIB = 192 * 1024


def sanitized(pid):
    """Whether the process runs with ASan (its shadow memory and quarantine
    multiply RSS, so the bound is about the hashing, not the sanitizer)."""
    with open("/proc/%d/maps" % pid) as f:
        return "libasan" in f.read()


def rss_kib(pid, field):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


class AuthCentral:
    """A central with three workstations: SVC-A and SVC-B (group service)
    and SALES-1 (group sales)."""

    def __init__(self, root, conf=None):
        self.c = Central(root)
        for key, value in (conf or {}).items():
            self.c.set_conf(key, value)
        self.c.start()
        self.tokens = {}
        for name, groups in (("SVC-A", "service"), ("SVC-B", "service"), ("SALES-1", "sales")):
            self.tokens[name] = self.c.admin_ok("workstation", "add", name, "--groups", groups).strip()
        self.answers = []  # Every answer body, for the plaintext check.

    def call(self, path, ws, body):
        status, headers, data = self.c.request("POST", path, body=json.dumps(body), token=self.tokens[ws],
                                               headers={"Content-Type": "application/json"}, timeout=120)
        self.answers.append(data)
        return status, headers, (json.loads(data) if data else None)

    def verify(self, ws, account, password):
        status, _, answer = self.call("/v1/auth/verify", ws, {"account": account, "password": password,
                                                              "service": "login", "rhost": ""})
        assert status == 200, (status, answer)
        return answer["result"]

    def change(self, ws, account, old, new):
        status, _, answer = self.call("/v1/auth/change", ws, {"account": account, "old": old, "new": new})
        return status, answer

    def set_password(self, employee, password):
        env = dict(os.environ, STAFFGATE_CENTRAL="https://127.0.0.1:%d" % self.c.port,
                   STAFFGATE_CA=os.path.join(self.c.dir, "ca.pem"),
                   STAFFGATE_TOKEN_FILE=os.path.join(self.c.dir, "admin.token"))
        return run([ADMIN, "employee", "set-password", employee], env=env, input=password + "\n")

    def roster_entry(self, employee):
        status, headers, data = self.c.request("GET", "/v1/roster", token=self.tokens["SVC-A"])
        assert status == 200, status
        payload = json.loads(base64.b64decode(json.loads(data)["payload"]))
        for e in payload["employees"]:
            if e["id"] == employee:
                return payload["serial"], e
        raise AssertionError("no " + employee)


class AuthTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls._tmp = tempfile.TemporaryDirectory(prefix="sg-central-auth-")
        # Generous waiting: 200 verifies at once queue for two hashing slots.
        cls.w = AuthCentral(cls._tmp.name, {"max_hash_wait_ms": 120000})
        cls.c = cls.w.c
        for i, (account, groups) in enumerate((("asmith", "service"), ("bnew", "*"), ("cperf", "*"),
                                               ("dreset", "service"), ("echange", "*"))):
            cls.c.admin_ok("employee", "add", "E%d" % i, "--account", account, "--groups", groups)
        for employee in ("E0", "E3", "E4"):
            r = cls.w.set_password(employee, GOOD)
            assert r.returncode == 0, r.stderr
        r = cls.w.set_password("E2", PERF)
        assert r.returncode == 0, r.stderr

    @classmethod
    def tearDownClass(cls):
        cls.c.stop()
        cls._tmp.cleanup()

    def test_lockout_is_fleet_wide_and_unlock_clears_it(self):
        w = self.w
        self.assertEqual(w.verify("SVC-A", "asmith", GOOD), "ok")
        for i in range(10):
            ws = "SVC-A" if i % 2 == 0 else "SVC-B"
            self.assertEqual(w.verify(ws, "asmith", WRONG % i), "bad_credentials")
        # Locked everywhere, even against the right password.
        self.assertEqual(w.verify("SVC-A", "asmith", GOOD), "locked_out")
        self.assertEqual(w.verify("SVC-B", "asmith", GOOD), "locked_out")
        status, answer = w.change("SVC-B", "asmith", GOOD, NEW)
        self.assertEqual((status, answer["error"]), (422, "locked_out"))
        out = self.c.admin_ok("employee", "unlock", "E0")
        self.assertIn("unlocked employee E0", out)
        self.assertEqual(w.verify("SVC-B", "asmith", GOOD), "ok")
        metrics = self.c.request("GET", "/metrics")[2].decode()
        self.assertRegex(metrics, r"(?m)^staffgate_central_auth_lockouts_total [1-9]")
        self.assertRegex(metrics, r"(?m)^staffgate_central_auth_verify_locked_out_total [1-9]")
        self.assertNotIn("asmith", metrics)

    def test_200_parallel_verifies_stay_under_the_memory_bound(self):
        w = self.w
        pid = self.c.proc.pid
        jobs = [("cperf", PERF, "ok") if i % 2 == 0 else ("nobody%d" % i, PERF, "not_managed")
                for i in range(200)]
        peak = [rss_kib(pid, "VmRSS")]
        reads = []  # Roster reads meanwhile: hashing must not hold the network threads.
        done = threading.Event()

        def sample():
            while not done.wait(0.02):
                peak.append(rss_kib(pid, "VmRSS"))

        def read_roster():
            while not done.is_set():
                start = time.monotonic()
                status = self.c.request("GET", "/v1/roster", token=w.tokens["SVC-B"])[0]
                reads.append((status, time.monotonic() - start))
                time.sleep(0.1)

        watchers = [threading.Thread(target=sample), threading.Thread(target=read_roster)]
        for t in watchers:
            t.start()
        try:
            with concurrent.futures.ThreadPoolExecutor(max_workers=200) as pool:
                results = list(pool.map(lambda j: w.verify("SVC-A", j[0], j[1]), jobs))
        finally:
            done.set()
            for t in watchers:
                t.join()
        self.assertEqual(results, [j[2] for j in jobs])
        self.assertTrue(reads)
        self.assertEqual({status for status, _ in reads}, {200})
        slowest = max(seconds for _, seconds in reads)
        print("roster reads during the flood: %d, slowest %.3f s" % (len(reads), slowest), file=sys.stderr)
        self.assertLess(slowest, 3.0)
        high_water = rss_kib(pid, "VmHWM")
        print("central peak RSS during 200 parallel verifies: %d KiB sampled, VmHWM %d KiB (bound %d KiB)"
              % (max(peak), high_water, RSS_BOUND_KIB), file=sys.stderr)
        # Under ASan the bound scales by its usual memory overhead (about 3x).
        self.assertLess(high_water, RSS_BOUND_KIB * (3 if sanitized(pid) else 1))

    def test_a_workstation_cannot_verify_an_account_not_permitted_on_it(self):
        w = self.w
        # dreset (E3) is in group "service": SALES-1 learns nothing and locks nothing.
        for i in range(12):
            self.assertEqual(w.verify("SALES-1", "dreset", WRONG % i), "not_managed")
        self.assertEqual(w.verify("SALES-1", "dreset", GOOD), "not_managed")
        status, answer = w.change("SALES-1", "dreset", GOOD, NEW)
        self.assertEqual((status, answer["error"]), (404, "not_managed"))
        self.assertEqual(w.verify("SVC-A", "dreset", GOOD), "ok")

    def test_change_publishes_a_roster_with_moved_credentials_changed_at(self):
        w = self.w
        serial, before = w.roster_entry("E4")
        self.assertIn("credentials_changed_at", before)
        status, answer = w.change("SVC-A", "echange", GOOD, "Dictionary12")
        self.assertEqual((status, answer["error"]), (422, "weak_password"))
        self.assertTrue(answer["message"])
        status, answer = w.change("SVC-A", "echange", WRONG % 1, NEW)
        self.assertEqual((status, answer["error"]), (422, "bad_credentials"))
        time.sleep(1.1)  # credentials_changed_at is in whole seconds.
        status, answer = w.change("SVC-B", "echange", GOOD, NEW)
        self.assertEqual(status, 200, answer)
        after_serial, after = w.roster_entry("E4")
        self.assertGreater(after_serial, serial)
        self.assertGreater(after["credentials_changed_at"], before["credentials_changed_at"])
        self.assertEqual(w.verify("SVC-A", "echange", NEW), "ok")
        self.assertEqual(w.verify("SVC-A", "echange", GOOD), "bad_credentials")
        # Employees without a staffgate password carry no credentials_changed_at.
        self.assertNotIn("credentials_changed_at", w.roster_entry("E1")[1])

    def test_one_time_password_must_be_changed(self):
        w = self.w
        r = self.c.admin("employee", "set-password", "E1", "--one-time")
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = r.stdout.splitlines()
        self.assertEqual(len(lines), 1, r.stdout)
        one_time = lines[0]
        self.assertGreaterEqual(len(one_time), 20)
        SEEN.add(one_time)
        self.assertEqual(w.verify("SVC-A", "bnew", one_time), "reset_required")
        self.assertEqual(w.verify("SALES-1", "bnew", one_time), "reset_required")
        status, answer = w.change("SVC-A", "bnew", one_time, NEW)
        self.assertEqual(status, 200, answer)
        self.assertEqual(w.verify("SVC-B", "bnew", NEW), "ok")
        self.assertEqual(w.verify("SVC-B", "bnew", one_time), "bad_credentials")

    def test_reset_credentials_makes_the_old_password_useless_everywhere(self):
        w = self.w
        self.assertEqual(w.set_password("E3", GOOD).returncode, 0)
        self.assertEqual(w.verify("SVC-A", "dreset", GOOD), "ok")
        self.c.admin_ok("employee", "reset-credentials", "E3")
        self.assertEqual(w.verify("SVC-A", "dreset", GOOD), "reset_required")
        self.assertEqual(w.verify("SVC-B", "dreset", GOOD), "reset_required")
        status, answer = w.change("SVC-B", "dreset", GOOD, NEW)
        self.assertEqual(status, 200, answer)
        self.assertEqual(w.verify("SVC-A", "dreset", NEW), "ok")
        self.assertEqual(w.set_password("E3", GOOD).returncode, 0)  # Back, for the other tests.

    def test_admin_refuses_empty_and_weak_passwords(self):
        r = self.w.set_password("E0", "")
        self.assertEqual(r.returncode, 1)
        self.assertIn("empty", r.stderr)
        r = self.w.set_password("E0", "password")
        self.assertEqual(r.returncode, 1)
        self.assertNotIn("password\n", r.stdout)
        r = self.c.admin("employee", "unlock", "E404")
        self.assertEqual(r.returncode, 1)

    def test_zz_no_plaintext_password_anywhere(self):
        # Runs last (name order): after every other test's passwords.
        self.c.request("GET", "/healthz")
        files = [self.c.log] + [os.path.join(self.c.dir, f) for f in os.listdir(self.c.dir)
                                if ".db" in f]
        self.c.admin_ok("events", "--json")  # Flushes the central's own events.
        events = self.c.admin_ok("events", "--json")
        self.assertIn("password_lockout", events)
        self.assertIn("password_changed", events)
        blobs = {"answers": b"".join(self.w.answers), "events": events.encode()}
        for path in files:
            with open(path, "rb") as f:
                blobs[path] = f.read()
        for name, blob in blobs.items():
            for secret in SEEN:
                self.assertNotIn(secret.encode(), blob, "a password in " + name)


class SaturatedTest(unittest.TestCase):
    def test_excess_password_requests_get_503_with_retry_after(self):
        with tempfile.TemporaryDirectory(prefix="sg-central-auth-busy-") as tmp:
            w = AuthCentral(tmp, {"max_concurrent_hashes": 1, "max_hash_queue": 4,
                                  "max_hash_wait_ms": 100, "argon2_memory_kib": 65536})
            try:
                def one(i):
                    return w.call("/v1/auth/verify", "SVC-A", {"account": "x%d" % i, "password": PERF})

                with concurrent.futures.ThreadPoolExecutor(max_workers=40) as pool:
                    answers = list(pool.map(one, range(40)))
                statuses = [a[0] for a in answers]
                self.assertIn(200, statuses)
                self.assertIn(503, statuses)
                self.assertEqual(set(statuses), {200, 503})
                for status, headers, body in answers:
                    if status == 503:
                        self.assertGreaterEqual(int(headers["Retry-After"]), 1)
                        self.assertEqual(body["error"], "busy")
                    else:
                        self.assertEqual(body["result"], "not_managed")
                # Long-polls and reads stay served meanwhile (other threads).
                self.assertEqual(w.c.request("GET", "/healthz")[0], 200)
                metrics = w.c.request("GET", "/metrics")[2].decode()
                self.assertRegex(metrics, r"(?m)^staffgate_central_auth_hash_rejected_total [1-9]")
            finally:
                w.c.stop()


if __name__ == "__main__":
    sgtest.require_inputs("STAFFGATE_CENTRAL_BIN", "STAFFGATE_ADMIN_BIN")
    unittest.main()
