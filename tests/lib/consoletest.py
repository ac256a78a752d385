"""A cookie-keeping client for the HR console (docs/design.md §11) of a
Central (centraltest.py): signs an administrator in (changing the one-time
password at the first sign-in), reads form tokens off pages, and posts
forms the way a browser on the console's own origin does. ConsoleCase is
the test base class: one central per test class with an owner, an HR, an IT
and an auditor administrator signed in, and the checks the pages share."""
import json
import re
import tempfile
import unittest
import urllib.parse

from centraltest import Central

COOKIE = "__Host-sg_session"
NEW_PASSWORD = "Tr0mbone-Lantern-Quietly"
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def form_token(page):
    m = re.search(r'name="form_token" value="([0-9a-f]+)"', page)
    return m.group(1) if m else None


class ConsoleClient:
    def __init__(self, central):
        self.c = central
        self.origin = "https://127.0.0.1:%d" % central.port
        self.cookie = None   # The session id, or None.
        self.token = None    # The form token of the last page that had one.
        self.set_cookie = None  # The last Set-Cookie header.

    def request(self, method, path, body=None, headers=None):
        h = dict(headers or {})
        if self.cookie is not None:
            h["Cookie"] = "%s=%s" % (COOKIE, self.cookie)
        status, hdrs, data = self.c.request(method, path, body=body, headers=h)
        self.set_cookie = hdrs.get("Set-Cookie")
        if self.set_cookie:
            self.cookie = self.set_cookie.split(";")[0].split("=", 1)[1] or None
        text = data.decode("utf-8", "replace")
        if form_token(text):
            self.token = form_token(text)
        return status, hdrs, text

    def get(self, path):
        return self.request("GET", path)

    def post(self, path, fields=None, origin="same", token="session", headers=None):
        """origin: "same", None (no Origin header) or an origin string;
        token: "session" (the last form token seen), None (left out) or a value."""
        fields = dict(fields or {})
        if token == "session":
            fields["form_token"] = self.token or ""
        elif token is not None:
            fields["form_token"] = token
        h = {"Content-Type": "application/x-www-form-urlencoded"}
        if origin == "same":
            h["Origin"] = self.origin
        elif origin is not None:
            h["Origin"] = origin
        h.update(headers or {})
        return self.request("POST", path, body=urllib.parse.urlencode(fields), headers=h)

    def sign_in(self, name, password):
        return self.post("/ui/sign-in", {"name": name, "password": password}, token=None)

    def sign_in_new(self, name, role, password=NEW_PASSWORD):
        """Adds administrator `name` with `role` (staffgate-admin), signs in with
        the one-time password and changes it to `password`."""
        one_time = self.c.admin_ok("admin", "add", name, "--role", role).strip()
        status, _, body = self.sign_in(name, one_time)
        assert status == 303, (status, body)
        status, _, body = self.get("/ui/")
        assert "new_password" in body, body
        status, _, body = self.post("/ui/password", {"current_password": one_time,
                                                    "new_password": password,
                                                    "new_password_again": password})
        assert status == 303, (status, body)
        status, _, body = self.get("/ui/")
        assert status == 200 and "Sign out" in body, (status, body)
        return self


class ConsoleCase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls._tmp = tempfile.TemporaryDirectory(prefix="sg-central-console-%s-" % cls.__name__)
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
