"""HR imports at the central (docs/design.md §5 `import`), through the real
staffgate-central over HTTPS and the real staffgate-admin: employees missing
from the file (--missing), terminated employees made active again
(--allow-reactivate), blank fields, header names, line endings, empty files,
--dry-run, no serial for a change that changes nothing, and a large import
that neither blocks admin reads nor is reported failed once saved."""
import base64
import json
import os
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import sgtest  # noqa: E402
from centraltest import Central  # noqa: E402

HEADER = "employee_id,name,accounts,status,groups\n"


class ImportTest(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="sg-import-")
        self.c = Central(self._tmp.name)
        self.c.start()
        self.ws_token = self.c.admin_ok("workstation", "add", "WS-1", "--groups", "sales").strip()
        self.csv(HEADER +
                 "E1,Ann Smith,asmith,active,sales\n"
                 "E2,Bob Jones,bjones,active,*\n"
                 "E3,Cy Leaver,cy,active,*\n"
                 "E4,Di Gone,di,terminated,*\n", name="seed.csv")
        self.c.admin_ok("import", self.path("seed.csv"))

    def tearDown(self):
        self.c.stop()
        self._tmp.cleanup()

    # -- helpers -------------------------------------------------------------
    def path(self, name):
        return os.path.join(self._tmp.name, name)

    def csv(self, text, name="hr.csv", mode="w"):
        with open(self.path(name), mode) as f:
            f.write(text)
        return self.path(name)

    def admin_fails(self, *args):
        r = self.c.admin(*args)
        self.assertEqual(r.returncode, 1, "%s: %s %s" % (args, r.stdout, r.stderr))
        self.assertEqual(len(r.stderr.strip().splitlines()), 1, r.stderr)
        return r.stderr

    def serial(self):
        status, headers, _ = self.c.request("GET", "/v1/roster", token=self.ws_token)
        self.assertEqual(status, 200)
        return int(headers["ETag"].strip('"'))

    def roster_employees(self):
        _, _, body = self.c.request("GET", "/v1/roster", token=self.ws_token)
        payload = json.loads(base64.b64decode(json.loads(body)["payload"]))
        return {e["id"]: e for e in payload["employees"]}

    def statuses(self):
        listed = json.loads(self.c.admin_ok("employee", "list", "--json"))
        return {e["id"]: e["status"] for e in listed}

    # -- 1. employees missing from the file -----------------------------------
    def test_missing_employees_are_reported_by_default(self):
        f = self.csv(HEADER + "E1,Ann Smith,asmith,active,sales\n")
        s0 = self.serial()
        out = self.c.admin_ok("import", f)
        self.assertIn("missing: 2 active or suspended employees", out)
        self.assertIn("E2, E3", out)
        self.assertIn("--missing suspend", out)
        self.assertIn("--missing terminate", out)
        self.assertEqual(self.statuses()["E3"], "active")
        self.assertEqual(self.serial(), s0)  # Nothing changed, nothing published.
        report = json.loads(self.c.admin_ok("import", f, "--json"))
        self.assertEqual(report["missing"], ["E2", "E3"])
        self.assertEqual(report["missing_action"], "report")

    def test_missing_employees_suspended_or_terminated_on_request(self):
        f = self.csv(HEADER + "E1,Ann Smith,asmith,active,sales\nE2,Bob Jones,bjones,active,*\n")
        s0 = self.serial()
        out = self.c.admin_ok("import", f, "--missing", "suspend")
        self.assertIn("suspended 1 employee not in the file: E3", out)
        self.assertEqual(self.statuses()["E3"], "suspended")
        self.assertEqual(self.roster_employees()["E3"]["status"], "suspended")
        self.assertEqual(self.serial(), s0 + 1)
        self.c.admin_ok("import", f, "--missing", "terminate")
        self.assertEqual(self.statuses()["E3"], "terminated")
        self.assertEqual(self.statuses()["E1"], "active")
        r = self.c.admin("import", f, "--missing", "forget")
        self.assertEqual(r.returncode, 2, r.stderr)

    # -- 2. reactivation --------------------------------------------------------
    def test_reactivating_a_terminated_employee_needs_allow_reactivate(self):
        f = self.csv(HEADER + "E1,Ann Smith,asmith,active,sales\nE4,Di Gone,di,active,*\n")
        s0 = self.serial()
        err = self.admin_fails("import", f)
        self.assertIn("hr.csv", err)
        self.assertIn("E4 (line 3)", err)
        self.assertIn("--allow-reactivate", err)
        self.assertEqual(self.statuses()["E4"], "terminated")
        self.assertEqual(self.serial(), s0)
        out = self.c.admin_ok("import", f, "--allow-reactivate")
        self.assertIn("reactivated (terminated -> active): E4", out)
        self.assertEqual(self.statuses()["E4"], "active")

    # -- 3. blank fields ---------------------------------------------------------
    def test_blank_fields_are_refused_and_change_nothing(self):
        s0 = self.serial()
        cases = [
            ("E5,New,newone,active,*\nE2,Bob Jones,bjones,,*\n", "line 3: status is blank"),
            ("E2,Bob Jones,bjones,active,\n", "line 2: groups is blank"),
            ("E2,Bob Jones,bjones,active\n", "line 2: expected 5 fields"),
            ("E2,,bjones,active,*\n", "line 2: name is blank"),
        ]
        for body, expected in cases:
            err = self.admin_fails("import", self.csv(HEADER + body, name="blank.csv"))
            self.assertIn("blank.csv: " + expected, err)
        # Without a header, a 4-column line is refused the same way.
        err = self.admin_fails("import", self.csv("E2,Bob Jones,bjones,active\n", name="blank.csv"))
        self.assertIn("blank.csv: line 1: expected 5 fields", err)
        self.assertEqual(self.serial(), s0)
        self.assertNotIn("E5", self.statuses())
        self.assertEqual(self.roster_employees()["E2"]["groups"], ["*"])

    # -- 4. header by name, line endings, empty files ----------------------------
    def test_columns_by_header_name(self):
        f = self.csv("groups,status,accounts,name,employee_id\nservice,suspended,bjones,Bob Jones,E2\n")
        self.c.admin_ok("import", f)
        e2 = self.roster_employees()["E2"]
        self.assertEqual((e2["status"], e2["groups"]), ("suspended", ["service"]))
        err = self.admin_fails("import", self.csv(HEADER.strip() + ",department\nE2,B,bjones,active,*,x\n"))
        self.assertIn("line 1: unknown column 'department'", err)
        err = self.admin_fails("import", self.csv("employee_id,name,accounts,status\nE2,B,bjones,active\n"))
        self.assertIn("lacks the column 'groups'", err)

    def test_cr_line_endings_import_every_line(self):
        f = self.csv((HEADER + "E5,Eve,eve,active,*\nE6,Fay,fay,active,sales\n").replace("\n", "\r"),
                     name="mac.csv", mode="w")
        with open(f, "rb") as fh:
            self.assertNotIn(b"\n", fh.read())
        out = self.c.admin_ok("import", f)
        self.assertIn("2 added", out)
        self.assertEqual(self.roster_employees()["E6"]["groups"], ["sales"])

    def test_empty_and_header_only_files_are_refused(self):
        s0 = self.serial()
        err = self.admin_fails("import", self.csv("", name="empty.csv"))
        self.assertIn("empty.csv: the file is empty", err)
        err = self.admin_fails("import", self.csv(HEADER, name="header.csv"))
        self.assertIn("header.csv: the file has a header but no employee lines", err)
        self.assertEqual(self.serial(), s0)

    # -- 5. dry run ---------------------------------------------------------------
    def test_dry_run_prints_the_difference_and_changes_nothing(self):
        f = self.csv(HEADER +
                     "E1,Ann Smith,asmith,suspended,sales;service\n"
                     "E4,Di Gone,di,active,*\n"
                     "E5,New Hire,newhire,active,*\n")
        s0 = self.serial()
        out = self.c.admin_ok("import", f, "--dry-run", "--missing", "terminate")
        self.assertIn("dry run of", out)
        self.assertIn("would add 1, change 2, leave 0 unchanged", out)
        self.assertIn("added: E5", out)
        self.assertIn("changed E1: status active -> suspended; groups sales -> sales;service", out)
        self.assertIn("changed E4: status terminated -> active", out)
        self.assertIn("reactivated (terminated -> active): E4", out)
        self.assertIn("would terminate employees not in the file: 2 (E2, E3)", out)
        self.assertEqual(self.serial(), s0)
        self.assertEqual(self.statuses(), {"E1": "active", "E2": "active", "E3": "active",
                                           "E4": "terminated"})
        report = json.loads(self.c.admin_ok("import", f, "--dry-run", "--json"))
        self.assertTrue(report["dry_run"])
        self.assertFalse(report["published"])
        self.assertEqual(report["reactivated"], ["E4"])

    # -- 7. no serial for nothing -------------------------------------------------
    def test_changes_that_change_nothing_publish_no_serial(self):
        f = self.csv(HEADER + "E1,Ann Smith,asmith,active,sales\nE2,Bob Jones,bjones,active,*\n"
                     "E3,Cy Leaver,cy,active,*\nE4,Di Gone,di,terminated,*\n")
        self.c.admin_ok("employee", "terminate", "E3")
        self.c.admin_ok("shared-account", "add", "sales")
        self.c.admin_ok("policy", "set", "max-workstations-per-account", "3")
        s0 = self.serial()
        self.c.admin_ok("employee", "terminate", "E3")
        self.c.admin_ok("shared-account", "add", "sales")
        self.c.admin_ok("policy", "set", "max-workstations-per-account", "3")
        self.assertEqual(self.serial(), s0)
        self.c.admin_ok("employee", "reinstate", "E3")
        self.c.admin_ok("import", f)
        s1 = self.serial()
        self.assertEqual(s1, s0 + 1)
        out = self.c.admin_ok("import", f)
        self.assertIn("0 added, 0 changed, 4 unchanged", out)
        self.assertEqual(self.serial(), s1)


class LargeImportTest(unittest.TestCase):
    """A large import: admin reads answer meanwhile, and the client's
    timeout never turns a saved import into a reported failure."""
    SEED = 20000

    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="sg-import-")
        self.c = Central(self._tmp.name)
        self.c.start()

    def tearDown(self):
        self.c.stop()
        self._tmp.cleanup()

    def write(self, name, rows):
        path = os.path.join(self._tmp.name, name)
        with open(path, "w") as f:
            f.write(HEADER)
            f.writelines(rows)
        return path

    def test_large_import_keeps_reads_answering_and_reports_the_truth(self):
        n = self.SEED
        seed = self.write("seed.csv", ("E%d,Person %d,u%d,active,*\n" % (i, i, i) for i in range(n)))
        self.c.admin_ok("--timeout", "300", "import", seed)
        # Every existing employee changes, a quarter more are added.
        rows = ("E%d,Person %d,u%d,active,sales\n" % (i, i, i) for i in range(n + n // 4))
        big = self.write("big.csv", rows)
        latencies = []
        done = threading.Event()

        def reads():
            while not done.is_set():
                t = time.monotonic()
                r = self.c.admin("shared-account", "list")
                latencies.append((time.monotonic() - t, r.returncode))

        reader = threading.Thread(target=reads)
        t0 = time.monotonic()
        reader.start()
        r = self.c.admin("import", big, "--missing", "terminate")
        took = time.monotonic() - t0
        done.set()
        reader.join()
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertTrue(all(rc == 0 for _, rc in latencies), latencies)
        if took > 3:  # Long enough to tell a blocked read from a slow one.
            worst = max(lat for lat, _ in latencies)
            self.assertLess(worst, took / 2, "a read waited %.1f s of a %.1f s import" % (worst, took))
        listed = json.loads(self.c.admin_ok("employee", "list", "--json"))
        self.assertEqual(len(listed), n + n // 4)
        self.assertTrue(all(e["groups"] == ["sales"] for e in listed))

        # --timeout 1: the import likely outlasts it; the client must then
        # find out that it was saved instead of reporting failure.
        rows = ("E%d,Person %d,u%d,active,service\n" % (i, i, i) for i in range(n + n // 4))
        again = self.write("again.csv", rows)
        r = self.c.admin("--timeout", "1", "import", again)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("imported", r.stdout)
        listed = json.loads(self.c.admin_ok("employee", "list", "--json"))
        self.assertTrue(all(e["groups"] == ["service"] for e in listed))
        # The same file again changes nothing and publishes nothing.
        out = self.c.admin_ok("import", again)
        self.assertIn("0 added, 0 changed", out)


if __name__ == "__main__":
    sgtest.require_inputs("STAFFGATE_CENTRAL_BIN", "STAFFGATE_ADMIN_BIN")
    unittest.main()
