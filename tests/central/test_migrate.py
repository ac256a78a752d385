"""`staffgate-central migrate --to` (docs/operations.md, "Moving to
PostgreSQL"): a populated SQLite central, copied into the real PostgreSQL 15
of the pg_server fixture, serves on as before. Its workstation keeps its
token (no enrolment again), the roster keeps its bytes and serial, uids,
the journal, administrators, the password, the lease and the audit events
are all there, and the next change and event continue above the copied
ones. Refusals change nothing: a running central, a URI with a password,
a database that already holds data. Runs only as central_migrate (on the
fixture)."""
import base64
import json
import os
import sqlite3
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import pgserver  # noqa: E402
from centraltest import CENTRAL, TEST_DATABASE, Central, run  # noqa: E402

PASSWORD = "Correct-Horse-Battery-9"


class MigrateTest(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="sg-migrate-")
        self.tmp = self._tmp.name
        self.c = Central(os.path.join(self.tmp, "a"), database="sqlite")
        self.conf = os.path.join(self.c.dir, "central.conf")

    def tearDown(self):
        self.c.stop()
        self._tmp.cleanup()

    def migrate(self, to, rc, relative=False):
        """`relative`: run in the central's directory with --config central.conf."""
        if relative:
            r = run([CENTRAL, "migrate", "--config", "central.conf", "--to", to], timeout=120,
                    cwd=self.c.dir)
        else:
            r = run([CENTRAL, "migrate", "--config", self.conf, "--to", to], timeout=120)
        self.assertEqual(r.returncode, rc, r.stdout + r.stderr)
        return r

    def ws(self, method, path, body=None):
        data = None if body is None else json.dumps(body)
        status, _, answer = self.c.request(method, path, body=data, token=self.token,
                                           headers={"Content-Type": "application/json"})
        return status, answer

    def populate(self):
        """Something in every table an agent or an auditor relies on."""
        c = self.c
        self.token = c.admin_ok("workstation", "add", "WS-1", "--groups", "sales").strip()
        c.admin_ok("employee", "add", "E1", "--account", "asmith", "--groups", "sales",
                   "--name", "Ann Smith")
        c.admin_ok("employee", "add", "E2", "--account", "bjones", "--uid", "1005", "--groups", "sales")
        c.admin_ok("employee", "add", "E3", "--account", "cy", "--groups", "sales")
        c.admin_ok("employee", "terminate", "E3")
        c.admin_ok("shared-account", "add", "sales")
        c.admin_ok("admin", "add", "alice", "--role", "hr")
        r = c.admin("employee", "set-password", "E1", input=PASSWORD + "\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        batch = [{"id": "ev-%d" % i, "time": "2026-11-30T10:00:0%d.000Z" % i, "type": "decision",
                  "account": "asmith", "decision": "allow", "reason": "allowed"} for i in range(3)]
        self.assertEqual(self.ws("POST", "/v1/events", batch)[0], 202)
        status, lease = self.ws("POST", "/v1/sessions", {"account": "asmith"})
        self.assertEqual(status, 201, lease)
        self.lease = json.loads(lease)["id"]

    def roster(self, drop=()):
        """The roster payload the workstation is served, less `drop`."""
        status, _, body = self.c.request("GET", "/v1/roster", token=self.token)
        self.assertEqual(status, 200)
        payload = json.loads(base64.b64decode(json.loads(body)["payload"]))
        return {k: v for k, v in payload.items() if k not in drop}

    def snapshot(self):
        """What the central serves, as text, to compare across the move."""
        c = self.c
        events = json.loads(c.admin_ok("events", "--json", "--since", "2026-01-01T00:00:00Z"))
        return {
            "roster": self.roster(drop=("serial", "issued_at", "expires_at")),
            "employees": json.loads(c.admin_ok("employee", "list", "--json")),
            "admins": json.loads(c.admin_ok("admin", "list", "--json")),
            "actions": json.loads(c.admin_ok("actions", "--json")),
            "events": sorted(e["id"] for e in events),
            "sessions": [s["id"] for s in json.loads(c.admin_ok("sessions", "--json"))],
        }

    def test_a_populated_central_moves_and_serves_on(self):
        # Without --to: the schema brought to this build's, nothing else.
        r = run([CENTRAL, "migrate", "--config", self.conf])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout, r"^the database of %s is at schema version \d+, this build's\n$"
                         % self.conf)
        self.c.start()
        self.populate()
        before = self.snapshot()
        self.assertEqual(len(before["events"]), 5)  # Three posted, lease_acquired, password_set.
        uri = pgserver.create_database(TEST_DATABASE)

        r = self.migrate(uri, 1)
        self.assertIn("still answers on 127.0.0.1:%d" % self.c.port, r.stderr)
        # The lock `serve` holds: a second serve on the same file is refused
        # before it binds, and so is a schema upgrade under the running one.
        for cmd in (["serve"], ["migrate"]):
            r = run([CENTRAL] + cmd + ["--config", self.conf], timeout=60)
            self.assertNotEqual(r.returncode, 0, r.stdout + r.stderr)
            self.assertIn("holds %s.lock" % os.path.join(self.c.dir, "central.db"), r.stderr)
        self.c.stop()
        with open(self.conf) as f:
            conf_before = f.read()
        r = self.migrate("postgresql://staffgate:Sekr1t@localhost/x", 1)
        self.assertIn("PGPASSFILE", r.stderr)
        self.assertNotIn("Sekr1t", r.stderr + r.stdout)
        # A database holding another central's data is not written to.
        other = Central(os.path.join(self.tmp, "b"), database=pgserver.create_database(TEST_DATABASE))
        r = self.migrate(other.database, 1)
        self.assertIn("already holds rows in 'meta'", r.stderr)
        with open(self.conf) as f:
            self.assertEqual(f.read(), conf_before)

        # A source table with no place in PostgreSQL fails the whole copy;
        # the schema it left behind takes the next attempt.
        db = sqlite3.connect(os.path.join(self.c.dir, "central.db"))
        db.execute("CREATE TABLE extra (x TEXT)")
        db.commit()
        r = self.migrate(uri, 1)
        self.assertIn("has a table 'extra'", r.stderr)
        db.execute("DROP TABLE extra")
        db.commit()
        db.close()

        # A serial published and then lost with an older database: the
        # high-water file beside it still counts (the central publishes
        # above it at its start).
        serial_file = os.path.join(self.c.dir, "central.db.serial")
        with open(serial_file) as f:
            served = int(f.read())
        with open(serial_file, "w") as f:
            f.write("%d\n" % (served + 5))

        r = self.migrate(uri, 0, relative=True)  # Writes ./central.conf, not /central.conf.
        self.assertIn("employees 3,", r.stdout)
        self.assertIn("events 5;", r.stdout)
        with open(self.conf) as f:
            conf_after = f.read()
        self.assertIn('database = "%s"' % uri, conf_after)
        self.assertIn("# Relative paths are relative", conf_after)  # Comments kept.
        self.assertEqual(conf_after.replace('"%s"' % uri, '"sqlite"'), conf_before)
        self.assertEqual(self.migrate(uri, 1).stderr.count("already names a PostgreSQL database"), 1)

        self.c.database = uri
        self.c.start()
        after = self.snapshot()
        for key in before:
            self.assertEqual(after[key], before[key], key)
        self.assertIn("1005", json.dumps(after["employees"]))  # Adopted and granted uids kept.
        self.assertEqual(self.roster()["serial"], served + 6)
        # The workstation's token, lease and the password work as before.
        self.assertEqual(self.ws("PUT", "/v1/sessions/" + self.lease, {})[0], 200)
        status, answer = self.ws("POST", "/v1/auth/verify", {"account": "asmith", "password": PASSWORD,
                                                             "service": "login", "rhost": ""})
        self.assertEqual((status, json.loads(answer)["result"]), (200, "ok"))
        # New rows continue above the copied ones: the next serial above the
        # high-water mark, a journal entry and an event with fresh numbers.
        self.c.admin_ok("employee", "add", "E4", "--account", "dd", "--groups", "sales")
        self.assertEqual(self.roster()["serial"], served + 7)
        self.assertEqual(len(json.loads(self.c.admin_ok("actions", "--json"))), len(before["actions"]) + 1)
        batch = [{"id": "ev-new", "time": "2026-11-30T11:00:00.000Z", "type": "decision",
                  "account": "dd", "decision": "allow", "reason": "allowed"}]
        status, answer = self.ws("POST", "/v1/events", batch)
        self.assertEqual((status, json.loads(answer)["accepted"]), (202, 1))


if __name__ == "__main__":
    unittest.main(verbosity=2)
