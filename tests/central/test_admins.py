"""Administrators and the action journal (docs/design.md §11) on a real
staffgate-central over HTTPS on 127.0.0.1: `staffgate-admin admin
add|list|remove|reset-password`, `actions [--since] [--json]`, one journal
entry per change with who/when/what/before/after/from, none for a refusal,
and never a password, hash or token in it."""
import calendar
import json
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import sgtest  # noqa: E402,F401
from centraltest import SharedCentralTest  # noqa: E402


class AdminsTest(SharedCentralTest):
    tmp_prefix = "sg-central-admins-"

    def actions(self, *args):
        return json.loads(self.admin("actions", "--json", *args).stdout)

    def admins(self):
        return {a["name"]: a for a in json.loads(self.admin("admin", "list", "--json").stdout)}

    def secrets_absent(self, secrets):
        text = json.dumps(self.actions()) + self.admin("actions").stdout
        text += self.admin("admin", "list", "--json").stdout
        for secret in secrets:
            self.assertNotIn(secret, text)
        self.assertNotIn("argon2", text)

    # -- administrators ------------------------------------------------------
    def test_add_list_reset_remove(self):
        r = self.admin("admin", "add", "alice", "--role", "hr")
        first = r.stdout.strip()
        self.assertEqual(len(r.stdout.splitlines()), 1, "the password alone on stdout")
        self.assertGreaterEqual(len(first), 20)
        self.assertIn("one-time", r.stderr)
        alice = self.admins()["alice"]
        self.assertEqual(alice["role"], "hr")
        self.assertTrue(alice["must_change_password"])
        self.assertNotIn("password_hash", alice)
        self.assertIn("alice", self.admin("admin", "list").stdout)
        second = self.admin("admin", "reset-password", "alice").stdout.strip()
        self.assertGreaterEqual(len(second), 20)
        self.assertNotEqual(first, second)
        self.admin("admin", "remove", "alice")
        self.assertNotIn("alice", self.admins())
        r = self.admin("admin", "remove", "alice", rc=1)
        self.assertIn("no administrator named 'alice'", r.stderr)
        mine = [a for a in self.actions() if a["target"] == "alice"]
        self.assertEqual([a["action"] for a in mine],
                         ["admin.add", "admin.reset-password", "admin.remove"])
        self.assertEqual(mine[0]["after"]["role"], "hr")
        self.assertIsNone(mine[0]["before"])
        self.assertIsNone(mine[2]["after"])
        self.secrets_absent([first, second])

    def test_bad_roles_and_names_are_refused_and_change_nothing(self):
        before = len(self.actions())
        r = self.admin("admin", "add", "bert", "--role", "boss", rc=1)
        self.assertIn("unknown role 'boss'", r.stderr)
        r = self.admin("admin", "add", "bert", "--role", "", rc=1)
        self.assertIn("a role is required", r.stderr)
        self.admin("admin", "add", "bert", rc=2)  # --role is required.
        r = self.admin("admin", "add", "bad name", "--role", "it", rc=1)
        self.assertIn("administrator name 'bad name'", r.stderr)
        self.admin("admin", "add", "carol", "--role", "auditor")
        r = self.admin("admin", "add", "carol", "--role", "owner", rc=1)
        self.assertIn("already exists", r.stderr)
        self.assertEqual(self.admins()["carol"]["role"], "auditor")
        self.assertNotIn("bert", self.admins())
        self.assertEqual(len(self.actions()), before + 1)

    def test_admin_api_never_takes_a_cookie(self):
        status, _, body = self.c.request("GET", "/v1/admin/admins",
                                         headers={"Cookie": "__Host-sg_session=" + "a" * 64})
        self.assertEqual(status, 401, body)

    # -- the journal ---------------------------------------------------------
    def test_terminate_workstation_add_and_import_each_leave_one_entry(self):
        self.admin("employee", "add", "J100", "--account", "jdoe", "--name", "Jane Doe")
        before = self.actions()
        self.admin("employee", "terminate", "J100")
        token = self.admin("workstation", "add", "JWS-1", "--groups", "sales").stdout.strip()
        path = os.path.join(self._tmp.name, "hr.csv")
        with open(path, "w") as f:
            f.write("employee_id,name,accounts,status,groups\n"
                    "J200,Ann Lee,alee,active,sales\nJ201,Bo Kim,bkim,active,*\n")
        self.admin("import", path)
        new = self.actions()[len(before):]
        self.assertEqual([a["action"] for a in new],
                         ["employee.terminate", "workstation.add", "import"])
        for entry in new:
            self.assertEqual(entry["who"], "admin-token")
            self.assertEqual(entry["from"], "127.0.0.1")
            when = calendar.timegm(time.strptime(entry["time"], "%Y-%m-%dT%H:%M:%SZ"))
            self.assertLess(abs(time.time() - when), 120)
        terminate, ws, imported = new
        self.assertEqual(terminate["target"], "J100")
        self.assertEqual(terminate["before"], {"status": "active"})
        self.assertEqual(terminate["after"], {"status": "terminated"})
        self.assertEqual(ws["target"], "JWS-1")
        self.assertIsNone(ws["before"])
        self.assertEqual(ws["after"]["groups"], ["sales"])
        self.assertEqual(sorted(imported["after"]["employees"]), ["J200", "J201"])
        self.assertIsNone(imported["before"]["employees"]["J200"])
        self.assertIn("J100", self.admin("actions").stdout)
        self.secrets_absent([token])

    def test_refusals_leave_no_entry_and_change_nothing(self):
        self.admin("employee", "add", "R100", "--account", "rref")
        self.admin("workstation", "add", "RWS-1")
        employees = self.admin("employee", "list", "--json").stdout
        before = len(self.actions())
        self.admin("employee", "terminate", "R404", rc=1)
        self.admin("workstation", "add", "RWS-1", rc=1)
        self.admin("employee", "add", "R100", "--account", "other", rc=1)
        self.admin("employee", "reinstate", "R100")  # Already active: a no-op.
        self.assertEqual(len(self.actions()), before)
        self.assertEqual(self.admin("employee", "list", "--json").stdout, employees)

    def test_since_selects_and_bad_since_is_refused(self):
        self.admin("shared-account", "add", "frontdesk")
        self.assertTrue(any(a["action"] == "shared-account.add" for a in self.actions("--since", "1h")))
        self.assertTrue(self.actions("--since", "30m"))
        self.assertEqual(self.actions("--since", "2099-01-01T00:00:00Z"), [])
        self.assertTrue(self.actions("--since", "2d"))
        r = self.admin("actions", "--since", "soon", rc=1)
        self.assertIn("--since", r.stderr)


if __name__ == "__main__":
    unittest.main()
