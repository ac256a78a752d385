#!/usr/bin/env python3
"""The HR console in a real browser (docs/design.md §11): headless Chromium
(Selenium) against a real staffgate-central over HTTPS on 127.0.0.1, with a
real staffgated enrolled and the real module under pamtester.

An HR administrator signs in with her one-time password, chooses her own,
terminates an employee who is signed in on the workstation, confirms in
plain words and watches the confirmation page reach "1 of 1"; the login is
then refused and (as root) the open session ended. An attack page on
another origin that posts a status change while she is signed in changes
nothing. Screenshots: STAFFGATE_SCREENSHOT_DIR.

Inputs: STAFFGATED, STAFFGATECTL, STAFFGATE_MODULE, STAFFGATE_CENTRAL_BIN,
STAFFGATE_ADMIN_BIN, CHROMIUM, CHROMEDRIVER, STAFFGATE_SCREENSHOT_DIR
(tests/lib/README.md)
"""

import http.server
import json
import os
import sys
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
sys.path.insert(0, os.path.join(HERE, "..", "sync"))

import sgtest  # noqa: E402
import test_leases  # noqa: E402  (its central, Workstation and login, not its tests)
from browsertest import Browser, By, Select  # noqa: E402

NEW_PASSWORD = "Tq7-Marigold-Lane-Fox"


class AttackSite:
    """Another origin (http://localhost:PORT) whose page, once opened, posts
    a status change to the console with a guessed form token."""

    def __init__(self, target):
        page = ("<!doctype html><title>win a car</title>"
                "<form id=f method=post action='%s'>"
                "<input name=status value=terminated><input name=at value=''>"
                "<input name=form_token value='guessed'></form>"
                "<script>document.getElementById('f').submit()</script>" % target).encode()

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(page)))
                self.end_headers()
                self.wfile.write(page)

            def log_message(self, *args):
                pass

        self.server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://localhost:%d/" % self.server.server_port
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class ConsoleBrowserTest(unittest.TestCase):
    def setUp(self):
        test_leases.start_central(self)
        self.central.admin_ok("employee", "add", "E2", "--name", "Bob Jones", "--account",
                              "bjones")
        self.ws = test_leases.Workstation(self, "SVC-03", on_revoke="terminate")
        self.base = self.central_url
        self.browser = Browser(self.dir, os.path.join(self.central.dir, "ca.pem"),
                               self._testMethodName)

    def tearDown(self):
        self.browser.close()
        test_leases.stop_all(self, (self.ws,))

    def status_of(self, employee_id):
        listed = json.loads(self.central.admin_ok("employee", "list", "--json"))
        return {e["id"]: e["status"] for e in listed}[employee_id]

    def sign_in_as_new_hr(self):
        one_time = self.central.admin_ok("admin", "add", "hana", "--role", "hr").strip()
        b = self.browser
        b.get(self.base + "/")  # Redirects to /ui/, the sign-in page when signed out.
        self.assertTrue(b.driver.current_url.startswith(self.base + "/ui/"), b.driver.current_url)
        b.fill("name", "hana")
        b.fill("password", one_time)
        b.screenshot("sign-in")
        b.submit("/ui/sign-in")
        b.wait_text("Choose your own password", 10)
        b.fill("current_password", one_time)
        b.fill("new_password", NEW_PASSWORD)
        b.fill("new_password_again", NEW_PASSWORD)
        b.submit("/ui/password")
        text = b.wait_text("Sign out", 10)
        b.screenshot("signed-in")
        self.assertNotIn("Choose your own password", text)
        cookies = {c["name"]: c for c in b.driver.get_cookies()}
        session = cookies.get("__Host-sg_session")
        self.assertIsNotNone(session, cookies)
        self.assertTrue(session["secure"] and session["httpOnly"], session)
        self.assertEqual(session.get("sameSite"), "Strict", session)

    def test_hr_terminates_in_the_browser_and_the_workstation_refuses(self):
        proc, _ = test_leases.login(self, self.ws)
        rc, out, err, _ = sgtest.pamtester("sg", "asmith", ["acct_mgmt"], self.ws.pam_env)
        self.assertEqual(rc, 0, out + err)
        self.sign_in_as_new_hr()
        b = self.browser

        b.get(self.base + "/ui/employees/E1")
        Select(b.driver.find_element(By.NAME, "status")).select_by_value("terminated")
        b.screenshot("employee")
        b.submit("/confirm")
        question = b.wait_text("signed out of every workstation", 10)
        self.assertIn("Terminate", question)
        self.assertEqual(self.status_of("E1"), "active")  # Asking changed nothing.
        b.screenshot("confirm")
        started = time.monotonic()
        b.submit("/status")
        # The page refreshes itself (no JavaScript) until the one workstation
        # in contact has installed the change.
        b.wait_text("confirmed on 1 of 1 workstation", 30)
        print("  confirmed in the browser %.2f s after the click" % (time.monotonic() - started))
        b.screenshot("confirmed")
        self.assertEqual(self.status_of("E1"), "terminated")

        rc, out, err, _ = sgtest.pamtester("sg", "asmith", ["acct_mgmt"], self.ws.pam_env)
        sgtest.assert_pam_failed(self, "ACCT_EXPIRED", rc, out, err)
        if test_leases.ROOT:  # Otherwise the "session" is the test's own uid: not ended.
            proc.wait(timeout=15)
        actions = self.central.admin_ok("actions", "--json")
        self.assertIn("hana", actions)

    def test_an_attack_page_on_another_origin_changes_nothing(self):
        self.sign_in_as_new_hr()
        attack = AttackSite(self.base + "/ui/employees/E2/status")
        try:
            self.browser.get(attack.url)
            time.sleep(2)  # The page posts at once; give the console time to (not) act.
            self.browser.screenshot("attack")
            text = self.browser.text()
        finally:
            attack.close()
        self.assertEqual(self.status_of("E2"), "active", text)
        self.assertNotIn("confirmed on", text)
        # She is still signed in and can act from the console itself.
        self.browser.get(self.base + "/ui/employees/E2")
        self.assertIn("Bob Jones", self.browser.text())


if __name__ == "__main__":
    sgtest.require_inputs("STAFFGATED", "STAFFGATECTL", "STAFFGATE_MODULE",
                          "STAFFGATE_CENTRAL_BIN", "STAFFGATE_ADMIN_BIN", "CHROMIUM",
                          "CHROMEDRIVER")
    unittest.main(verbosity=2)
