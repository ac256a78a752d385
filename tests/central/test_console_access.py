"""The HR console (docs/design.md §11) on a real staffgate-central over HTTPS
on 127.0.0.1, who gets in and what they may do: `/` redirect, sign-in (wrong
password, lockout per account, the forced first password change, cookie
flags and rotation), sign-out, the token/cookie separation, roles (403
pages, nothing changed), cross-site requests and form tokens (403, nothing
changed) and the security headers on every answer."""
import html
import json
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import sgtest  # noqa: E402,F401
from consoletest import COOKIE, ConsoleCase, ConsoleClient  # noqa: E402


class ConsoleAccessTest(ConsoleCase):
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


if __name__ == "__main__":
    unittest.main()
