"""The leaver report (docs/design.md §11) on a real staffgate-central over
HTTPS on 127.0.0.1: `staffgate-admin report leaver ID` in text, CSV, JSON
and HTML; who terminated the employee, the serial, each workstation's
confirmation, login attempts after the termination; hostile names escaped
(HTML) and neutralised (CSV); an unknown or active employee refused with
one sentence and exit 1; the HTTP endpoint's formats and headers."""
import csv
import io
import json
import os
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import sgtest  # noqa: E402,F401
from centraltest import Central  # noqa: E402

SCRIPT = "<script>alert(1)</script>"
FORMULA = "=cmd|' /C calc'!A0"


class LeaverReportTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls._tmp = tempfile.TemporaryDirectory(prefix="sg-central-leaver-")
        cls.c = Central(cls._tmp.name)
        cls.c.start()
        c = cls.c
        c.admin_ok("employee", "add", "E100", "--account", "bjones", "--name", SCRIPT)
        c.admin_ok("employee", "add", "E200", "--account", "cyoung", "--name", "Cy Young")
        c.admin_ok("employee", "add", "E300", "--account", "dzed", "--name", FORMULA)
        cls.tokens = {n: c.admin_ok("workstation", "add", n).strip() for n in ("WS-1", "WS-2")}
        for name in cls.tokens:
            cls.poll(name)
        c.admin_ok("employee", "terminate", "E100")
        c.admin_ok("employee", "terminate", "E300")
        cls.serial = cls.poll("WS-1")  # WS-1 installs the new roster; WS-2 is away.
        batch = [{"id": "leaver-attempt-1", "type": "decision", "account": "bjones",
                  "phase": "auth", "service": "sshd", "decision": "deny", "reason": "terminated",
                  "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 1))}]
        status, _, body = c.request("POST", "/v1/events", body=json.dumps(batch),
                                    token=cls.tokens["WS-1"])
        assert status == 202, body

    @classmethod
    def tearDownClass(cls):
        cls.c.stop()
        cls._tmp.cleanup()

    @classmethod
    def poll(cls, name):
        """One roster fetch as an agent; returns the serial it now holds."""
        status, headers, _ = cls.c.request("GET", "/v1/roster", token=cls.tokens[name],
                                           headers={"User-Agent": "staffgated/leaver-test"})
        assert status == 200
        serial = int(headers["ETag"].strip('"'))
        cls.c.request("GET", "/v1/roster", token=cls.tokens[name],
                      headers={"If-None-Match": '"%d"' % serial})
        return serial

    def report(self, *args, rc=0):
        r = self.c.admin("report", "leaver", *args)
        self.assertEqual(r.returncode, rc, "%s: %s %s" % (args, r.stdout, r.stderr))
        return r

    def test_json_names_who_when_serial_and_confirmations(self):
        j = json.loads(self.report("E100", "--format", "json").stdout)
        self.assertEqual(j["report"], "leaver")
        self.assertEqual(j["employee"]["id"], "E100")
        self.assertEqual(j["employee"]["name"], SCRIPT)
        t = j["termination"]
        self.assertTrue(t["recorded"])
        self.assertEqual(t["by"], "admin-token")
        self.assertEqual(t["from"], "127.0.0.1")
        self.assertEqual(t["action"], "employee.terminate")
        self.assertRegex(t["at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertFalse(t["scheduled"])
        self.assertEqual(t["serial"], self.serial - 1)  # E300 came after it.
        self.assertEqual(j["rollout"]["serial"], t["serial"])
        by_name = {w["name"]: w for w in j["workstations"]}
        self.assertTrue(by_name["WS-1"]["confirmed"])
        self.assertRegex(by_name["WS-1"]["confirmed_at"], r"Z$")
        self.assertFalse(by_name["WS-2"]["confirmed"])
        self.assertIsNone(by_name["WS-2"]["confirmed_at"])
        self.assertRegex(by_name["WS-2"]["last_contact"], r"Z$")
        self.assertEqual(j["not_confirmed"], ["WS-2"])
        self.assertEqual(len(j["login_attempts"]), 1)
        attempt = j["login_attempts"][0]
        self.assertEqual((attempt["workstation"], attempt["decision"], attempt["reason"]),
                         ("WS-1", "deny", "terminated"))
        self.assertFalse(j["truncated"])

    def test_text_is_the_default_and_reads_as_sentences(self):
        out = self.report("E100").stdout
        self.assertIn("Leaver report: E100", out)
        self.assertRegex(out, r"Terminated at \S+Z by admin-token \(from 127\.0\.0\.1, "
                              r"employee\.terminate\)\.")
        self.assertRegex(out, r"Roster serial \d+ carried the termination\.")
        self.assertIn("confirmed on 1 of 2 workstations", out)
        self.assertRegex(out, r"WS-2: not confirmed: last contact \S+Z \(last seen")
        self.assertIn("refused (terminated) at auth, sshd", out)

    def test_csv_neutralises_formulas_and_parses(self):
        rows = list(csv.reader(io.StringIO(self.report("E300", "--format", "csv").stdout,
                                           newline="")))
        self.assertEqual(rows[0], ["section", "item", "time", "workstation", "account", "serial",
                                   "status", "detail"])
        names = [r[7] for r in rows if r[:2] == ["employee", "name"]]
        self.assertEqual(names, ["'" + FORMULA])
        for row in rows:
            for cell in row:
                self.assertFalse(cell[:1] in ("=", "+", "-", "@", "\t", "\r"), row)
        status = {r[1]: r[6] for r in rows if r[0] == "workstation"}
        self.assertEqual(status, {"WS-1": "confirmed", "WS-2": "not confirmed"})

    def test_html_is_a_printable_page_with_every_value_escaped(self):
        page = self.report("E100", "--format", "html").stdout
        self.assertTrue(page.startswith("<!DOCTYPE html>"))
        self.assertIn("@media print", page)
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;", page)
        self.assertNotIn("<script", page)
        self.assertTrue(page.rstrip().endswith("</html>"))

    def test_unknown_and_not_terminated_are_one_sentence_and_exit_1(self):
        r = self.report("E999", rc=1)
        self.assertEqual(r.stdout, "")
        self.assertEqual(r.stderr, "staffgate-admin: no employee with id 'E999'\n")
        r = self.report("E200", rc=1)
        self.assertEqual(r.stdout, "")
        self.assertEqual(len(r.stderr.splitlines()), 1)
        self.assertIn("E200 is not terminated (status active)", r.stderr)
        self.report("E100", "--format", "xml", rc=2)
        self.report(rc=2)

    def test_a_scheduled_termination_names_who_scheduled_it_and_the_central(self):
        self.c.admin_ok("employee", "add", "E400", "--account", "eve")
        due = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3))
        self.c.admin_ok("employee", "terminate", "E400", "--at", due)
        r = self.report("E400", rc=1)
        self.assertIn("E400 is not terminated yet: the termination is scheduled for " + due,
                      r.stderr)
        deadline = time.monotonic() + 20
        while self.c.admin("report", "leaver", "E400").returncode != 0:
            self.assertLess(time.monotonic(), deadline, "the central did not carry it out")
            time.sleep(0.2)
        t = json.loads(self.report("E400", "--format", "json").stdout)["termination"]
        self.assertTrue(t["scheduled"])
        self.assertEqual((t["scheduled_by"], t["scheduled_for"], t["by"]),
                         ("admin-token", due, ""))
        self.assertLess(t["scheduled_serial"], t["serial"])
        self.assertGreaterEqual(t["at"], due)
        out = self.report("E400").stdout
        self.assertIn("Scheduled by admin-token (from 127.0.0.1) at ", out)
        self.assertIn("Carried out by the central at %s as scheduled." % t["at"], out)

    def test_http_endpoint_formats_headers_and_token(self):
        path = "/v1/admin/reports/leaver/E100"
        status, _, _ = self.c.request("GET", path)
        self.assertEqual(status, 401)
        status, headers, body = self.c.request("GET", path, token=self.c.admin_token)
        self.assertEqual(status, 200)
        self.assertEqual(headers["Content-Type"], "application/json")
        self.assertEqual(headers["Cache-Control"], "no-store")
        self.assertEqual(json.loads(body)["employee"]["id"], "E100")
        status, headers, body = self.c.request("GET", path + "?format=html",
                                               token=self.c.admin_token)
        self.assertEqual(status, 200)
        self.assertEqual(headers["Content-Type"], "text/html; charset=utf-8")
        self.assertEqual(headers["X-Content-Type-Options"], "nosniff")
        self.assertIn("default-src 'none'", headers["Content-Security-Policy"])
        status, _, body = self.c.request("GET", "/v1/admin/reports/leaver/E200",
                                         token=self.c.admin_token)
        self.assertEqual(status, 409)
        self.assertEqual(json.loads(body)["error"], "not_terminated")
        status, _, _ = self.c.request("POST", path, body="{}", token=self.c.admin_token)
        self.assertEqual(status, 405)


if __name__ == "__main__":
    unittest.main(verbosity=2)
