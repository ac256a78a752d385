#!/usr/bin/env python3
"""The real libnss_staffgate.so.2 as glibc loads it, through nss_wrapper
(NSS_WRAPPER_MODULE_SO_PATH, prefix "staffgate"), without root
(docs/design.md §9). A real staffgated writes the snapshot from a signed
roster with posix fields; tests/nss/nss_probe asks glibc.

nss_wrapper answers getgrouplist by enumerating groups, never through the
module's initgroups_dyn, and does not merge groups: those checks run the
probe under plain glibc instead, in a private user and mount namespace
(unshare -rm) whose /etc/nsswitch.conf, /etc/passwd and /etc/group are the
test's (skipped where unprivileged namespaces are not allowed).

Environment: STAFFGATED, STAFFGATECTL, NSS_MODULE, NSS_PROBE, NSS_WRAPPER_LIB.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
import sgtest  # noqa: E402

STAFFGATED = os.environ.get("STAFFGATED", "")
STAFFGATECTL = os.environ.get("STAFFGATECTL", "")
MODULE = os.environ.get("NSS_MODULE", "")
PROBE = os.environ.get("NSS_PROBE", "")
NSS_WRAPPER = os.environ.get("NSS_WRAPPER_LIB", "libnss_wrapper.so")

LOCAL_PASSWD = ("root:x:0:0:root:/root:/bin/sh\n"
                "localuser:x:1000:1000::/home/localuser:/bin/sh\n")
LOCAL_GROUP = "root:x:0:\nlocaluser:x:1000:\ndialout:x:20:\n"


def employee(eid, status, account, uid, groups, display=None):
    e = {"id": eid, "status": status, "accounts": [account], "groups": groups,
         "posix": {account: {"uid": uid}}}
    if display:
        e["display_name"] = display
    return e


EMPLOYEES = [
    employee("E1", "active", "asmith", 20017, ["service"], "Anna Smith"),
    employee("E2", "terminated", "bjones", 20018, ["service"]),
    employee("E3", "active", "localuser", 20019, ["service"]),   # name taken locally
    employee("E4", "active", "uclash", 1000, ["service"]),       # uid taken locally
    employee("E5", "active", "cdoe", 20020, ["sales"]),          # not permitted on SVC-03
]
WORKSTATIONS = {"SVC-03": {"groups": ["service"]}, "SALES-01": {"groups": ["sales"]}}
POSIX_GROUPS = {"tools": {"gid": 30001, "roles": ["service", "sales"]},
                "dialout": {"roles": ["service"]}}


def payload(employees, serial):
    doc = json.loads(sgtest.roster_payload(employees=employees, workstations=WORKSTATIONS,
                                           serial=serial))
    doc["posix_groups"] = POSIX_GROUPS
    return json.dumps(doc).encode()


class NssModuleTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="sg-nss-")
        tmp = cls.tmp
        cls.passwd = os.path.join(tmp, "passwd")
        cls.group = os.path.join(tmp, "group")
        with open(cls.passwd, "w") as f:
            f.write(LOCAL_PASSWD)
        with open(cls.group, "w") as f:
            f.write(LOCAL_GROUP)
        cls.key = sgtest.SigningKey(tmp)
        cls.state = os.path.join(tmp, "state")
        os.mkdir(cls.state, 0o700)
        with open(os.path.join(cls.state, "roster.dsse"), "wb") as f:
            f.write(cls.key.sign_envelope(payload(EMPLOYEES, 1)))
        cls.config = os.path.join(tmp, "agent.conf")
        cls.socket = os.path.join(tmp, "agent.sock")
        sgtest.write_agent_config(cls.config, workstation="SVC-03", trusted_key=cls.key.pub,
                                  socket_path=cls.socket, state_dir=cls.state,
                                  audit_log=os.path.join(tmp, "audit.jsonl"), min_uid=1000)
        cls.agent_env = dict(os.environ, STAFFGATE_ETC_PASSWD=cls.passwd,
                             STAFFGATE_ETC_GROUP=cls.group)
        cls.agent = sgtest.Agent(STAFFGATED, cls.config, cls.socket, env=cls.agent_env)
        cls.agent.start()
        cls.db = os.path.join(cls.state, "nss", "db")
        if not sgtest.wait_until(lambda: os.path.exists(cls.db), 10):
            raise RuntimeError("no snapshot:\n" + cls.agent.read_log())
        cls.env = dict(os.environ, LD_PRELOAD=sgtest.preload(NSS_WRAPPER),
                       NSS_WRAPPER_PASSWD=cls.passwd, NSS_WRAPPER_GROUP=cls.group,
                       NSS_WRAPPER_MODULE_SO_PATH=MODULE, NSS_WRAPPER_MODULE_FN_PREFIX="staffgate",
                       STAFFGATE_NSS_DIR=os.path.dirname(cls.db), **sgtest.sanitizer_env())

    @classmethod
    def tearDownClass(cls):
        cls.agent.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def probe(self, *args, env=None):
        out = subprocess.run([PROBE] + [str(a) for a in args], env=env or self.env,
                             capture_output=True, text=True, timeout=120)
        return out.stdout.strip()

    def glibc(self, *args, nss_dir=None):
        """nss_probe under the real glibc NSS, `passwd: files staffgate`."""
        if not hasattr(self, "_ns_ok"):
            ok = subprocess.run(["unshare", "-rm", "true"], capture_output=True).returncode == 0
            type(self)._ns_ok = ok
        if not self._ns_ok:
            self.skipTest("unprivileged user namespaces are not available")
        conf = os.path.join(self.tmp, "nsswitch.conf")
        with open(conf, "w") as f:
            f.write("passwd: files staffgate\ngroup: files [SUCCESS=merge] staffgate\n")
        env = dict(os.environ, LD_LIBRARY_PATH=os.path.dirname(MODULE),
                   STAFFGATE_NSS_DIR=nss_dir or os.path.dirname(self.db),
                   **sgtest.sanitizer_env())
        script = ('mount --bind "$1" /etc/nsswitch.conf && mount --bind "$2" /etc/passwd && '
                  'mount --bind "$3" /etc/group && shift 3 && exec "$@"')
        out = subprocess.run(["unshare", "-rm", "sh", "-c", script, "_", conf, self.passwd, self.group,
                              PROBE] + [str(a) for a in args], env=env, capture_output=True,
                             text=True, timeout=120)
        return out.stdout.strip()

    def install(self, employees, serial):
        path = os.path.join(self.tmp, "roster-%d.dsse" % serial)
        with open(path, "wb") as f:
            f.write(self.key.sign_envelope(payload(employees, serial)))
        out = subprocess.run([STAFFGATECTL, "--config", self.config, "roster", "install", path],
                             capture_output=True, text=True, timeout=60, env=self.agent_env)
        self.assertEqual(out.returncode, 0, out.stderr)

    def test_active_employee(self):
        line = "asmith:20017:20017:Anna Smith:/home/asmith:/bin/bash"
        self.assertEqual(self.probe("pw", "asmith"), line)
        self.assertEqual(self.probe("pwuid", 20017), line)
        self.assertEqual(self.probe("gr", "asmith"), "asmith:20017:")
        self.assertEqual(self.probe("grgid", 20017), "asmith:20017:")

    def test_terminated_employee_resolves_with_nologin(self):
        self.assertEqual(self.probe("pw", "bjones"),
                         "bjones:20018:20018:E2:/home/bjones:/usr/sbin/nologin")
        self.assertEqual(self.glibc("groups", "bjones", 20018), "20018")

    def test_unknown_and_refused(self):
        self.assertEqual(self.probe("pw", "nosuchuser"), "notfound")
        self.assertEqual(self.probe("pwuid", 20999), "notfound")
        self.assertEqual(self.probe("gr", "nosuchgroup"), "notfound")
        self.assertEqual(self.probe("pw", "root"), "root:0:0:root:/root:/bin/sh")

    def test_clashing_accounts_stay_local(self):
        self.assertEqual(self.probe("pw", "localuser"), "localuser:1000:1000::/home/localuser:/bin/sh")
        self.assertEqual(self.probe("pwuid", 20019), "notfound")
        self.assertEqual(self.probe("pw", "uclash"), "notfound")
        self.assertEqual(self.probe("pwuid", 1000).split(":")[0], "localuser")
        audit = open(os.path.join(self.tmp, "audit.jsonl")).read()
        self.assertIn('"nss_identity_skipped"', audit)
        self.assertIn("'localuser' exists in /etc/passwd", audit)

    def test_groups_follow_roles_and_workstation(self):
        self.assertEqual(self.probe("gr", "tools"), "tools:30001:asmith")
        self.assertEqual(self.probe("grgid", 30001), "tools:30001:asmith")
        self.assertEqual(self.probe("gr", "dialout"), "dialout:20:")  # nss_wrapper: files only
        # cdoe holds "sales" (a role of tools) but is not permitted on SVC-03.
        self.assertEqual(self.glibc("groups", "cdoe", 20020), "20020")
        # Through glibc: initgroups_dyn, and dialout merged with its local entry.
        self.assertEqual(self.glibc("groups", "asmith", 20017), "20 20017 30001")
        self.assertEqual(self.glibc("gr", "dialout"), "dialout:20:asmith")
        self.assertEqual(self.glibc("pw", "asmith"), "asmith:20017:20017:Anna Smith:/home/asmith:/bin/bash")

    def test_short_buffers_get_erange(self):
        out = self.probe("short", "asmith")
        self.assertRegex(out, r"^erange until \d+, group until \d+$")
        need = int(out.split()[2].rstrip(","))
        # name, "*", gecos, home, shell with their NULs.
        self.assertGreaterEqual(need, len("asmith*Anna Smith/home/asmith/bin/bash") + 5)

    def test_corrupt_or_missing_snapshot_is_unavailable(self):
        broken = tempfile.mkdtemp(dir=self.tmp)
        env = dict(self.env, STAFFGATE_NSS_DIR=broken)
        self.assertEqual(self.probe("pw", "asmith", env=env), "notfound")
        data = open(self.db, "rb").read()
        for cut in (data[:10], data[:-1], data[:64] + bytes(len(data) - 64)):
            with open(os.path.join(broken, "db"), "wb") as f:
                f.write(cut)
            self.assertEqual(self.probe("pw", "asmith", env=env), "notfound")
            self.assertEqual(self.probe("pw", "localuser", env=env).split(":")[0], "localuser")

    def enumerating_snapshot(self):
        """A second state dir whose snapshot (written by an offline
        `staffgatectl roster install`) has nss_enumerate = true."""
        state = os.path.join(self.tmp, "state-enum")
        if not os.path.isdir(state):
            os.mkdir(state, 0o700)
            config = os.path.join(self.tmp, "agent-enum.conf")
            with open(self.config) as f:
                text = f.read()
            text = text.replace(self.state, state).replace(
                self.socket, os.path.join(self.tmp, "none.sock"))
            with open(config, "w") as f:
                f.write(text + "nss_enumerate = true\n")
            path = os.path.join(self.tmp, "roster-enum.dsse")
            with open(path, "wb") as f:
                f.write(self.key.sign_envelope(payload(EMPLOYEES, 1)))
            out = subprocess.run([STAFFGATECTL, "--config", config, "roster", "install", path],
                                 capture_output=True, text=True, timeout=60, env=self.agent_env)
            self.assertEqual(out.returncode, 0, out.stderr)
        return os.path.join(state, "nss")

    def test_enumeration_only_with_nss_enumerate(self):
        local_pw = ["root:0:0:root:/root:/bin/sh", "localuser:1000:1000::/home/localuser:/bin/sh"]
        local_gr = ["root:0:", "localuser:1000:", "dialout:20:"]
        # Off (the default): getpwent and getgrent list the local files only.
        self.assertEqual(self.probe("pwent").split("\n"), (local_pw + ["end"]) * 2)
        self.assertEqual(self.probe("grent").split("\n"), (local_gr + ["end"]) * 2)
        # On: every served employee (not the clashing ones), every staffgate
        # group (not the local dialout) and every user private group, and
        # endpwent/setpwent start over.
        env = dict(self.env, STAFFGATE_NSS_DIR=self.enumerating_snapshot())
        ours_pw = ["asmith:20017:20017:Anna Smith:/home/asmith:/bin/bash",
                   "bjones:20018:20018:E2:/home/bjones:/usr/sbin/nologin",
                   "cdoe:20020:20020:E5:/home/cdoe:/bin/bash"]
        ours_gr = ["tools:30001:asmith", "asmith:20017:", "bjones:20018:", "cdoe:20020:"]
        pw = self.probe("pwent", env=env).split("\n")
        self.assertEqual(pw[:2], local_pw)
        self.assertEqual(sorted(pw[2:5]), ours_pw)
        self.assertEqual(pw, (pw[:5] + ["end"]) * 2)
        gr = self.probe("grent", env=env).split("\n")
        self.assertEqual(gr[:3], local_gr)
        self.assertEqual(gr[3], ours_gr[0])
        self.assertEqual(sorted(gr[4:7]), ours_gr[1:])
        self.assertEqual(gr, (gr[:7] + ["end"]) * 2)

    def test_enumeration_through_glibc(self):
        pw = self.glibc("pwent").split("\n")
        self.assertNotIn("asmith", [line.split(":")[0] for line in pw])
        nss_dir = self.enumerating_snapshot()
        pw = self.glibc("pwent", nss_dir=nss_dir).split("\n")
        names = [line.split(":")[0] for line in pw]
        self.assertEqual(names[:2], ["root", "localuser"])
        self.assertEqual(sorted(names[2:5]), ["asmith", "bjones", "cdoe"])
        self.assertEqual(names, (names[:5] + ["end"]) * 2)
        gr = self.glibc("grent", nss_dir=nss_dir).split("\n")
        self.assertIn("tools:30001:asmith", gr)
        self.assertEqual(gr.count("end"), 2)

    def test_yy_swap_under_16_threads_and_pickup(self):
        # A second valid snapshot: asmith unchanged, bjones gone.
        first = os.path.join(self.tmp, "first.db")
        shutil.copy(self.db, first)
        self.install([e for e in EMPLOYEES if e["id"] != "E2"], 2)
        self.assertTrue(sgtest.wait_until(lambda: open(self.db, "rb").read() != open(first, "rb").read()))
        second = os.path.join(self.tmp, "second.db")
        shutil.copy(self.db, second)

        stop = threading.Event()

        def swap():
            n = 0
            while not stop.is_set():
                tmp = self.db + ".swap"
                shutil.copy((first, second)[n % 2], tmp)
                os.replace(tmp, self.db)
                n += 1
                time.sleep(0.002)

        swapper = threading.Thread(target=swap)
        swapper.start()
        try:
            out = self.probe("threads", 16, 3, "asmith", 20017)
        finally:
            stop.set()
            swapper.join()
        self.assertRegex(out, r"^lookups=\d+ wrong=0$")

        # One process sees the replaced file at its next lookup.
        shutil.copy(first, self.db + ".swap")
        os.replace(self.db + ".swap", self.db)
        p = subprocess.Popen([PROBE, "pwtwice", "bjones"], env=self.env, stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)
        try:
            self.assertEqual(p.stdout.readline().split(":")[0], "bjones")
            shutil.copy(second, self.db + ".swap")
            os.replace(self.db + ".swap", self.db)
            p.stdin.write("\n")
            p.stdin.flush()
            self.assertEqual(p.stdout.readline().strip(), "notfound")
        finally:
            p.communicate(timeout=30)

    def test_zz_lookups_answer_with_the_agent_stopped(self):
        self.agent.stop()
        try:
            self.assertTrue(self.probe("pw", "asmith").startswith("asmith:20017:"))
            self.assertEqual(self.glibc("groups", "asmith", 20017), "20 20017 30001")
        finally:
            self.agent.start()

    def test_staffgatectl_id_explains(self):
        out = subprocess.run([STAFFGATECTL, "--config", self.config, "id", "cdoe"],
                             capture_output=True, text=True, timeout=60, env=self.agent_env)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("uid=20020(cdoe) gid=20020(cdoe) groups=20020(cdoe)\n", out.stdout)
        self.assertIn("tools (gid 30001): not granted: not permitted on SVC-03", out.stdout)
        self.assertIn("dialout (local group): not granted: holds none of its roles (service);"
                      " not permitted on SVC-03", out.stdout)
        out = subprocess.run([STAFFGATECTL, "--config", self.config, "id", "localuser"],
                             capture_output=True, text=True, timeout=60, env=self.agent_env)
        self.assertEqual(out.returncode, 1)
        self.assertIn("not served here: 'localuser' exists in /etc/passwd", out.stdout)


if __name__ == "__main__":
    for name in ("STAFFGATED", "STAFFGATECTL", "NSS_MODULE", "NSS_PROBE"):
        if not os.environ.get(name):
            sys.exit("set %s" % name)
    unittest.main(verbosity=2)
