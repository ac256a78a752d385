"""Unix identities at the central (docs/design.md §9), through the real
staffgate-central over HTTPS and the real staffgate-admin: uids per account
(serial, adopted, refused, kept across restart and import), posix groups,
the served roster's posix, posix_groups and display_name fields, and the
central.conf keys uid_range, gid_range and publish_display_names."""
import base64
import json
import os
import re
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import sgtest  # noqa: E402
from centraltest import Central  # noqa: E402


class PosixTest(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="sg-posix-")
        self.c = Central(self._tmp.name)

    def tearDown(self):
        self.c.stop()
        self._tmp.cleanup()

    def configure(self, **keys):
        """Sets central.conf keys (TOML values as text) before start."""
        path = os.path.join(self.c.dir, "central.conf")
        with open(path) as f:
            text = f.read()
        for key, value in keys.items():
            text, n = re.subn(r"(?m)^%s = .*$" % key, "%s = %s" % (key, value), text)
            self.assertEqual(n, 1, key)
        with open(path, "w") as f:
            f.write(text)

    def start(self):
        self.c.start()
        self.ws_token = self.c.admin_ok("workstation", "add", "SVC-03", "--groups", "service").strip()

    def restart(self, **keys):
        self.c.stop()
        self.configure(**keys)
        self.c.start()

    def payload(self):
        status, _, body = self.c.request("GET", "/v1/roster", token=self.ws_token)
        self.assertEqual(status, 200)
        return json.loads(base64.b64decode(json.loads(body)["payload"]))

    def employees(self):
        return {e["id"]: e for e in json.loads(self.c.admin_ok("employee", "list", "--json"))}

    def fails(self, rc, *args):
        r = self.c.admin(*args)
        self.assertEqual(r.returncode, rc, "%s: %s %s" % (args, r.stdout, r.stderr))
        if rc == 1:
            self.assertEqual(len(r.stderr.strip().splitlines()), 1, r.stderr)
        return r.stderr.strip()

    def test_uids_adopt_list_restart_import(self):
        self.start()
        self.c.admin_ok("employee", "add", "E1", "--account", "asmith", "--account", "asmith2", "--name", "Ann Smith")
        self.c.admin_ok("employee", "add", "E2", "--account", "bjones", "--uid", "1005")
        self.c.admin_ok("employee", "add", "E3", "--account", "cy", "--groups", "service")
        listed = self.employees()
        self.assertEqual(listed["E1"]["posix"], {"asmith": {"uid": 20000}, "asmith2": {"uid": 20001}})
        self.assertEqual(listed["E2"]["posix"], {"bjones": {"uid": 1005}})
        self.assertEqual(listed["E3"]["posix"], {"cy": {"uid": 20002}})
        table = self.c.admin_ok("employee", "list").splitlines()
        self.assertIn("UIDS", table[0].split())
        self.assertIn("20000,20001", [row for row in table if row.startswith("E1 ")][0])

        err = self.fails(1, "employee", "add", "E4", "--account", "dd", "--uid", "1005")
        self.assertIn("uid 1005 is already the uid of account 'bjones' (employee E2)", err)
        self.assertIn("cannot be used", self.fails(1, "employee", "add", "E4", "--account", "dd", "--uid", "999"))
        self.fails(2, "employee", "add", "E4", "--account", "dd", "--uid", "1", "--uid", "2")
        self.assertNotIn("E4", self.employees())

        payload = self.payload()
        by_id = {e["id"]: e for e in payload["employees"]}
        self.assertEqual(by_id["E1"]["posix"], {"asmith": {"uid": 20000}, "asmith2": {"uid": 20001}})
        self.assertNotIn("display_name", by_id["E1"])
        self.assertNotIn("Ann Smith", json.dumps(payload))

        # Terminate, restart with names published, import: uids never move.
        self.c.admin_ok("employee", "terminate", "E1")
        self.restart(publish_display_names="true")
        by_id = {e["id"]: e for e in self.payload()["employees"]}
        self.assertEqual(by_id["E1"]["display_name"], "Ann Smith")
        self.assertEqual(by_id["E1"]["status"], "terminated")
        csv = os.path.join(self._tmp.name, "hr.csv")
        with open(csv, "w") as f:
            f.write("employee_id,name,accounts,status,groups\n"
                    "E1,Ann Smith,asmith;asmith2,terminated,*\n"
                    "E2,Bob Jones,bjones,active,sales\n"
                    "E5,New Hire,newbie,active,sales\n")
        self.c.admin_ok("import", csv)
        listed = self.employees()
        self.assertEqual(listed["E1"]["posix"], {"asmith": {"uid": 20000}, "asmith2": {"uid": 20001}})
        self.assertEqual(listed["E2"]["posix"], {"bjones": {"uid": 1005}})
        self.assertEqual(listed["E5"]["posix"], {"newbie": {"uid": 20003}})

    def test_posix_groups(self):
        self.start()
        self.c.admin_ok("employee", "add", "E1", "--account", "asmith", "--groups", "finance")
        out = self.c.admin_ok("posix-group", "add", "finance-data", "--roles", "finance")
        self.assertIn("gid 30000", out)
        self.assertIn("local group", self.c.admin_ok("posix-group", "add", "dialout", "--local", "--roles", "service"))
        self.c.admin_ok("posix-group", "add", "lp-staff", "--gid", "4000", "--roles", "sales, service")
        self.assertEqual(self.payload()["posix_groups"], {
            "finance-data": {"gid": 30000, "roles": ["finance"]},
            "dialout": {"roles": ["service"]},
            "lp-staff": {"gid": 4000, "roles": ["sales", "service"]},
        })
        listed = json.loads(self.c.admin_ok("posix-group", "list", "--json"))
        self.assertEqual(listed[0], {"name": "dialout", "gid": None, "roles": ["service"]})
        table = self.c.admin_ok("posix-group", "list").splitlines()
        self.assertEqual(table[0].split(), ["NAME", "GID", "ROLES"])
        self.assertEqual(table[1].split(), ["dialout", "local", "service"])

        self.fails(2, "posix-group", "add", "g", "--roles", "")
        self.fails(2, "posix-group", "add", "g", "--roles", " , ")
        self.fails(2, "posix-group", "add", "g")
        self.fails(2, "posix-group", "add", "g", "--local", "--gid", "5000", "--roles", "x")
        self.assertIn("already exists", self.fails(1, "posix-group", "add", "dialout", "--local", "--roles", "x"))
        self.assertIn("is not a role", self.fails(1, "posix-group", "add", "g", "--roles", "*"))
        self.assertIn("invalid posix group name", self.fails(1, "posix-group", "add", "a:b", "--roles", "x"))
        self.assertIn("has the name of account 'asmith'", self.fails(1, "posix-group", "add", "asmith", "--roles", "x"))
        self.assertIn("already the uid of account 'asmith'",
                      self.fails(1, "posix-group", "add", "g", "--gid", "20000", "--roles", "x"))

        self.c.admin_ok("posix-group", "remove", "finance-data")
        self.assertIn("no posix group", self.fails(1, "posix-group", "remove", "finance-data"))
        self.restart()
        # The removed group's gid is never given again, even after a restart.
        self.assertIn("gid 30001", self.c.admin_ok("posix-group", "add", "finance-data", "--roles", "finance"))
        self.assertIn("gid 30000 is already the gid of posix group 'finance-data'",
                      self.fails(1, "posix-group", "add", "other", "--gid", "30000", "--roles", "x"))

    def test_ranges_from_central_conf(self):
        self.configure(uid_range="[40000, 40001]", gid_range="[45000, 45000]")
        self.start()
        self.c.admin_ok("employee", "add", "E1", "--account", "a1", "--account", "a2")
        err = self.fails(1, "employee", "add", "E2", "--account", "b1")
        self.assertEqual(err, "staffgate-admin: uid_range [40000, 40001] is full: no uid left for account 'b1' "
                              "of employee E2; widen uid_range in central.conf")
        self.assertNotIn("E2", self.employees())
        self.assertIn("gid 45000", self.c.admin_ok("posix-group", "add", "g1", "--roles", "x"))
        self.assertIn("gid_range [45000, 45000] is full", self.fails(1, "posix-group", "add", "g2", "--roles", "x"))
        self.restart(uid_range="[40000, 40002]")
        self.c.admin_ok("employee", "add", "E2", "--account", "b1")
        self.assertEqual(self.employees()["E2"]["posix"], {"b1": {"uid": 40002}})
        self.c.stop()
        self.configure(uid_range="[40002, 40001]")
        with self.assertRaises(AssertionError):
            self.c.start()
        with open(self.c.log) as f:
            self.assertIn("uid_range", f.read())


if __name__ == "__main__":
    sgtest.require_inputs("STAFFGATE_CENTRAL_BIN", "STAFFGATE_ADMIN_BIN")
    unittest.main()
