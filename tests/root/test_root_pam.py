#!/usr/bin/env python3
"""Root tier: pam_staffgate.so in a REAL /etc/pam.d service, REAL local
accounts (useradd, chage) and a real staffgated running as root, driven by
pamtester with no wrappers. Exits 77 (ctest SKIP_RETURN_CODE) unless root.

Everything created carries the test's pid: /etc/pam.d/staffgate-test-<pid>*
and accounts sgt<pid><letter> (GECOS "staffgate-test"). All of it is removed
at the end, even on failure or SIGTERM, and leftovers of earlier runs whose
process is gone are swept at start.

Environment: STAFFGATE_MODULE, STAFFGATED (set by tests/root/CMakeLists.txt).
"""

import datetime
import glob
import os
import re
import signal
import subprocess
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
import sgtest  # noqa: E402
from classfixture import ClassFixtureTest  # noqa: E402

SKIP = 77
MODULE = sgtest.tier_input("STAFFGATE_MODULE")
STAFFGATED = sgtest.tier_input("STAFFGATED")
PAM_D = "/etc/pam.d"
MARKER = "staffgate-test"
PID = os.getpid()
WORKSTATION = "WS-ROOT"


def pid_alive(pid):
    return os.path.exists("/proc/%d" % pid)


def userdel(name):
    subprocess.run(["userdel", "-f", name], capture_output=True, timeout=60)


def useradd(name):
    # useradd exits 10 when another process holds the passwd lock: retry.
    for _ in range(20):
        proc = subprocess.run(["useradd", "-M", "-N", "-s", "/usr/sbin/nologin", "-c", MARKER,
                               name], capture_output=True, timeout=60)
        if proc.returncode == 0:
            return
        if proc.returncode != 10:
            raise RuntimeError("useradd %s: %s" % (name, proc.stderr.decode()))
        time.sleep(0.5)
    raise RuntimeError("useradd %s: passwd stayed locked" % name)


def sweep_leftovers():
    """Removes services and accounts of earlier runs that died (SIGKILL)."""
    for path in glob.glob(os.path.join(PAM_D, MARKER + "-*")):
        m = re.match(re.escape(MARKER) + r"-(\d+)", os.path.basename(path))
        if m and not pid_alive(int(m.group(1))):
            os.unlink(path)
    with open("/etc/passwd") as f:
        for line in f:
            fields = line.split(":")
            m = re.match(r"sgt(\d+)[a-z]$", fields[0])
            if m and len(fields) > 4 and fields[4] == MARKER and not pid_alive(int(m.group(1))):
                userdel(fields[0])


class RootPamTest(ClassFixtureTest):
    tmp_prefix = "sgroot-"
    tmp_mode = 0o755

    @classmethod
    def _set_up(cls):
        cls.created_users, cls.created_files = [], []
        cls.agent = None
        sweep_leftovers()
        tmp = cls.tmp
        cls.user = {role: "sgt%d%s" % (PID, role[0]) for role in
                    ("active", "terminated", "reset", "changed")}
        for name in cls.user.values():
            useradd(name)
            cls.created_users.append(name)
        today = sgtest.now_utc()
        old = (today - datetime.timedelta(days=30)).strftime("%Y-%m-%d")
        sgtest.run(["chage", "-d", old, cls.user["reset"]])
        sgtest.run(["chage", "-d", today.strftime("%Y-%m-%d"), cls.user["changed"]])
        reset_after = sgtest.rfc3339(today - datetime.timedelta(days=9))

        cls.agent = sgtest.start_signed_agent(
            STAFFGATED, tmp, workstation=WORKSTATION, min_uid=1000, env=dict(os.environ),
            employees=[
                {"id": "R1", "status": "active", "accounts": [cls.user["active"]]},
                {"id": "R2", "status": "terminated", "accounts": [cls.user["terminated"]]},
                {"id": "R3", "status": "active", "accounts": [cls.user["reset"]],
                 "credentials_reset_after": reset_after},
                {"id": "R4", "status": "active", "accounts": [cls.user["changed"]],
                 "credentials_reset_after": reset_after},
            ])
        cls.socket = cls.agent.socket_path

        args = ["socket=" + cls.socket, "min_uid=1000"]
        down = ["socket=" + os.path.join(tmp, "missing.sock"), "min_uid=1000"]
        permit = sgtest.PERMIT
        cls.svc = {
            "plain": "%s-%d" % (MARKER, PID),
            "permit": "%s-%d-permit" % (MARKER, PID),
            "down": "%s-%d-down" % (MARKER, PID),
            "down-permit": "%s-%d-down-permit" % (MARKER, PID),
        }
        texts = {
            "plain": sgtest.pam_service_text(MODULE, args),
            "permit": sgtest.pam_service_text(MODULE, args, permit),
            "down": sgtest.pam_service_text(MODULE, down),
            "down-permit": sgtest.pam_service_text(MODULE, down, permit),
        }
        for role, name in cls.svc.items():
            path = os.path.join(PAM_D, name)
            cls.created_files.append(path)
            with open(path, "w") as f:
                f.write(texts[role])

    @classmethod
    def _tear_down(cls):
        for path in getattr(cls, "created_files", []):
            try:
                os.unlink(path)
            except FileNotFoundError:
                pass
        if getattr(cls, "agent", None):
            cls.agent.stop()
        for name in getattr(cls, "created_users", []):
            userdel(name)

    def pam(self, role, user, *ops):
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("PAM_WRAPPER", "NSS_WRAPPER")) and k != "LD_PRELOAD"}
        if sgtest.preload():
            env.update(LD_PRELOAD=sgtest.preload(), **sgtest.sanitizer_env())
        rc, out, err, _ = sgtest.pamtester(self.svc[role], user, ops, env,
                                           items={"tty": "pts/9"})
        return rc, out, err

    def assert_code(self, code, role, user, op):
        rc, out, err = self.pam(role, user, op)
        sgtest.assert_pam_failed(self, code, rc, out, err)
        return err

    def test_active_allowed(self):
        rc, out, err = self.pam("plain", self.user["active"], "acct_mgmt", "open_session",
                                "close_session")
        self.assertEqual(rc, 0, out + err)

    def test_terminated_refused(self):
        err = self.assert_code("ACCT_EXPIRED", "plain", self.user["terminated"], "acct_mgmt")
        answer = sgtest.ask_agent(self.socket, sgtest.check_request(self.user["terminated"]))
        self.assertEqual(answer.get("reason"), "terminated")
        self.assertIn(answer["message"], err)
        self.assert_code("PERM_DENIED", "permit", self.user["terminated"], "authenticate")

    def test_root_ignored_even_with_the_agent_down(self):
        for role in ("permit", "down-permit"):
            rc, out, err = self.pam(role, "root", "authenticate", "acct_mgmt", "open_session",
                                    "close_session")
            self.assertEqual(rc, 0, out + err)
        # Alone in the stack, IGNORE is a failure: proves root got PAM_IGNORE.
        self.assert_code("PERM_DENIED", "down", "root", "acct_mgmt")

    def test_agent_down_refused(self):
        for op in ("authenticate", "acct_mgmt", "open_session"):
            with self.subTest(op=op):
                self.assert_code("AUTHINFO_UNAVAIL", "down", self.user["active"], op)

    def test_reset_after_last_change_requires_new_password(self):
        self.assert_code("NEW_AUTHTOK_REQD", "plain", self.user["reset"], "acct_mgmt")

    def test_reset_before_last_change_is_allowed(self):
        rc, out, err = self.pam("plain", self.user["changed"], "acct_mgmt")
        self.assertEqual(rc, 0, out + err)


def main():
    if os.getuid() != 0:
        print("root tier: skipped (not root)")
        return SKIP
    sgtest.require_inputs("STAFFGATE_MODULE", "STAFFGATED")
    # SIGTERM (ctest timeout, Ctrl-C) still runs the cleanup in tearDownClass.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    result = unittest.main(verbosity=2, exit=False).result
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
