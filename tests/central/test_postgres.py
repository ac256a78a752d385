"""The central on PostgreSQL (docs/design.md §12), through the real
staffgate-central and staffgate-admin on the real PostgreSQL 15 of the
pg_server fixture (tests/lib/pgserver.py): a URI with a password refused
without echoing it, init refusing a database that holds a central, and the
database going away: /healthz fails, changes are refused with a clear
error, the roster is still served, and everything recovers without a
restart when the database comes back. Runs only as central_postgres (on
the fixture); the rest of the tier runs on both engines."""
import base64
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import pgserver  # noqa: E402
import sgtest  # noqa: E402
from centraltest import ADMIN, CENTRAL, TEST_DATABASE, Central, on_postgres, run  # noqa: E402
from consoletest import ConsoleClient  # noqa: E402

SECRET = "Sekr1t-Never-Echoed"


def psql(uri, sql):
    r = subprocess.run(["psql", "-q", "-At", "-v", "ON_ERROR_STOP=1", uri, "-c", sql],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return r.stdout.strip()


def database_name(uri):
    return uri.split(":///", 1)[1].split("?", 1)[0]


class PostgresInitTest(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="sg-pg-")
        self.tmp = self._tmp.name

    def tearDown(self):
        self._tmp.cleanup()

    def test_password_in_uri_refused_without_echo(self):
        for uri in ("postgresql://staffgate:%s@localhost/x" % SECRET,
                    "postgresql:///x?host=/tmp&password=%s" % SECRET):
            r = run([CENTRAL, "init", "--dir", os.path.join(self.tmp, "c"), "--database", uri])
            self.assertEqual(r.returncode, 1, r.stderr)
            self.assertIn("PGPASSFILE", r.stderr)
            self.assertNotIn(SECRET, r.stderr + r.stdout)
            self.assertFalse(os.path.exists(os.path.join(self.tmp, "c", "roster-signing.key")))
        # The same in central.conf: serve refuses to start, naming the key.
        c = Central(self.tmp)
        c.set_conf("database", '"postgresql://staffgate:%s@localhost/x"' % SECRET)
        r = run([CENTRAL, "serve", "--config", os.path.join(c.dir, "central.conf")])
        self.assertEqual(r.returncode, 1)
        self.assertIn("key 'database'", r.stderr)
        self.assertIn("PGPASSFILE", r.stderr)
        self.assertNotIn(SECRET, r.stderr + r.stdout)

    def test_init_refuses_a_database_holding_a_central(self):
        c = Central(self.tmp)  # Its database now holds a central.
        r = run([CENTRAL, "init", "--dir", os.path.join(self.tmp, "second"), "--database",
                 c.database])
        self.assertEqual(r.returncode, 1)
        self.assertIn("already holds a central", r.stderr)
        self.assertIn("--join", r.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "second", "central.conf")))
        with open(os.path.join(c.dir, "central.conf")) as f:
            self.assertIn('database = "%s"' % c.database, f.read())
        self.assertFalse(os.path.exists(os.path.join(c.dir, "central.db")))

    def test_unreachable_server_is_a_clear_error(self):
        r = run([CENTRAL, "init", "--dir", os.path.join(self.tmp, "c"), "--database",
                 "postgresql:///x?host=%s/nowhere&connect_timeout=2" % self.tmp])
        self.assertEqual(r.returncode, 1)
        self.assertIn("cannot connect to the PostgreSQL database", r.stderr)


class PostgresOutageTest(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="sg-pg-")
        self.c = Central(self._tmp.name)
        self.c.start()
        self.ws = self.c.admin_ok("workstation", "add", "WS-1").strip()
        self.name = database_name(self.c.database)

    def tearDown(self):
        self.set_reachable(True)
        self.c.stop()
        self._tmp.cleanup()

    def set_reachable(self, reachable):
        """Lets this central's database take connections or not; `not`
        also ends the connections it has (the others' databases go on)."""
        psql(TEST_DATABASE, "ALTER DATABASE %s ALLOW_CONNECTIONS %s" %
             (self.name, "true" if reachable else "false"))
        if not reachable:
            psql(TEST_DATABASE, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                "WHERE datname = '%s'" % self.name)

    def serial(self):
        status, headers, body = self.c.request("GET", "/v1/roster", token=self.ws)
        self.assertEqual(status, 200)
        return json.loads(base64.b64decode(json.loads(body)["payload"]))["serial"]

    def test_database_away_and_back(self):
        self.c.admin_ok("employee", "add", "E1", "--account", "anna")
        s0 = self.serial()
        self.set_reachable(False)
        sgtest.wait_until(lambda: self.c.request("GET", "/healthz")[0] != 200, timeout=10)
        status, _, body = self.c.request("GET", "/healthz")
        self.assertEqual(status, 503, body)
        r = self.c.admin("employee", "terminate", "E1")
        self.assertEqual(r.returncode, 1)
        self.assertIn("database", r.stderr)
        # A write refused while the database is away: 503, try again later.
        status, headers, body = self.c.request("POST", "/v1/admin/shared-accounts",
                                               body=json.dumps({"name": "sales"}),
                                               token=self.c.admin_token)
        self.assertEqual(status, 503, body)
        self.assertEqual(headers.get("Retry-After"), "5", headers)
        self.assertEqual(self.serial(), s0)  # The roster in hand is still served.
        self.set_reachable(True)
        sgtest.wait_until(lambda: self.c.request("GET", "/healthz")[0] == 200, timeout=10)
        self.c.admin_ok("employee", "terminate", "E1")
        self.assertEqual(self.serial(), s0 + 1)
        self.assertIn("terminated", self.c.admin_ok("employee", "list"))

    def test_a_sign_out_while_the_database_is_away_clears_the_cookie_and_says_so(self):
        dora = ConsoleClient(self.c).sign_in_new("dora", "hr")
        cookie = dora.cookie
        self.set_reachable(False)
        # The session cannot be found (never let in), nor its end recorded:
        # the browser is signed out all the same, and told the truth.
        status, _, page = dora.post("/ui/sign-out", token=None)
        self.assertEqual(status, 503, page)
        self.assertIn("could not record the sign-out", page)
        self.assertIn("Max-Age=0", dora.set_cookie or "")
        self.set_reachable(True)
        # Back: the old cookie still names a live session (it was not
        # ended), and a sign-out now ends it.
        dora.cookie = cookie
        self.assertTrue(sgtest.wait_until(lambda: dora.get("/ui/employees")[0] == 200,
                                          timeout=10))
        self.assertEqual(dora.post("/ui/sign-out")[0], 303)
        self.assertEqual(dora.get("/ui/employees")[0], 303)


def add_at_once(test, adds):
    """Runs `staffgate-admin employee add EID --account ACCOUNT` against
    each (central, EID, ACCOUNT) of `adds` at the same moment; each must
    succeed."""
    procs = [subprocess.Popen([ADMIN, "employee", "add", eid, "--account", account],
                              env=dict(os.environ, STAFFGATE_CENTRAL=c.url(),
                                       STAFFGATE_CA=os.path.join(c.dir, "ca.pem"),
                                       STAFFGATE_TOKEN_FILE=os.path.join(c.dir, "admin.token")),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for c, eid, account in adds]
    for p in procs:
        _, err = p.communicate(timeout=60)
        test.assertEqual(p.returncode, 0, err)


class TwoCentralsTest(unittest.TestCase):
    """Two centrals on one database (B made by `init --join A`: the same
    key, CA and admin token): what one writes, the other serves."""

    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="sg-pg2-")
        self.a = Central(os.path.join(self._tmp.name, "a"))
        self.a.start()
        self.ws = self.a.admin_ok("workstation", "add", "WS-1").strip()
        self.b = self.a.join(os.path.join(self._tmp.name, "b"))
        self.b.start()

    def tearDown(self):
        self.a.stop()
        self.b.stop()
        self._tmp.cleanup()

    def roster(self, c):
        status, headers, body = c.request("GET", "/v1/roster", token=self.ws)
        self.assertEqual(status, 200, body)
        payload = json.loads(base64.b64decode(json.loads(body)["payload"]))
        return payload, body

    def held_poll(self, c, serial, out):
        status, _, body = c.request("GET", "/v1/roster", token=self.ws, timeout=40, headers={
            "If-None-Match": '"%d"' % serial, "Prefer": "wait=30"})
        out.append((time.monotonic(), status, body))

    def test_a_change_on_one_wakes_a_poll_held_on_the_other(self):
        s0 = self.roster(self.b)[0]["serial"]
        answers = []
        poll = threading.Thread(target=self.held_poll, args=(self.b, s0, answers))
        poll.start()
        time.sleep(0.5)  # Held by now.
        self.a.admin_ok("employee", "add", "E1", "--account", "anna")
        changed = time.monotonic()
        poll.join(timeout=40)
        answered, status, body = answers[0]
        self.assertEqual(status, 200, body)
        self.assertLess(answered - changed, 1.0)
        payload, a_body = self.roster(self.a)
        self.assertEqual(payload["serial"], s0 + 1)
        self.assertEqual(body, a_body)  # The same envelope bytes on both.

    def test_simultaneous_changes_get_distinct_serials_and_both_land(self):
        s0 = self.roster(self.a)[0]["serial"]
        add_at_once(self, ((self.a, "E2", "bert"), (self.b, "E3", "carl")))
        for c in (self.a, self.b):
            self.assertTrue(sgtest.wait_until(lambda: self.roster(c)[0]["serial"] == s0 + 2, timeout=5))
            accounts = {a for e in self.roster(c)[0]["employees"] for a in e["accounts"]}
            self.assertEqual(accounts, {"bert", "carl"})
        self.assertEqual(self.roster(self.a)[1], self.roster(self.b)[1])

    def test_a_central_publishing_at_start_waits_for_a_change_in_flight_and_includes_it(self):
        # B must publish when it starts (its organisation changed), while
        # another central's change holds the serial row, uncommitted.
        self.b.stop()
        self.b.set_conf("organization", '"Other Motors"')
        held = subprocess.Popen(["psql", "-q", "-v", "ON_ERROR_STOP=1", self.a.database],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        held.stdin.write("BEGIN;\n"
                         "SELECT value FROM meta WHERE key = 'serial_high_water' FOR UPDATE;\n"
                         "INSERT INTO employees(id, name, status, groups, updated_at) "
                         "VALUES ('EZ', 'Zed', 'active', '[]', 0);\n"
                         "INSERT INTO accounts(name, employee_id) VALUES ('zed', 'EZ');\n")
        held.stdin.flush()
        time.sleep(0.5)  # The row is held by now.
        starting = threading.Thread(target=self.b.start)
        starting.start()
        # B has read the state and waits for the row: only then commit.
        self.assertTrue(sgtest.wait_until(lambda: psql(self.a.database, (
            "SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            "AND datname = current_database()")) != "0", timeout=20))
        held.stdin.write("COMMIT;\n")
        held.stdin.close()
        self.assertEqual(held.wait(timeout=30), 0, held.stderr.read())
        starting.join(timeout=60)
        payload = self.roster(self.b)[0]
        self.assertEqual(payload["organization"], "Other Motors")
        self.assertIn("zed", {a for e in payload["employees"] for a in e["accounts"]})

    def test_join_shares_the_key_and_trust_and_refuses_what_it_cannot_join(self):
        for name in ("roster-signing.key", "ca.pem", "admin.token"):
            with open(os.path.join(self.a.dir, name)) as fa, \
                    open(os.path.join(self.b.dir, name)) as fb:
                self.assertEqual(fa.read(), fb.read(), name)
        self.assertEqual(os.stat(os.path.join(self.b.dir, "roster-signing.key")).st_mode & 0o777,
                         0o600)
        with open(os.path.join(self.b.dir, "central.conf")) as f:
            conf = f.read()
        self.assertIn('database = "%s"' % self.a.database, conf)
        self.assertIn('listen = "127.0.0.1:%d"' % self.b.port, conf)
        self.assertIn('signing_key = "roster-signing.key"', conf)
        # B's own server certificate, trusted through A's CA (self.b.tls).
        self.assertEqual(self.b.request("GET", "/healthz")[0], 200)
        # A SQLite central cannot be joined; neither can a --database be named.
        lone = os.path.join(self._tmp.name, "lone")
        r = run([CENTRAL, "init", "--dir", lone])
        self.assertEqual(r.returncode, 0, r.stderr)
        r = run([CENTRAL, "init", "--dir", os.path.join(self._tmp.name, "c"), "--join", lone])
        self.assertEqual(r.returncode, 1)
        self.assertIn("keeps its data in SQLite", r.stderr)
        r = run([CENTRAL, "init", "--dir", os.path.join(self._tmp.name, "d"), "--join", self.a.dir,
                 "--database", self.a.database])
        self.assertEqual(r.returncode, 2)
        for d in ("c", "d"):
            self.assertFalse(os.path.exists(os.path.join(self._tmp.name, d, "central.conf")))

    def test_an_event_batch_sent_to_both_is_stored_once(self):
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        batch = json.dumps([{"id": "both-%d" % i, "type": "login", "decision": "allow",
                             "time": now, "account": "anna"} for i in range(5)])
        answers = []
        for c in (self.a, self.b):
            status, _, body = c.request("POST", "/v1/events", body=batch, token=self.ws)
            self.assertEqual(status, 202, body)
            answers.append(json.loads(body))
        self.assertEqual(answers[0]["accepted"], 5, answers)
        self.assertEqual(answers[1]["accepted"], 0, answers)
        self.assertEqual(answers[1]["duplicates"], 5, answers)
        stored = psql(self.a.database, "SELECT count(*) FROM events WHERE id LIKE 'both-%'")
        self.assertEqual(stored, "5")

    def test_connections_dropped_by_the_server_are_remade_and_notices_follow(self):
        s0 = self.roster(self.b)[0]["serial"]
        psql(TEST_DATABASE, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                            "WHERE datname = '%s'" % database_name(self.a.database))
        time.sleep(1.5)  # The listeners reconnect within their one-second tick.
        answers = []
        poll = threading.Thread(target=self.held_poll, args=(self.b, s0, answers))
        poll.start()
        time.sleep(0.5)
        # The first statement on a dropped connection fails (503, nothing
        # changed); the next one reconnects.
        for _ in range(3):
            if self.a.admin("employee", "add", "E9", "--account", "ivan").returncode == 0:
                break
        changed = time.monotonic()
        poll.join(timeout=40)
        answered, status, body = answers[0]
        self.assertEqual(status, 200, body)
        self.assertLess(answered - changed, 1.0)
        self.assertEqual(self.roster(self.b)[0]["serial"], s0 + 1)

    def test_a_change_waits_at_most_5_s_for_a_hung_holder_of_the_serial_row(self):
        s0 = self.roster(self.a)[0]["serial"]
        holder = subprocess.Popen(
            ["psql", "-q", "-v", "ON_ERROR_STOP=1", self.a.database, "-c",
             "BEGIN; SELECT value FROM meta WHERE key = 'serial_high_water' FOR UPDATE; "
             "SELECT pg_sleep(12); COMMIT;"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            time.sleep(1.0)  # The row is held by now.
            start = time.monotonic()
            status, headers, body = self.a.request("POST", "/v1/admin/shared-accounts",
                                                   body=json.dumps({"name": "sales"}),
                                                   token=self.a.admin_token)
            waited = time.monotonic() - start
            self.assertEqual(status, 503, body)
            self.assertEqual(headers.get("Retry-After"), "5")
            self.assertLess(waited, 8.0)
            self.assertEqual(self.roster(self.a)[0]["serial"], s0)  # Nothing changed.
        finally:
            holder.wait(timeout=30)
        self.a.admin_ok("shared-account", "add", "sales")
        self.assertEqual(self.roster(self.a)[0]["serial"], s0 + 1)

    def lease_call(self, c, method, path, token, body=None):
        status, _, answer = c.request(method, path, token=token,
                                      body=json.dumps(body) if body is not None else "",
                                      headers={"Content-Type": "application/json"})
        return status, (json.loads(answer) if answer else None)

    def test_a_lease_held_through_one_refuses_the_account_through_the_other(self):
        ws2 = self.a.admin_ok("workstation", "add", "WS-2").strip()
        self.a.admin_ok("employee", "add", "E7", "--account", "lena")
        # B knows the new token and employee once it has caught up.
        self.assertTrue(sgtest.wait_until(
            lambda: self.b.request("GET", "/v1/roster", token=ws2)[0] == 200, timeout=5))
        status, held = self.lease_call(self.a, "POST", "/v1/sessions", self.ws, {"account": "lena"})
        self.assertEqual(status, 201, held)
        status, refused = self.lease_call(self.b, "POST", "/v1/sessions", ws2, {"account": "lena"})
        self.assertEqual(status, 409, refused)
        self.assertEqual(refused["workstation"], "WS-1")
        # The holder renews through B; both list the one lease.
        status, renewed = self.lease_call(self.b, "PUT", "/v1/sessions/" + held["id"], self.ws)
        self.assertEqual((status, renewed["id"]), (200, held["id"]))
        for c in (self.a, self.b):
            listed = json.loads(c.admin_ok("sessions", "--json"))
            self.assertEqual([(s["account"], s["workstation"]) for s in listed], [("lena", "WS-1")])
        # Ended on B: A's holder learns it at its next renewal, and the
        # account is free for WS-2 through A.
        self.b.admin_ok("sessions", "end", held["id"])
        status, gone = self.lease_call(self.a, "PUT", "/v1/sessions/" + held["id"], self.ws)
        self.assertEqual((status, gone["error"]), (410, "lease_ended"))
        status, taken = self.lease_call(self.a, "POST", "/v1/sessions", ws2, {"account": "lena"})
        self.assertEqual(status, 201, taken)
        status, _ = self.lease_call(self.b, "DELETE", "/v1/sessions/" + taken["id"], ws2)
        self.assertEqual(status, 204)
        self.assertEqual(json.loads(self.a.admin_ok("sessions", "--json")), [])

    def test_a_lease_ended_on_one_wakes_its_holder_polling_the_other(self):
        self.a.admin_ok("employee", "add", "E6", "--account", "olga")
        status, held = self.lease_call(self.a, "POST", "/v1/sessions", self.ws, {"account": "olga"})
        self.assertEqual(status, 201, held)
        s0 = self.roster(self.a)[0]["serial"]
        answers = []

        def poll():
            status, headers, _ = self.a.request("GET", "/v1/roster", token=self.ws, timeout=40,
                                                headers={"If-None-Match": '"%d"' % s0,
                                                         "Prefer": "wait=30"})
            answers.append((time.monotonic(), status, headers))

        holder = threading.Thread(target=poll)
        holder.start()
        time.sleep(0.5)  # Held by now.
        self.b.admin_ok("sessions", "end", held["id"])
        ended = time.monotonic()
        holder.join(timeout=40)
        answered, status, headers = answers[0]
        self.assertEqual(status, 304)
        self.assertEqual(headers.get("Staffgate-Lease-Ended"), "1", headers)
        self.assertLess(answered - ended, 1.5)

    def test_wrong_passwords_through_both_count_against_one_lockout(self):
        good = "Harbour-Lantern-Copper-77"
        self.a.admin_ok("employee", "add", "E8", "--account", "mira")
        r = self.a.admin("employee", "set-password", "E8", input=good + "\n")
        self.assertEqual(r.returncode, 0, r.stderr)

        def verify(c, password):
            status, _, body = c.request("POST", "/v1/auth/verify", token=self.ws,
                                        body=json.dumps({"account": "mira", "password": password}),
                                        headers={"Content-Type": "application/json"})
            self.assertEqual(status, 200, body)
            return json.loads(body)["result"]

        self.assertTrue(sgtest.wait_until(lambda: verify(self.b, good) == "ok", timeout=5))
        # lockout_failures is 10: five wrong through each central lock it
        # (each central alone has seen only five).
        for i in range(10):
            self.assertEqual(verify((self.a, self.b)[i % 2], "wrong-%d" % i), "bad_credentials")
        for c in (self.a, self.b):
            self.assertEqual(verify(c, good), "locked_out")
        self.b.admin_ok("employee", "unlock", "E8")
        self.assertEqual(verify(self.a, good), "ok")

    def test_an_administrator_removed_on_one_is_gone_on_the_other(self):
        self.a.admin_ok("admin", "add", "dora", "--role", "hr")
        self.assertTrue(sgtest.wait_until(lambda: "dora" in self.b.admin_ok("admin", "list"), timeout=5))
        self.a.admin_ok("admin", "remove", "dora")
        self.assertTrue(sgtest.wait_until(lambda: "dora" not in self.b.admin_ok("admin", "list"), timeout=5))

    def test_a_console_session_begun_on_one_is_good_on_the_other_and_ends_on_both(self):
        alice = ConsoleClient(self.a).sign_in_new("alice", "hr")
        on_b = ConsoleClient(self.b)
        on_b.cookie = alice.cookie  # The same browser, sent to B by the load balancer.
        status, _, page = on_b.get("/ui/employees")
        self.assertEqual(status, 200, page)
        self.assertEqual(on_b.token, alice.token)  # The form token works on either.
        status, _, _ = on_b.post("/ui/sign-out")
        self.assertEqual(status, 303)
        self.assertEqual(alice.get("/ui/employees")[0], 303)  # Signed out on A too.
        # Removed on A: a session begun on B ends there at once.
        bert = ConsoleClient(self.b).sign_in_new("bert", "it")
        cookie = bert.cookie
        self.assertNotIn(cookie, self.b.database_text())  # Only the id's hash is kept.
        self.a.admin_ok("admin", "remove", "bert")  # B hears of it by NOTIFY.
        self.assertTrue(sgtest.wait_until(lambda: bert.get("/ui/employees")[0] == 303, timeout=5))

    def test_a_sign_out_the_database_refuses_is_said_not_hidden(self):
        carl = ConsoleClient(self.a).sign_in_new("carl", "hr")
        # The session still reads and writes; only its delete is refused.
        psql(self.a.database,
             "CREATE FUNCTION refuse_delete() RETURNS trigger LANGUAGE plpgsql AS "
             "$$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$; "
             "CREATE TRIGGER refuse_delete BEFORE DELETE ON console_sessions "
             "FOR EACH ROW EXECUTE FUNCTION refuse_delete()")
        try:
            cookie = carl.cookie
            status, _, page = carl.post("/ui/sign-out")
            self.assertEqual(status, 503, page)
            self.assertIn("could not record the sign-out", page)
            self.assertIn("Max-Age=0", carl.set_cookie or "")
            # Not hidden because it is true: the session lives on.
            carl.cookie = cookie
            self.assertEqual(carl.get("/ui/employees")[0], 200)
        finally:
            psql(self.a.database, "DROP TRIGGER refuse_delete ON console_sessions; "
                 "DROP FUNCTION refuse_delete()")
        self.assertEqual(carl.post("/ui/sign-out")[0], 303)
        self.assertEqual(carl.get("/ui/employees")[0], 303)

class ThreeCentralsTest(unittest.TestCase):
    """Three centrals on one database (B and C joined to A)."""

    roster = TwoCentralsTest.roster
    held_poll = TwoCentralsTest.held_poll

    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="sg-pg3-")
        self.a = Central(os.path.join(self._tmp.name, "a"))
        self.a.start()
        self.ws = self.a.admin_ok("workstation", "add", "WS-1").strip()
        self.b = self.a.join(os.path.join(self._tmp.name, "b"))
        self.c = self.a.join(os.path.join(self._tmp.name, "c"))
        self.b.start()
        self.c.start()
        self.all = (self.a, self.b, self.c)

    def tearDown(self):
        for c in self.all:
            c.stop()
        self._tmp.cleanup()

    def test_a_change_on_one_wakes_both_others_and_three_at_once_all_land(self):
        s0 = self.roster(self.a)[0]["serial"]
        answers = {self.a.port: [], self.b.port: []}
        polls = [threading.Thread(target=self.held_poll, args=(c, s0, answers[c.port]))
                 for c in (self.a, self.b)]
        for t in polls:
            t.start()
        time.sleep(0.5)  # Held by now.
        self.c.admin_ok("employee", "add", "E1", "--account", "anna")
        changed = time.monotonic()
        for t in polls:
            t.join(timeout=40)
        for port, out in answers.items():
            answered, status, body = out[0]
            self.assertEqual(status, 200, (port, body))
            self.assertLess(answered - changed, 1.0, port)
        add_at_once(self, ((self.a, "E2", "bert"), (self.b, "E3", "carl"), (self.c, "E4", "dora")))
        for c in self.all:
            self.assertTrue(sgtest.wait_until(lambda: self.roster(c)[0]["serial"] == s0 + 4, timeout=5))
            accounts = {a for e in self.roster(c)[0]["employees"] for a in e["accounts"]}
            self.assertEqual(accounts, {"anna", "bert", "carl", "dora"})
        self.assertEqual(len({self.roster(c)[1] for c in self.all}), 1)  # One envelope.


def postgres_processes(directory):
    """The pids of the server in `directory`: its postmaster and children."""
    with open(os.path.join(directory, "data", "postmaster.pid")) as f:
        master = int(f.readline())
    children = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True,
                              timeout=10).stdout.split()
    return [master] + [int(p) for p in children]


class OwnServerTest(unittest.TestCase):
    """A central on a PostgreSQL server of the test's own, which the test
    restarts or stops. Restarted (every connection closed): the central
    takes it up again without a restart. Hung without closing anything
    (SIGSTOP on every server process: a hung host, a stuck disk): the
    central keeps serving rosters and long-polls from memory, however many
    calls wait for the database on its workers, and those calls go through
    once it answers again."""

    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="sg-pghung-")
        os.chmod(self._tmp.name, 0o755)  # As root, the server runs as nobody (pgserver.py).
        self.pg_dir = os.path.join(self._tmp.name, "pg")
        base = pgserver.start(self.pg_dir)
        self.c = Central(os.path.join(self._tmp.name, "c"), database=pgserver.create_database(base))
        self.c.start()
        self.ws = self.c.admin_ok("workstation", "add", "WS-1").strip()
        for i in range(3):
            self.c.admin_ok("employee", "add", "E%d" % i, "--account", "acct%d" % i)
        self.stopped = []

    def tearDown(self):
        for pid in self.stopped:
            os.kill(pid, signal.SIGCONT)
        self.c.stop()
        pgserver.stop(self.pg_dir)
        self._tmp.cleanup()

    def roster_status(self, headers=None, timeout=10):
        started = time.monotonic()
        status = self.c.request("GET", "/v1/roster", token=self.ws, headers=headers,
                                timeout=timeout)[0]
        return status, time.monotonic() - started

    def test_a_restarted_server_is_taken_up_again_without_restarting_the_central(self):
        serial = int(self.c.request("GET", "/v1/roster", token=self.ws)[1]["ETag"].strip('"'))
        pgserver.restart(self.pg_dir)
        # A connection found closed fails its statement; the next one
        # reconnects. Every part of the central gets there.
        self.assertTrue(sgtest.wait_until(
            lambda: self.c.request("GET", "/healthz")[0] == 200, timeout=20))
        self.assertTrue(sgtest.wait_until(
            lambda: self.c.admin("employee", "terminate", "E0").returncode == 0, timeout=20))
        self.assertEqual(self.roster_status()[0], 200)
        self.assertEqual(
            int(self.c.request("GET", "/v1/roster", token=self.ws)[1]["ETag"].strip('"')),
            serial + 1)
        lease = json.dumps({"account": "acct1"})
        self.assertTrue(sgtest.wait_until(lambda: self.c.request(
            "POST", "/v1/sessions", token=self.ws, body=lease)[0] == 201, timeout=20))
        event = json.dumps([{"id": "ev-after-restart", "time": "2026-11-30T10:00:00.000Z",
                             "type": "decision", "account": "acct1", "decision": "allow",
                             "reason": "allowed"}])
        self.assertTrue(sgtest.wait_until(lambda: self.c.request(
            "POST", "/v1/events", token=self.ws, body=event)[0] == 202, timeout=20))

    def test_rosters_and_long_polls_are_served_while_the_database_hangs(self):
        serial = int(self.c.request("GET", "/v1/roster", token=self.ws)[1]["ETag"].strip('"'))
        self.stopped = postgres_processes(self.pg_dir)
        for pid in self.stopped:
            os.kill(pid, signal.SIGSTOP)
        # As many calls waiting for the database as the central has network
        # threads (2): served there, they would leave none for rosters.
        answers = []

        def lease(account):
            answers.append(self.c.request("POST", "/v1/sessions", token=self.ws, timeout=120,
                                          body=json.dumps({"account": account}))[0])
        waiting = [threading.Thread(target=lease, args=("acct%d" % i,)) for i in range(2)]
        for t in waiting:
            t.start()
        time.sleep(1)
        for _ in range(5):
            status, took = self.roster_status()
            self.assertEqual(status, 200)
            self.assertLess(took, 1.0)
        status, took = self.roster_status({"If-None-Match": '"%d"' % serial, "Prefer": "wait=2"})
        self.assertEqual(status, 304)
        self.assertLess(took, 4.0)
        # The central can be watched meanwhile: /metrics comes from memory.
        start = time.monotonic()
        status, _, body = self.c.request("GET", "/metrics", timeout=10)
        self.assertEqual(status, 200)
        self.assertLess(time.monotonic() - start, 1.0)
        self.assertRegex(body, rb"(?m)^staffgate_central_login_pool_rejected_total 0$")
        self.assertEqual(answers, [])  # Still waiting for the database.
        for pid in self.stopped:
            os.kill(pid, signal.SIGCONT)
        self.stopped = []
        for t in waiting:
            t.join(timeout=60)
        self.assertEqual(sorted(answers), [201, 201])


if __name__ == "__main__":
    if not on_postgres():
        sys.exit("test_postgres.py: STAFFGATE_TEST_DATABASE is unset (run it through ctest: "
                 "central_postgres, on the pg_server fixture)")
    unittest.main()
