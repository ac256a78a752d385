"""A real staffgate-central on 127.0.0.1 over HTTPS, driven through the real
staffgate-admin binary and Python's http.client with the generated CA."""
import base64
import http.client
import json
import os
import signal
import socket
import ssl
import stat
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import sgtest  # noqa: E402
from centraltest import ADMIN, CENTRAL, Central, on_postgres, openssl_verify, run  # noqa: E402


class CentralServerTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls._tmp = tempfile.TemporaryDirectory(prefix="sg-central-")
        cls.c = Central(cls._tmp.name)
        cls.c.start()
        r = cls.c.admin("workstation", "add", "WS-1", "--groups", "sales")
        assert r.returncode == 0, r.stderr
        cls.ws_token = r.stdout.strip()
        cls.ws_token_file = os.path.join(cls._tmp.name, "ws.token")
        with open(cls.ws_token_file, "w") as f:
            f.write(cls.ws_token + "\n")
        os.chmod(cls.ws_token_file, 0o600)

    @classmethod
    def tearDownClass(cls):
        cls.c.stop()
        cls._tmp.cleanup()

    # -- helpers -------------------------------------------------------------
    def admin_ok(self, *args):
        r = self.c.admin(*args)
        self.assertEqual(r.returncode, 0, "%s: %s" % (args, r.stderr))
        return r.stdout

    def admin_fails(self, *args, rc=1):
        r = self.c.admin(*args)
        self.assertEqual(r.returncode, rc, "%s: %s %s" % (args, r.stdout, r.stderr))
        if rc == 1:
            self.assertEqual(len(r.stderr.strip().splitlines()), 1, r.stderr)
        return r.stderr

    def roster(self):
        status, headers, body = self.c.request("GET", "/v1/roster", token=self.ws_token)
        self.assertEqual(status, 200)
        env = json.loads(body)
        payload = json.loads(base64.b64decode(env["payload"]))
        self.assertEqual(headers["ETag"], '"%d"' % payload["serial"])
        return body.decode(), payload

    def serial(self):
        return self.roster()[1]["serial"]

    def employee(self, payload, account):
        for e in payload["employees"]:
            if account in e["accounts"]:
                return e
        return None

    # -- tests ---------------------------------------------------------------
    def test_init_made_files_with_right_modes(self):
        files = [("roster-signing.key", 0o600), ("tls.key", 0o600), ("admin.token", 0o600),
                 ("roster-signing.pub", 0o644), ("ca.pem", 0o644), ("tls.crt", 0o644),
                 ("central.conf", 0o640)]
        if not on_postgres():
            files.append(("central.db", 0o600))
        for name, mode in files:
            st = os.stat(os.path.join(self.c.dir, name))
            self.assertEqual(stat.S_IMODE(st.st_mode), mode, name)
        r = run(["openssl", "verify", "-CAfile", os.path.join(self.c.dir, "ca.pem"),
                 os.path.join(self.c.dir, "tls.crt")])
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        r = run(["openssl", "x509", "-in", os.path.join(self.c.dir, "tls.crt"), "-noout", "-ext", "subjectAltName"])
        for san in ("DNS:localhost", "IP Address:127.0.0.1", "DNS:central.test"):
            self.assertIn(san, r.stdout)
        with open(os.path.join(self.c.dir, "central.conf")) as f:
            conf = f.read()
        for key in ("listen", "db", "signing_key", "tls_cert", "tls_key", "roster_lifetime_s", "lease_ttl_s"):
            self.assertIn("\n%s = " % key, conf)
        self.assertNotIn(self.c.admin_token, self.c.database_text())
        r = run([CENTRAL, "init", "--dir", self.c.dir])
        self.assertEqual(r.returncode, 1)
        self.assertIn("refusing", r.stderr)

    def test_account_clashes_name_the_employee_that_holds_it(self):
        self.c.admin_ok("employee", "add", "Z900", "--account", "zowner", "--groups", "sales")
        # A lower id than the owner: the message must still name Z900.
        r = self.c.admin("employee", "add", "A100", "--account", "zowner", "--groups", "sales")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("account 'zowner' already belongs to employee Z900; it cannot also belong "
                      "to A100", r.stderr)
        r = self.c.admin("shared-account", "add", "zowner")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("account 'zowner' belongs to employee Z900; it cannot also be a shared "
                      "account", r.stderr)

    def test_reset_credentials_clear_withdraws_the_flag(self):
        self.c.admin_ok("employee", "add", "R100", "--account", "rclear", "--groups", "sales")

        def reset_after():
            rows = json.loads(self.c.admin_ok("employee", "list", "--json"))
            return [e for e in rows if e["id"] == "R100"][0].get("credentials_reset_after")
        self.c.admin_ok("employee", "reset-credentials", "R100")
        self.assertTrue(reset_after())
        out = self.c.admin_ok("employee", "reset-credentials", "R100", "--clear")
        self.assertIn("credential reset withdrawn for employee R100", out)
        self.assertFalse(reset_after())
        r = self.c.admin("employee", "reset-credentials", "NOPE", "--clear")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("NOPE", r.stderr)

    def test_served_roster_verifies_with_openssl(self):
        text, payload = self.roster()
        self.assertTrue(openssl_verify(text, os.path.join(self.c.dir, "roster-signing.pub"), self._tmp.name))
        self.assertEqual(payload["schema"], "staffgate.roster.v1")
        self.assertEqual(payload["organization"], "Test Motors")
        self.assertIn("max_workstations_per_account", payload["policy"])

    def test_keys_healthz_metrics(self):
        status, headers, body = self.c.request("GET", "/v1/keys", token=self.ws_token)
        self.assertEqual(status, 200)
        with open(os.path.join(self.c.dir, "roster-signing.pub"), "rb") as f:
            self.assertEqual(body, f.read())
        self.assertEqual(self.c.request("GET", "/healthz")[0], 200)
        status, _, body = self.c.request("GET", "/metrics")
        self.assertEqual(status, 200)
        self.assertIn(b"staffgate_central_roster_serial ", body)
        self.assertIn(b"staffgate_central_requests_total ", body)
        # The two request pools' counters (nothing was refused here).
        for pool in ("login", "request"):
            for name, value in (("queued_total", rb"\d+"), ("rejected_total", rb"0"),
                                ("waiting", rb"\d+")):
                self.assertRegex(body, rb"(?m)^staffgate_central_%s_pool_%s %s$"
                                 % (pool.encode(), name.encode(), value))

    def test_a_second_serve_on_the_same_sqlite_database_is_refused(self):
        if on_postgres():
            self.skipTest("several centrals share a PostgreSQL database by design")
        r = run([CENTRAL, "serve", "--config", os.path.join(self.c.dir, "central.conf")],
                timeout=60)
        self.assertNotEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("another staffgate-central process is using", r.stderr)
        self.assertIn("central.db.lock", r.stderr)
        self.assertEqual(self.c.request("GET", "/healthz")[0], 200)  # The first serves on.

    def test_auth_and_not_found(self):
        for path in ("/v1/roster", "/v1/keys"):
            for token in (None, "wrong", "x" * 64):
                status, headers, body = self.c.request("GET", path, token=token)
                self.assertEqual(status, 401, (path, token))
                self.assertEqual(json.loads(body)["error"], "unauthorized")
        self.assertEqual(self.c.request("POST", "/v1/events", body="[]")[0], 401)
        # A workstation token is not an admin token.
        self.assertEqual(self.c.request("GET", "/v1/admin/employees", token=self.ws_token)[0], 401)
        r = self.c.admin("employee", "list", token_file=self.ws_token_file)
        self.assertEqual(r.returncode, 1)
        self.assertIn("token", r.stderr)
        status, _, body = self.c.request("GET", "/v1/nothing", token=self.ws_token)
        self.assertEqual(status, 404)
        self.assertEqual(json.loads(body)["error"], "not_found")
        self.assertEqual(self.c.request("GET", "/v1/admin/nothing", token=self.c.admin_token)[0], 404)
        self.assertEqual(self.c.request("DELETE", "/v1/roster", token=self.ws_token)[0], 405)

    def test_employee_lifecycle_publishes_serials(self):
        s0 = self.serial()
        out = self.admin_ok("employee", "add", "E100", "--account", "life1", "--account", "life2",
                            "--groups", "sales,service", "--name", "Private Person")
        self.assertIn("E100", out)
        text, payload = self.roster()
        self.assertEqual(payload["serial"], s0 + 1)
        e = self.employee(payload, "life1")
        self.assertEqual(e["id"], "E100")
        self.assertEqual(e["accounts"], ["life1", "life2"])
        self.assertEqual(e["groups"], ["sales", "service"])
        self.assertNotIn("Private Person", text)
        self.assertNotIn("Private", base64.b64decode(json.loads(text)["payload"]).decode())
        for verb, status in [("suspend", "suspended"), ("reinstate", "active"), ("terminate", "terminated")]:
            self.admin_ok("employee", verb, "E100")
            self.assertEqual(self.employee(self.roster()[1], "life1")["status"], status)
        self.admin_ok("employee", "reset-credentials", "E100")
        _, payload = self.roster()
        self.assertIn("credentials_reset_after", self.employee(payload, "life1"))
        self.assertEqual(payload["serial"], s0 + 5)
        listed = json.loads(self.admin_ok("employee", "list", "--json"))
        mine = [e for e in listed if e["id"] == "E100"][0]
        self.assertEqual(mine["name"], "Private Person")
        self.assertEqual(mine["status"], "terminated")
        self.assertIn("E100", self.admin_ok("employee", "list"))
        self.admin_fails("employee", "terminate", "NOPE")

    def test_shared_accounts_and_policy(self):
        self.admin_ok("shared-account", "add", "frontdesk")
        self.assertIn("frontdesk", self.roster()[1]["shared_accounts"])
        self.admin_ok("shared-account", "remove", "frontdesk")
        self.assertNotIn("frontdesk", self.roster()[1]["shared_accounts"])
        self.admin_fails("shared-account", "remove", "frontdesk")
        self.admin_ok("policy", "set", "max-workstations-per-account", "3")
        self.assertEqual(self.roster()[1]["policy"]["max_workstations_per_account"], 3)
        self.admin_ok("policy", "set", "max-workstations-per-account", "1")
        self.admin_fails("policy", "set", "no-such-policy", "1", rc=2)

    def test_validation_rejects_and_changes_nothing(self):
        self.admin_ok("employee", "add", "E200", "--account", "valid1")
        self.admin_ok("shared-account", "add", "service")
        s0 = self.serial()
        err = self.admin_fails("employee", "add", "E201", "--account", "valid1")
        self.assertIn("valid1", err)
        self.admin_fails("employee", "add", "E202", "--account", "service")
        self.admin_fails("shared-account", "add", "valid1")
        self.admin_fails("employee", "add", "E203", "--account", "Bad Name")
        self.admin_fails("employee", "add", "E203", "--account", "a" * 33)
        self.admin_fails("employee", "add", "bad id!", "--account", "okname")
        self.admin_fails("employee", "add", "E200", "--account", "other")
        self.admin_fails("workstation", "add", "bad name")
        self.admin_fails("employee", "add", "E204", rc=2)  # --account missing: usage.
        for body in (b"not json", b"[]", b'{"id":"E205"}', b'{"id":"E205","accounts":[1]}',
                     b'{"id":"E205","accounts":["x"],"id":"E206"}'):
            status, _, data = self.c.request("POST", "/v1/admin/employees", body=body, token=self.c.admin_token)
            self.assertEqual(status, 400, body)
            self.assertTrue(json.loads(data)["message"])
        self.assertEqual(self.serial(), s0)
        self.assertNotIn("E205", self.admin_ok("employee", "list"))

    def test_csv_import(self):
        good = os.path.join(self._tmp.name, "good.csv")
        with open(good, "wb") as f:
            f.write(b"\xef\xbb\xbfemployee_id,name,accounts,status,groups\r\n"
                    b"E300,\"Doe, Jane \"\"JD\"\"\",jdoe;jdoe2,active,sales;service\r\n"
                    b"E301,Max,mmax,suspended,*\r\n"
                    b"E302,Ola,ola,terminated,*")
        s0 = self.serial()
        out = self.admin_ok("import", good)
        self.assertIn("3 added, 0 changed, 0 unchanged", out)
        _, payload = self.roster()
        self.assertEqual(payload["serial"], s0 + 1)
        self.assertEqual(self.employee(payload, "jdoe2")["groups"], ["sales", "service"])
        self.assertEqual(self.employee(payload, "mmax")["status"], "suspended")
        listed = json.loads(self.admin_ok("employee", "list", "--json"))
        self.assertEqual([e["name"] for e in listed if e["id"] == "E300"], ['Doe, Jane "JD"'])
        with open(good, "ab") as f:
            f.write(b"\nE303,New,newone,active,*\n")
        report = json.loads(self.admin_ok("import", good, "--json"))
        self.assertEqual(report["added"], ["E303"])
        self.assertEqual(sorted(report["unchanged"]), ["E300", "E301", "E302"])

        bad = os.path.join(self._tmp.name, "bad.csv")
        with open(bad, "w") as f:
            f.write("E310,A,aa,active,*\nE301,Max,mmax,active,*\nE311,B,not valid,active,*\n")
        s1 = self.serial()
        err = self.admin_fails("import", bad)
        self.assertIn("line 3", err)
        self.assertEqual(self.serial(), s1)
        listed = self.admin_ok("employee", "list")
        self.assertNotIn("E310", listed)
        self.assertEqual(self.employee(self.roster()[1], "mmax")["status"], "suspended")
        # A row taking another employee's account also rolls back the whole file.
        with open(bad, "w") as f:
            f.write("E312,A,bb,active,*\nE313,B,jdoe,active,*\n")
        self.admin_fails("import", bad)
        self.assertNotIn("E312", self.admin_ok("employee", "list"))

    def test_etag_and_long_polls(self):
        s0 = self.serial()
        status, headers, _ = self.c.request("GET", "/v1/roster", token=self.ws_token,
                                            headers={"If-None-Match": '"%d"' % s0})
        self.assertEqual(status, 304)
        self.assertEqual(headers["ETag"], '"%d"' % s0)
        status, _, _ = self.c.request("GET", "/v1/roster", token=self.ws_token,
                                      headers={"If-None-Match": '"%d"' % (s0 - 1)})
        self.assertEqual(status, 200)
        # Times out with 304 after the (small) wait.
        status, _, _ = self.c.request("GET", "/v1/roster", token=self.ws_token,
                                      headers={"If-None-Match": '"%d"' % s0, "Prefer": "wait=1"})
        self.assertEqual(status, 304)
        # Woken by a change: the answer carries the new serial.
        result = {}

        def poll():
            result["answer"] = self.c.request("GET", "/v1/roster", token=self.ws_token, timeout=90,
                                              headers={"If-None-Match": '"%d"' % s0, "Prefer": "wait=60"})
        t = threading.Thread(target=poll)
        t.start()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and b"long_polls_waiting 1" not in self.c.request("GET", "/metrics")[2]:
            time.sleep(0.02)
        self.admin_ok("shared-account", "add", "wakeup")
        t.join(timeout=60)
        self.assertFalse(t.is_alive())
        status, headers, body = result["answer"]
        self.assertEqual(status, 200)
        self.assertEqual(headers["ETag"], '"%d"' % (s0 + 1))
        self.assertIn("wakeup", json.loads(base64.b64decode(json.loads(body)["payload"]))["shared_accounts"])

    def test_keep_alive(self):
        conn = self.c.connection()
        try:
            for _ in range(3):
                status, _, _ = self.c.request("GET", "/v1/roster", token=self.ws_token, conn=conn)
                self.assertEqual(status, 200)
        finally:
            conn.close()

    def test_events_idempotent_and_queryable(self):
        now = time.time()
        batch = [{"id": "ev-1", "time": time.strftime("%Y-%m-%dT%H:%M:%S.678Z", time.gmtime(now)),
                  "type": "decision", "account": "evacct",
                  "decision": "deny", "reason": "terminated", "service": "sshd"},
                 {"id": "ev-2", "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now + 1)),
                  "type": "decision", "account": "evother",
                  "decision": "allow", "reason": "allowed"}]
        status, _, body = self.c.request("POST", "/v1/events", body=json.dumps(batch), token=self.ws_token)
        self.assertEqual(status, 202)
        self.assertEqual(json.loads(body)["accepted"], 2)
        status, _, body = self.c.request("POST", "/v1/events", body=json.dumps(batch), token=self.ws_token)
        self.assertEqual(status, 202)
        self.assertEqual(json.loads(body)["duplicates"], 2)
        self.assertEqual(self.c.request("POST", "/v1/events", body="{bad", token=self.ws_token)[0], 400)
        self.assertEqual(self.c.request("POST", "/v1/events", body="{}", token=self.ws_token)[0], 400)
        events = json.loads(self.admin_ok("events", "--json", "--account", "evacct"))
        self.assertEqual(len(events), 1)
        self.assertEqual(events[0]["workstation"], "WS-1")
        self.assertEqual(events[0]["decision"], "deny")
        denies = json.loads(self.admin_ok("events", "--json", "--decision", "deny", "--since", "10m"))
        self.assertEqual([e["id"] for e in denies if e["account"].startswith("ev")], ["ev-1"])
        self.assertEqual(json.loads(self.admin_ok("events", "--json", "--since", "2031-01-01T00:00:00Z")), [])
        self.admin_ok("events", "--since", "1h")
        self.assertIn("evacct", self.admin_ok("events", "--workstation", "WS-1"))
        self.admin_fails("events", "--since", "yesterday")

    def test_workstation_contact_recorded(self):
        self.c.request("GET", "/v1/roster", token=self.ws_token, headers={"User-Agent": "staffgated/9.9"})
        listed = json.loads(self.admin_ok("workstation", "list", "--json"))
        ws = [w for w in listed if w["name"] == "WS-1"][0]
        self.assertEqual(ws["agent_version"], "staffgated/9.9")
        self.assertIsNotNone(ws["last_contact"])
        self.assertIsNotNone(ws["last_serial"])
        self.assertIn("WS-1", self.admin_ok("workstation", "list"))

    def test_workstation_add_again_is_refused_and_keeps_the_token(self):
        token = self.admin_ok("workstation", "add", "WS-TWICE", "--groups", "sales").strip()
        before = self.serial()
        err = self.admin_fails("workstation", "add", "WS-TWICE", "--groups", "parts")
        self.assertIn("already exists", err)
        self.assertIn("rotate-token", err)
        self.assertEqual(self.c.request("GET", "/v1/roster", token=token)[0], 200)
        self.assertEqual(self.serial(), before)  # Nothing changed.
        payload = self.roster()[1]
        self.assertEqual(payload["workstations"]["WS-TWICE"]["groups"], ["sales"])

    def test_workstation_set_groups_rotate_token_and_remove(self):
        token = self.admin_ok("workstation", "add", "WS-LIFE", "--groups", "sales").strip()
        self.assertIn("WS-LIFE", self.admin_ok("workstation", "set-groups", "WS-LIFE",
                                               "--groups", "parts,service"))
        self.assertEqual(self.roster()[1]["workstations"]["WS-LIFE"]["groups"],
                         ["parts", "service"])
        self.admin_fails("workstation", "set-groups", "WS-LIFE", "--groups", "", rc=2)
        self.assertIn("no workstation named", self.admin_fails(
            "workstation", "set-groups", "WS-NONE", "--groups", "sales"))

        new_token = self.admin_ok("workstation", "rotate-token", "WS-LIFE").strip()
        self.assertNotEqual(new_token, token)
        self.assertEqual(self.c.request("GET", "/v1/roster", token=token)[0], 401)
        self.assertEqual(self.c.request("GET", "/v1/roster", token=new_token)[0], 200)
        self.assertIn("no workstation named",
                      self.admin_fails("workstation", "rotate-token", "WS-NONE"))

        self.admin_ok("workstation", "remove", "WS-LIFE")
        self.assertEqual(self.c.request("GET", "/v1/roster", token=new_token)[0], 401)
        self.assertNotIn("WS-LIFE", self.roster()[1]["workstations"])
        listed = json.loads(self.admin_ok("workstation", "list", "--json"))
        self.assertNotIn("WS-LIFE", [w["name"] for w in listed])
        self.assertIn("no workstation named", self.admin_fails("workstation", "remove", "WS-LIFE"))
        # The name can be registered again, with a token of its own.
        again = self.admin_ok("workstation", "add", "WS-LIFE").strip()
        self.assertNotIn(again, (token, new_token))


class CentralRestartTest(unittest.TestCase):
    """Restarts its own central, so no other test sees the restart or the
    serial jump, whatever order the tests run in."""

    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="sg-central-")
        self.c = Central(self._tmp.name)
        self.c.start()
        self.ws_token = self.c.admin_ok("workstation", "add", "WS-R", "--groups", "sales").strip()

    def tearDown(self):
        self.c.stop()
        self._tmp.cleanup()

    def serial(self):
        status, headers, body = self.c.request("GET", "/v1/roster", token=self.ws_token)
        self.assertEqual(status, 200)
        payload = json.loads(base64.b64decode(json.loads(body)["payload"]))
        self.assertEqual(headers["ETag"], '"%d"' % payload["serial"])
        return payload["serial"]

    def test_restart_keeps_data_and_serial(self):
        self.c.admin_ok("employee", "add", "E900", "--account", "restart1")
        s0 = self.serial()
        self.assertEqual(self.c.stop(), 0)
        self.c.start()
        self.assertEqual(self.serial(), s0)  # Also: the workstation token is still valid.
        self.assertIn("E900", self.c.admin_ok("employee", "list"))
        if on_postgres():
            return  # The high-water mark is in the database itself (no .serial file).
        # Restoring an older database never serves an older serial.
        self.assertEqual(self.c.stop(), 0)
        db = os.path.join(self.c.dir, "central.db")
        with open(db + ".serial", "w") as f:
            f.write("%d\n" % (s0 + 10))
        self.c.start()
        self.assertEqual(self.serial(), s0 + 11)


class CentralRobustnessTest(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="sg-central-")
        self.c = Central(self._tmp.name)
        conf = os.path.join(self.c.dir, "central.conf")
        with open(conf) as f:
            text = f.read()
        text = text.replace("max_body_bytes = 8388608", "max_body_bytes = 4096")
        text = text.replace("header_timeout_s = 10", "header_timeout_s = 1")
        with open(conf, "w") as f:
            f.write(text)
        self.c.start()

    def tearDown(self):
        if self.c.proc and self.c.proc.poll() is None:
            self.c.proc.kill()
            self.c.proc.wait()
        self._tmp.cleanup()

    def test_kill_9_during_writes_loses_nothing_acknowledged(self):
        acked = []
        stop = threading.Event()

        def writer():
            conn = self.c.connection(10)
            for i in range(100000):
                if stop.is_set():
                    return
                body = json.dumps({"id": "K%d" % i, "accounts": ["k%d" % i]})
                try:
                    status, _, _ = self.c.request("POST", "/v1/admin/employees", body=body,
                                                  token=self.c.admin_token, conn=conn)
                except (OSError, http.client.HTTPException):
                    return
                if status == 201:
                    acked.append("K%d" % i)
        t = threading.Thread(target=writer)
        t.start()
        deadline = time.monotonic() + 60
        while len(acked) < 25 and time.monotonic() < deadline and t.is_alive():
            time.sleep(0.01)
        self.c.proc.send_signal(signal.SIGKILL)
        self.c.proc.wait()
        stop.set()
        t.join(timeout=30)
        self.assertGreaterEqual(len(acked), 25)
        self.c.logf.close()
        self.c.start()
        listed = {e["id"] for e in json.loads(self.c.admin("employee", "list", "--json").stdout)}
        self.assertEqual(set(acked) - listed, set())
        status, headers, body = self.c.request("GET", "/v1/admin/status", token=self.c.admin_token)
        self.assertGreaterEqual(json.loads(body)["serial"], len(acked) + 1)

    def test_sigterm_answers_held_polls_and_exits_cleanly(self):
        token = self.c.admin("workstation", "add", "WS-T").stdout.strip()
        status, headers, _ = self.c.request("GET", "/v1/roster", token=token)
        etag = headers["ETag"]
        result = {}

        def poll():
            result["answer"] = self.c.request("GET", "/v1/roster", token=token, timeout=90,
                                              headers={"If-None-Match": etag, "Prefer": "wait=60"})
        t = threading.Thread(target=poll)
        t.start()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and b"long_polls_waiting 1" not in self.c.request("GET", "/metrics")[2]:
            time.sleep(0.02)
        self.assertEqual(self.c.stop(), 0)
        t.join(timeout=60)
        self.assertFalse(t.is_alive())
        self.assertEqual(result["answer"][0], 304)
        with open(self.c.log) as f:
            self.assertIn("stopped", f.read())

    def test_body_cap_and_slow_client(self):
        status, _, body = self.c.request("POST", "/v1/admin/import", body="x" * 10000,
                                         token=self.c.admin_token)
        self.assertEqual(status, 413)
        # A client that never finishes its header is dropped after header_timeout_s.
        raw = socket.create_connection(("127.0.0.1", self.c.port), timeout=30)
        tls = self.c.tls.wrap_socket(raw, server_hostname="127.0.0.1")
        tls.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        start = time.monotonic()
        try:
            self.assertEqual(tls.recv(100), b"")
        except (ConnectionResetError, ssl.SSLError):
            pass
        self.assertLess(time.monotonic() - start, 25)
        tls.close()
        self.assertEqual(self.c.request("GET", "/healthz")[0], 200)


if __name__ == "__main__":
    sgtest.require_inputs("STAFFGATE_CENTRAL_BIN", "STAFFGATE_ADMIN_BIN")
    unittest.main()
