"""The HR console's pages (docs/design.md §11) on a real staffgate-central
over HTTPS on 127.0.0.1: HTML escaping of hostile names on every page, the
events CSV export's formula neutralising, the terminate flow end to end with
its rollout confirmation and journal, adding, editing and scheduling,
the leaver report page and the CSV import's preview."""
import html
import json
import os
import re
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import sgtest  # noqa: E402,F401
from consoletest import ConsoleCase  # noqa: E402

XSS = "<script>alert(1)</script>"


class ConsolePagesTest(ConsoleCase):
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


if __name__ == "__main__":
    unittest.main()
