"""The HR console (docs/design.md §11) on a real staffgate-central over HTTPS
on 127.0.0.1: `/` redirect, sign-in (wrong password, lockout per account and
per address, the forced first password change, cookie flags and rotation),
session expiry, roles (403 pages, nothing changed), cross-site requests and
form tokens (403, nothing changed), the security headers on every answer,
HTML escaping of hostile names, the CSV export's formula neutralising, and
the terminate flow end to end with its rollout confirmation and journal."""
import html
import json
import os
import re
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import sgtest  # noqa: E402,F401
from centraltest import Central  # noqa: E402
from consoletest import COOKIE, SECURITY_HEADERS, ConsoleClient  # noqa: E402

XSS = "<script>alert(1)</script>"


class ConsoleTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls._tmp = tempfile.TemporaryDirectory(prefix="sg-central-console-")
        cls.c = Central(cls._tmp.name)
        cls.c.start()
        cls.owner = ConsoleClient(cls.c).sign_in_new("olive", "owner")
        cls.hr = ConsoleClient(cls.c).sign_in_new("harriet", "hr")
        cls.it = ConsoleClient(cls.c).sign_in_new("ivan", "it")
        cls.auditor = ConsoleClient(cls.c).sign_in_new("audrey", "auditor")

    @classmethod
    def tearDownClass(cls):
        cls.c.stop()
        cls._tmp.cleanup()

    # -- helpers -------------------------------------------------------------
    def employee(self, eid):
        out = json.loads(self.c.admin_ok("employee", "list", "--json"))
        return [e for e in out if e["id"] == eid][0]

    def add_employee(self, eid, name, account):
        self.c.admin_ok("employee", "add", eid, "--account", account, "--name", name)

    def actions(self):
        return json.loads(self.c.admin_ok("actions", "--json"))

    def assert_headers(self, hdrs, what):
        for name, value in SECURITY_HEADERS.items():
            self.assertEqual(hdrs.get(name), value, "%s on %s" % (name, what))

    def assert_refused(self, answer, what):
        status, hdrs, body = answer
        self.assertEqual(status, 403, "%s: %s" % (what, body))
        self.assertIn("Nothing was changed", body, what)
        self.assertIn("text/html", hdrs.get("Content-Type", ""), what)
        self.assert_headers(hdrs, what)

    def terminate_form(self, client, eid, **fields):
        client.get("/ui/employees/%s" % eid)
        return dict({"status": "terminated", "at": ""}, **fields)

    # -- redirect, sign-in ---------------------------------------------------
    def test_root_redirects_to_ui_and_sign_in_page_when_signed_out(self):
        status, hdrs, _ = self.c.request("GET", "/")
        self.assertEqual(status, 302)
        self.assertEqual(hdrs["Location"], "/ui/")
        self.assert_headers(hdrs, "/")
        status, hdrs, body = ConsoleClient(self.c).get("/ui/")
        self.assertEqual(status, 200)
        self.assertIn('action="/ui/sign-in"', body)
        self.assertIn('name="viewport"', body)
        self.assertNotIn("<script", body)
        self.assert_headers(hdrs, "/ui/")
        status, hdrs, _ = ConsoleClient(self.c).get("/ui/employees")
        self.assertEqual((status, hdrs["Location"]), (303, "/ui/"))

    def test_wrong_password_is_refused_without_a_cookie(self):
        self.c.admin_ok("admin", "add", "wanda", "--role", "hr")
        client = ConsoleClient(self.c)
        status, hdrs, body = client.sign_in("wanda", "not-the-password")
        self.assertEqual(status, 403, body)
        self.assertIn("The name or the password is wrong.", body)
        self.assertNotIn("Set-Cookie", hdrs)
        status, _, body = client.sign_in("nobody-at-all", "whatever-it-is")
        self.assertEqual(status, 403, body)
        self.assertIn("The name or the password is wrong.", body)

    def test_account_locked_after_five_failures_even_with_the_right_password(self):
        one_time = self.c.admin_ok("admin", "add", "lockie", "--role", "hr").strip()
        client = ConsoleClient(self.c)
        for _ in range(5):
            self.assertEqual(client.sign_in("lockie", "wrong-password-here")[0], 403)
        status, hdrs, body = client.sign_in("lockie", one_time)
        self.assertEqual(status, 429, body)
        self.assertIn("Too many failed sign-ins", body)
        self.assertNotIn("Set-Cookie", hdrs)
        lockie = [a for a in json.loads(self.c.admin_ok("admin", "list", "--json"))
                  if a["name"] == "lockie"][0]
        self.assertIsNotNone(lockie["locked_until"])

    def test_first_sign_in_forces_a_password_change_and_rotates_the_cookie(self):
        one_time = self.c.admin_ok("admin", "add", "fiona", "--role", "hr").strip()
        client = ConsoleClient(self.c)
        status, _, _ = client.sign_in("fiona", one_time)
        self.assertEqual(status, 303)
        first = client.cookie
        for part in ("Secure", "HttpOnly", "SameSite=Strict", "Path=/"):
            self.assertIn(part, client.set_cookie)
        self.assertTrue(client.set_cookie.startswith(COOKIE + "="))
        self.assertNotIn("Domain", client.set_cookie)
        self.assertEqual(client.get("/ui/employees")[0], 303)  # Only the password page.
        status, _, body = client.get("/ui/")
        self.assertIn("one-time password", body)
        status, _, body = client.post("/ui/employees/X/status", {"status": "terminated"})
        self.assertEqual(status, 403)
        status, _, body = client.post("/ui/password", {"current_password": one_time,
                                                      "new_password": "Abcdefgh-12345-xyz",
                                                      "new_password_again": "different-one-99"})
        self.assertEqual(status, 400, body)
        self.assertIn("The two new passwords differ.", body)
        status, _, body = client.post("/ui/password", {"current_password": "wrong-one-time",
                                                      "new_password": "Abcdefgh-12345-xyz",
                                                      "new_password_again": "Abcdefgh-12345-xyz"})
        self.assertEqual(status, 403, body)
        status, _, body = client.post("/ui/password", {"current_password": one_time,
                                                      "new_password": "Sunflower-Gravel-83",
                                                      "new_password_again": "Sunflower-Gravel-83"})
        self.assertEqual(status, 303, body)
        self.assertNotEqual(client.cookie, first)
        self.assertEqual(client.get("/ui/employees")[0], 200)
        old = ConsoleClient(self.c)
        old.cookie = first
        self.assertEqual(old.get("/ui/employees")[0], 303)
        fiona = [a for a in json.loads(self.c.admin_ok("admin", "list", "--json"))
                 if a["name"] == "fiona"][0]
        self.assertFalse(fiona["must_change_password"])
        changes = [a for a in self.actions() if a["action"] == "admin.change-password"
                   and a["target"] == "fiona"]
        self.assertEqual(len(changes), 1)
        self.assertEqual(changes[0]["who"], "fiona")
        # Signing in again gives a new cookie; the old one ends.
        again = ConsoleClient(self.c)
        again.cookie = client.cookie
        self.assertEqual(again.sign_in("fiona", "Sunflower-Gravel-83")[0], 303)
        self.assertNotEqual(again.cookie, client.cookie)
        self.assertEqual(client.get("/ui/employees")[0], 303)

    def test_sign_out_ends_the_session(self):
        client = ConsoleClient(self.c).sign_in_new("sam", "auditor")
        cookie = client.cookie
        status, _, _ = client.post("/ui/sign-out")
        self.assertEqual(status, 303)
        self.assertIn("Max-Age=0", client.set_cookie)
        client.cookie = cookie
        self.assertEqual(client.get("/ui/employees")[0], 303)

    def test_console_never_takes_the_admin_token_and_admin_api_never_the_cookie(self):
        status, hdrs, _ = self.c.request("GET", "/ui/employees", token=self.c.admin_token)
        self.assertEqual((status, hdrs.get("Location")), (303, "/ui/"))
        status, _, _ = self.c.request("POST", "/ui/employees/X/status", token=self.c.admin_token,
                                      body="status=terminated",
                                      headers={"Origin": self.hr.origin})
        self.assertEqual(status, 403)
        status, _, _ = self.c.request("GET", "/v1/admin/employees",
                                      headers={"Cookie": "%s=%s" % (COOKIE, self.owner.cookie)})
        self.assertEqual(status, 401)

    # -- roles ---------------------------------------------------------------
    def test_hr_cannot_add_workstations(self):
        status, _, body = self.hr.get("/ui/workstations")
        self.assertEqual(status, 200)
        self.assertNotIn('action="/ui/workstations"', body)
        self.assert_refused(self.hr.post("/ui/workstations", {"name": "HR-WS", "groups": ""}),
                            "hr adds a workstation")
        self.assertNotIn("HR-WS", self.c.admin_ok("workstation", "list"))
        status, _, body = self.it.post("/ui/workstations", {"name": "IT-WS", "groups": "sales"})
        self.assertEqual(status, 200, body)
        self.assertIn("IT-WS", self.c.admin_ok("workstation", "list"))
        token = re.search(r'class="secret">([0-9a-f]{64})<', body).group(1)
        self.assertEqual(self.c.request("GET", "/v1/keys", token=token)[0], 200)
        self.assertEqual(self.it.post("/ui/workstations", {"name": "IT-WS"})[0], 400)

    def test_auditor_and_it_cannot_change_employees(self):
        self.add_employee("R1", "Rita Role", "rrole")
        for client, who in ((self.auditor, "auditor"), (self.it, "it")):
            status, _, body = client.get("/ui/employees/R1")
            self.assertEqual(status, 200)
            self.assertNotIn("/confirm", body)
            self.assertEqual(client.get("/ui/employees/R1/confirm?status=terminated")[0], 403)
            self.assert_refused(client.post("/ui/employees/R1/status", {"status": "terminated"}),
                                who + " terminates")
            self.assertIn("role may not change employees", client.post(
                "/ui/employees/R1/status", {"status": "suspended"})[2])
        self.assertEqual(self.employee("R1")["status"], "active")
        self.assertFalse([a for a in self.actions() if a["target"] == "R1"
                          and a["action"] != "employee.add"])

    def test_hr_cannot_end_sessions_and_auditor_reads_events(self):
        self.assert_refused(self.hr.post("/ui/sessions/0123456789abcdef0123456789abcdef/end"),
                            "hr ends a session")
        self.assertEqual(self.auditor.get("/ui/events")[0], 200)
        self.assertEqual(self.hr.get("/ui/events")[0], 200)

    def test_owner_manages_administrators_and_no_one_else_can(self):
        self.assertEqual(self.hr.get("/ui/admins")[0], 403)
        self.assert_refused(self.hr.post("/ui/admins", {"name": "eve", "role": "owner"}),
                            "hr adds an owner")
        self.assert_refused(self.auditor.post("/ui/admins/olive/remove"), "auditor removes")
        names = [a["name"] for a in json.loads(self.c.admin_ok("admin", "list", "--json"))]
        self.assertNotIn("eve", names)
        self.assertIn("olive", names)
        self.assertEqual(self.owner.get("/ui/admins")[0], 200)
        status, _, body = self.owner.post("/ui/admins", {"name": "newbie", "role": "auditor"})
        self.assertEqual(status, 200, body)
        one_time = html.unescape(re.search(r'class="secret">([^<]+)<', body).group(1))
        newbie = ConsoleClient(self.c)
        self.assertEqual(newbie.sign_in("newbie", one_time)[0], 303)
        self.assertEqual(self.owner.post("/ui/admins", {"name": "newbie", "role": "hr"})[0], 400)
        entry = [a for a in self.actions() if a["action"] == "admin.add"
                 and a["target"] == "newbie"][0]
        self.assertEqual(entry["who"], "olive")
        status, _, body = self.owner.post("/ui/admins/newbie/remove")
        self.assertEqual(status, 200, body)
        self.assertEqual(newbie.get("/ui/")[0], 200)
        self.assertIn('action="/ui/sign-in"', newbie.get("/ui/")[2])
        self.assertNotIn("newbie", self.c.admin_ok("admin", "list"))

    # -- cross-site requests -------------------------------------------------
    def test_cross_site_and_bad_tokens_are_refused_and_change_nothing(self):
        self.add_employee("C1", "Carl Csrf", "ccsrf")
        form = self.terminate_form(self.hr, "C1")
        path = "/ui/employees/C1/status"
        self.assert_refused(self.hr.post(path, form, origin="https://evil.example"), "evil origin")
        self.assert_refused(self.hr.post(path, form, origin="null"), "null origin")
        self.assert_refused(self.hr.post(path, form, origin=None), "no Origin")
        self.assert_refused(self.hr.post(path, form, origin=None,
                                         headers={"Sec-Fetch-Site": "cross-site"}), "cross-site")
        self.assert_refused(self.hr.post(path, form, token=None), "no form token")
        self.assert_refused(self.hr.post(path, form, token="0" * 64), "wrong form token")
        self.assert_refused(self.hr.post(path, form, token=self.owner.token), "another's token")
        self.assert_refused(ConsoleClient(self.c).post(path, form), "signed out")
        self.assertEqual(self.employee("C1")["status"], "active")
        self.assertFalse([a for a in self.actions() if a["target"] == "C1"
                          and a["action"] != "employee.add"])
        status, _, body = self.hr.post(path, dict(form, status="suspended"), origin=None,
                                       headers={"Sec-Fetch-Site": "same-origin"})
        self.assertEqual(status, 200, body)
        self.assertEqual(self.employee("C1")["status"], "suspended")

    # -- headers and escaping ------------------------------------------------
    def test_every_answer_carries_the_security_headers(self):
        self.add_employee("H1", "Hal Headers", "hheaders")
        pages = ["/ui/", "/ui/employees", "/ui/employees?q=hal&status=active", "/ui/employees/H1",
                 "/ui/employees/H1/confirm?status=suspended", "/ui/employees/NOPE",
                 "/ui/rollout", "/ui/rollout?serial=999999", "/ui/workstations", "/ui/sessions",
                 "/ui/events", "/ui/events.csv", "/ui/style.css", "/ui/no-such-page", "/ui"]
        for path in pages:
            status, hdrs, _ = self.owner.get(path)
            self.assertLess(status, 500, path)
            self.assert_headers(hdrs, path)
        for path in ("/ui/", "/ui/employees", "/ui/style.css"):
            self.assert_headers(ConsoleClient(self.c).get(path)[1], "signed out " + path)
        self.assert_headers(self.auditor.get("/ui/employees/H1/confirm?status=active")[1], "403")
        self.assert_headers(ConsoleClient(self.c).sign_in("olive", "wrong-password")[1], "sign-in")
        self.assert_headers(self.hr.post("/ui/employees/H1/status", {"status": "bogus"})[1],
                            "bad status")
        self.assert_headers(self.hr.post("/ui/employees/H1/status", {"status": "active"})[1],
                            "status POST")
        self.assertEqual(self.owner.get("/ui/style.css")[1]["Content-Type"],
                         "text/css; charset=utf-8")

    def test_hostile_names_are_escaped_everywhere(self):
        self.add_employee("X1", XSS, "xss")
        self.c.admin_ok("workstation", "add", "XSS-WS")
        pages = ["/ui/employees", "/ui/employees?q=" + "%3Cscript%3E", "/ui/employees/X1",
                 "/ui/employees/X1/confirm?status=terminated", "/ui/employees/X1/confirm?at="
                 + "%3Cscript%3Ealert(1)%3C/script%3E&status=terminated",
                 "/ui/events?account=%3Cscript%3Ealert(1)%3C/script%3E", "/ui/no-%3Cscript%3E"]
        for path in pages:
            body = self.owner.get(path)[2]
            self.assertNotIn(XSS, body, path)
            self.assertNotIn("<script", body, path)
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;", self.owner.get("/ui/employees")[2])
        status, _, body = self.hr.post("/ui/employees/X1/status",
                                       self.terminate_form(self.hr, "X1"))
        self.assertEqual(status, 200)
        self.assertNotIn("<script", body)

    def test_events_page_escapes_and_csv_export_neutralises_formulas(self):
        token = self.c.admin_ok("workstation", "add", "EV-WS").strip()
        event = {"id": "ev-formula-1", "type": "login", "decision": "deny",
                 "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                 "account": "=cmd|' /C calc'!A0", "reason": XSS, "service": "+sshd"}
        status, _, body = self.c.request("POST", "/v1/events", body=json.dumps([event]),
                                         token=token)
        self.assertEqual(status, 202, body)
        body = self.auditor.get("/ui/events?workstation=EV-WS")[2]
        self.assertNotIn(XSS, body)
        self.assertIn("&lt;script&gt;", body)
        status, hdrs, csv_text = self.auditor.get("/ui/events.csv?workstation=EV-WS")
        self.assertEqual(status, 200)
        self.assertTrue(hdrs["Content-Type"].startswith("text/csv"))
        self.assertIn("attachment", hdrs["Content-Disposition"])
        lines = csv_text.split("\r\n")
        self.assertEqual(lines[0], "time,workstation,type,account,service,decision,reason")
        row = [line for line in lines if "EV-WS" in line][0]
        self.assertIn(",'=cmd|' /C calc'!A0,'+sshd,deny,<script>", row)
        for cell in row.split(","):
            self.assertFalse(cell[:1] in ("=", "+", "-", "@"), row)

    # -- the terminate flow --------------------------------------------------
    def test_terminate_end_to_end_with_rollout_confirmation_and_journal(self):
        self.add_employee("B1", "Bob Jones", "bjones")
        token = self.c.admin_ok("workstation", "add", "SVC-01").strip()

        def poll(serial):
            return self.c.request("GET", "/v1/roster", token=token,
                                  headers={"If-None-Match": '"%d"' % serial})[0]

        serial = json.loads(self.c.request("GET", "/v1/admin/status",
                                           token=self.c.admin_token)[2])["serial"]
        self.assertEqual(poll(serial), 304)
        status, _, body = self.hr.get("/ui/employees?q=bob")
        self.assertIn('href="/ui/employees/B1"', body)
        status, _, body = self.hr.get("/ui/employees/B1/confirm?status=terminated&at=")
        self.assertEqual(status, 200)
        self.assertIn("Terminate Bob Jones now?", body)
        self.assertIn("Bob Jones will be signed out of every workstation", body)
        status, hdrs, body = self.hr.post("/ui/employees/B1/status",
                                          {"status": "terminated", "at": ""})
        self.assertEqual(status, 200, body)
        self.assertEqual(self.employee("B1")["status"], "terminated")
        self.assertIn("Bob Jones is terminated.", body)
        # Other workstations from other tests may be online too: count SVC-01.
        self.assertRegex(body, r"confirmed on \d+ of \d+ workstations")
        self.assertIn("SVC-01", body)
        self.assertIn('http-equiv="refresh"', body)
        new_serial = int(re.search(r"Roster serial (\d+)", body).group(1))
        self.assertGreater(new_serial, serial)
        self.assertEqual(poll(new_serial), 304)
        status, _, body = self.hr.get("/ui/rollout?serial=%d&employee=B1" % new_serial)
        self.assertEqual(status, 200)
        self.assertNotIn("SVC-01", body)
        entry = [a for a in self.actions() if a["target"] == "B1"
                 and a["action"] == "employee.terminate"][0]
        self.assertEqual(entry["who"], "harriet")
        self.assertEqual(entry["from"], "127.0.0.1")
        self.assertEqual(entry["after"], {"status": "terminated"})

    def test_hr_adds_an_employee_and_others_cannot(self):
        fields = {"id": "N1", "name": "Nina New", "accounts": "nnew, nina2", "groups": "sales",
                  "start": ""}
        self.hr.get("/ui/employees")
        self.assert_refused(self.it.post("/ui/employees", fields), "it adds an employee")
        self.assertNotIn('method="post" action="/ui/employees"',
                         self.auditor.get("/ui/employees")[2])
        status, _, body = self.hr.post("/ui/employees", fields)
        self.assertEqual(status, 200, body)
        self.assertIn("Nina New is added.", body)
        nina = self.employee("N1")
        self.assertEqual((nina["accounts"], nina["groups"]), (["nnew", "nina2"], ["sales"]))
        status, _, body = self.hr.post("/ui/employees", fields)
        self.assertEqual(status, 400, body)
        self.assertIn('class="error"', body)
        status, _, body = self.hr.post("/ui/employees", dict(fields, id="N2", accounts="n2",
                                                             start="2099-02-01T08:00"))
        self.assertEqual(status, 200, body)
        self.assertEqual(self.employee("N2")["valid_from"], "2099-02-01T08:00:00Z")
        entry = [a for a in self.actions() if a["action"] == "employee.add"
                 and a["target"] == "N1"][0]
        self.assertEqual(entry["who"], "harriet")

    def test_scheduled_termination_and_bad_time_shown_on_the_page(self):
        self.add_employee("S1", "Sue Later", "slater")
        status, _, body = self.hr.post("/ui/employees/S1/status",
                                       {"status": "terminated", "at": "next friday"})
        self.assertEqual(status, 400)
        self.assertIn("The time must look like 2026-12-04T17:30:00Z.", body)
        self.assertEqual(self.employee("S1")["pending"], [])
        status, _, body = self.hr.get("/ui/employees/S1/confirm?status=terminated"
                                      "&at=2099-01-08T17:30")
        self.assertIn("Terminate Sue Later at 2099-01-08T17:30:00Z (UTC)?", body)
        status, _, body = self.hr.post("/ui/employees/S1/status",
                                       {"status": "terminated", "at": "2099-01-08T17:30:00Z"})
        self.assertEqual(status, 200, body)
        self.assertIn("Sue Later will be terminated at 2099-01-08T17:30:00Z (UTC); until then "
                      "active.", body)
        self.assertEqual(self.employee("S1")["pending"],
                         [{"change": "terminated", "at": "2099-01-08T17:30:00Z"}])
        self.assertIn("terminated at 2099-01-08T17:30:00Z", self.hr.get("/ui/employees/S1")[2])
        self.assert_refused(self.auditor.post("/ui/employees/S1/cancel"), "auditor cancels")
        status, _, body = self.hr.post("/ui/employees/S1/cancel")
        self.assertEqual(status, 200, body)
        self.assertIn("The pending change of Sue Later is cancelled.", body)
        self.assertEqual(self.employee("S1")["pending"], [])
        status, _, body = self.hr.post("/ui/employees/S1/cancel")
        self.assertEqual(status, 404, body)
        self.assertIn('class="error"', body)
        self.assertNotIn("credentials_reset_after", self.employee("S1"))
        status, _, body = self.hr.post("/ui/employees/S1/reset-credentials")
        self.assertEqual(status, 200, body)
        self.assertIn("credentials_reset_after", self.employee("S1"))
        self.assertEqual(self.hr.post("/ui/employees/S1/explode")[0], 404)
        self.assertEqual(self.employee("S1")["status"], "active")


    # -- the leaver report ----------------------------------------------------
    def test_leaver_report_page_downloads_and_roles(self):
        self.add_employee("L1", XSS, "lleaver")
        self.add_employee("L2", "Lena Stays", "lstays")
        self.assertNotIn("/report", self.hr.get("/ui/employees/L1")[2])
        status, _, body = self.hr.post("/ui/employees/L1/status",
                                       self.terminate_form(self.hr, "L1"))
        self.assertEqual(status, 200, body)
        self.assertIn('href="/ui/employees/L1/report"', body)  # From the rollout page.
        self.assertIn('href="/ui/employees/L1/report"', self.hr.get("/ui/employees/L1")[2])
        self.assertNotIn("/report", self.it.get("/ui/employees/L1")[2])
        status, hdrs, body = self.auditor.get("/ui/employees/L1/report")
        self.assertEqual(status, 200, body)
        self.assert_headers(hdrs, "report page")
        self.assertIn('class="leaver-report"', body)
        self.assertEqual((body.count("<main"), body.count("</main>"), body.count("<h1")),
                         (1, 1, 1))
        self.assertIn('<link rel="stylesheet" href="/ui/style.css">', body)
        self.assertNotIn("<style", body)
        self.assertNotIn("<script", body)
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;", body)
        self.assertIn("Sign out", body)  # Inside the console's frame.
        self.assertIn("@media print", self.auditor.get("/ui/style.css")[2])
        for suffix, kind in ((".csv", "text/csv"), (".json", "application/json"),
                             (".txt", "text/plain")):
            status, hdrs, data = self.auditor.get("/ui/employees/L1/report" + suffix)
            self.assertEqual(status, 200, suffix)
            self.assertTrue(hdrs["Content-Type"].startswith(kind), hdrs["Content-Type"])
            self.assertEqual(hdrs["Content-Disposition"],
                             'attachment; filename="leaver-L1%s"' % suffix)
            self.assert_headers(hdrs, "report" + suffix)
        report = json.loads(self.owner.get("/ui/employees/L1/report.json")[2])
        self.assertEqual(report["employee"]["id"], "L1")
        self.assertEqual(report["termination"]["by"], "harriet")
        self.assertTrue(self.owner.get("/ui/employees/L1/report.csv")[2].startswith(
            "section,item,time,workstation,account,serial,status,detail\r\n"))
        status, hdrs, body = self.it.get("/ui/employees/L1/report")
        self.assertEqual(status, 403)
        self.assertIn("The it role may not read reports.", body)
        self.assertEqual(self.it.get("/ui/employees/L1/report.csv")[0], 403)
        status, _, body = self.auditor.get("/ui/employees/L2/report")
        self.assertEqual(status, 409, body)
        self.assertIn("There is no leaver report:", body)
        status, _, body = self.auditor.get("/ui/employees/NOPE/report")
        self.assertEqual(status, 404, body)
        self.assertIn("There is no employee with id NOPE.", body)

    # -- the import with a preview --------------------------------------------
    def test_import_preview_changes_nothing_then_apply(self):
        self.add_employee("IM2", "Olga Old", "oold")
        self.add_employee("IMX", "Xavier Elsewhere", "xelse")
        csv_text = ("employee_id,name,accounts,status,groups\r\n"
                    "IM1,Ida Import,iimport,active,sales\r\n"
                    "IM2,Olga New,oold,active,*\r\n")
        before = self.actions()
        status, _, body = self.hr.get("/ui/import")
        self.assertEqual(status, 200)
        status, _, body = self.hr.post("/ui/import", {"csv": csv_text, "missing": "terminate",
                                                      "step": "preview"})
        self.assertEqual(status, 200, body)
        self.assertIn("Preview: nothing has been changed yet", body)
        self.assertIn("<td>IM1</td>", body)
        self.assertIn("name: Olga Old \u2192 Olga New", body)
        self.assertIn("Not in the file (terminated)", body)
        self.assertIn("<td>IMX</td>", body)
        self.assertIn("Apply these changes", body)
        self.assertIn('<input type="hidden" name="missing" value="terminate">', body)
        self.assertNotIn("IM1", self.c.admin_ok("employee", "list"))
        self.assertEqual(self.employee("IM2")["name"], "Olga Old")
        self.assertEqual(self.employee("IMX")["status"], "active")
        self.assertEqual(self.actions(), before)
        self.assert_refused(self.auditor.post("/ui/import", {"csv": csv_text, "step": "apply"}),
                            "auditor imports")
        self.assertEqual(self.auditor.get("/ui/import")[0], 403)
        self.assertNotIn("IM1", self.c.admin_ok("employee", "list"))
        status, _, body = self.hr.post("/ui/import", {"csv": csv_text, "missing": "report",
                                                      "step": "apply"})
        self.assertEqual(status, 200, body)
        self.assertIn("The import is applied: 1 added, 1 changed", body)
        self.assertIn('href="/ui/rollout?serial=', body)
        self.assertEqual(self.employee("IM1")["name"], "Ida Import")
        self.assertEqual(self.employee("IM2")["name"], "Olga New")
        self.assertEqual(self.employee("IMX")["status"], "active")
        entry = [a for a in self.actions() if a["action"] == "import"][-1]
        self.assertEqual(entry["who"], "harriet")
        body = self.hr.post("/ui/import", {"csv": csv_text, "step": "preview"})[2]
        self.assertIn("This file changes nothing.", body)
        self.assertNotIn("Apply these changes", body)

    def test_import_errors_are_one_sentence_and_change_nothing(self):
        self.add_employee("IE1", "Ivy Error", "ierror")
        bad = ("employee_id,name,accounts,status,groups\r\n"
               "IE1,Ivy Renamed,ierror,active,\r\n")
        for step in ("preview", "apply"):
            status, _, body = self.hr.post("/ui/import", {"csv": bad, "step": step})
            self.assertEqual(status, 400, body)
            self.assertIn("Line 2: groups is blank", body)
            self.assertIn("Nothing was changed.", body)
            self.assertIn("Ivy Renamed", body)  # The form keeps the file.
        status, _, body = self.hr.post("/ui/import", {"csv": "nonsense,header\n", "step": "apply"})
        self.assertEqual(status, 400, body)
        self.assertIn('class="error"', body)
        status, _, body = self.hr.post("/ui/import", {"csv": bad, "missing": "explode"})
        self.assertEqual(status, 400, body)
        self.assertIn("Missing must be report, suspend or terminate", body)
        self.assertEqual(self.employee("IE1")["name"], "Ivy Error")

    # -- editing an employee ---------------------------------------------------
    def test_hr_edits_name_accounts_and_groups_blank_groups_refused(self):
        self.add_employee("ED1", "Eddie Edit", "eedit")
        self.assertIn('action="/ui/employees/ED1/edit"', self.hr.get("/ui/employees/ED1")[2])
        self.assertNotIn("/edit", self.auditor.get("/ui/employees/ED1")[2])
        fields = {"name": "Eddie Edited", "accounts": "eedit, eedit2", "groups": "sales, it"}
        self.assert_refused(self.auditor.post("/ui/employees/ED1/edit", fields), "auditor edits")
        before = self.employee("ED1")
        self.hr.get("/ui/employees/ED1")
        for bad, sentence in (({"groups": ""}, "Groups is blank: list the employee's groups "
                               "separated by ',', or write * for every workstation. "
                               "Nothing was changed."),
                              ({"accounts": " , "}, "Accounts is blank")):
            status, _, body = self.hr.post("/ui/employees/ED1/edit", dict(fields, **bad))
            self.assertEqual(status, 400, body)
            self.assertIn(sentence, html.unescape(body))
        self.assertEqual(self.employee("ED1"), before)
        status, _, body = self.hr.post("/ui/employees/ED1/edit", fields)
        self.assertEqual(status, 200, body)
        self.assertIn("Eddie Edited is updated.", body)
        after = self.employee("ED1")
        self.assertEqual((after["name"], after["accounts"], after["groups"], after["status"]),
                         ("Eddie Edited", ["eedit", "eedit2"], ["sales", "it"], "active"))
        self.assertEqual(after["posix"].get("eedit"), before["posix"].get("eedit"))
        entry = [a for a in self.actions() if a["target"] == "ED1"][-1]
        self.assertEqual((entry["action"], entry["who"]), ("employee.update", "harriet"))
        self.assertEqual(self.hr.post("/ui/employees/NOPE/edit", fields)[0], 404)

class ConsoleLimitsTest(unittest.TestCase):
    """Short console timeouts and the per-address sign-in limit, on a central
    of their own (a locked address would lock the other tests out)."""

    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="sg-central-console-limits-")
        self.c = Central(self._tmp.name)
        self.c.set_conf("console_idle_timeout_s", "2")
        self.c.set_conf("console_absolute_timeout_s", "5")
        self.c.start()

    def tearDown(self):
        self.c.stop()
        self._tmp.cleanup()

    def test_idle_and_absolute_expiry(self):
        client = ConsoleClient(self.c).sign_in_new("ida", "hr")
        time.sleep(3)
        self.assertEqual(client.get("/ui/employees")[0], 303)  # Idle too long.
        signed_in = time.monotonic()
        self.assertEqual(client.sign_in("ida", "Tr0mbone-Lantern-Quietly")[0], 303)
        # Never idle for more than half a second, yet out after 5 s (whole
        # seconds on the server's clock: between 4 and 6 s after).
        ended = None
        while ended is None and time.monotonic() < signed_in + 9:
            if client.get("/ui/employees")[0] == 303:
                ended = time.monotonic() - signed_in
            time.sleep(0.5)
        self.assertIsNotNone(ended, "the session outlived console_absolute_timeout_s")
        self.assertGreaterEqual(ended, 3.9)

    def test_sign_in_limited_per_address(self):
        one_time = self.c.admin_ok("admin", "add", "adam", "--role", "hr").strip()
        client = ConsoleClient(self.c)
        for i in range(20):  # Different names: no account reaches its own limit.
            self.assertEqual(client.sign_in("guess%d" % i, "wrong-password")[0], 403)
        status, _, body = client.sign_in("adam", one_time)
        self.assertEqual(status, 429, body)
        self.assertIsNone(client.cookie)


if __name__ == "__main__":
    unittest.main()
