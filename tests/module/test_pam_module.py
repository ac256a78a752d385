#!/usr/bin/env python3
"""Module tier: pam_staffgate.so inside pamtester, through pam_wrapper and
nss_wrapper, asking a REAL staffgated that holds a roster signed with the
openssl CLI. No root needed: as a non-root runner every test account gets the
runner's own uid (the agent's caller rule lets a uid ask about itself) and
agent_uid / min_uid follow the runner.

Environment (set by tests/module/CMakeLists.txt):
  STAFFGATE_MODULE    path of pam_staffgate.so
  STAFFGATED          path of staffgated
  PAM_WRAPPER_LIB     libpam_wrapper.so   NSS_WRAPPER_LIB  libnss_wrapper.so
"""

import datetime
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import sgtest  # noqa: E402
from classfixture import ClassFixtureTest  # noqa: E402

MODULE = sgtest.tier_input("STAFFGATE_MODULE")
STAFFGATED = sgtest.tier_input("STAFFGATED")
PAM_WRAPPER_LIB = sgtest.tier_input("PAM_WRAPPER_LIB", "libpam_wrapper.so")
NSS_WRAPPER_LIB = sgtest.tier_input("NSS_WRAPPER_LIB", "libnss_wrapper.so")
WORKSTATION = "WS-TEST"
HANG_TIMEOUT_MS = 1000


class PamModuleTest(ClassFixtureTest):
    tmp_prefix = "sgmod-"

    @classmethod
    def _set_up(cls):
        tmp = cls.tmp
        uid = os.getuid()
        cls.is_root = uid == 0
        # Root: distinct uids above UID_MIN. Non-root: the agent answers a
        # non-root caller only about accounts carrying the caller's own uid.
        cls.min_uid = 1000 if cls.is_root else uid
        names = ["asmith", "bjones", "csmith", "dlee", "ereset", "fchanged", "gsameday",
                 "sales", "nobodyknows", "exempted"]
        cls.uids = {n: (2001 + i if cls.is_root else uid) for i, n in enumerate(names)}
        today = sgtest.now_utc()
        reset_after = today - datetime.timedelta(days=9)
        # A reset earlier today: shadow's whole day (today) cannot show a
        # change after it; only the module's password phase can.
        day_start = today.replace(hour=0, minute=0, second=0, microsecond=0)
        cls.same_day_reset = max(day_start + datetime.timedelta(seconds=1),
                                 today - datetime.timedelta(seconds=30))
        old_change = sgtest.days_since_epoch(today - datetime.timedelta(days=30))
        passwd, shadow = [], []
        for name, u in cls.uids.items():
            passwd.append("%s:x:%d:%d:%s:/nonexistent:/bin/sh" % (name, u, u, name))
            lstchg = old_change if name == "ereset" else sgtest.days_since_epoch(today)
            shadow.append("%s:!:%d:0:99999:7:::" % (name, lstchg))
        passwd.append("root:x:0:0:root:/root:/bin/sh")
        shadow.append("root:!:%d:0:99999:7:::" % sgtest.days_since_epoch(today))
        if cls.min_uid > 0:
            passwd.append("sysacct:x:%d:%d::/nonexistent:/bin/sh" % (cls.min_uid - 1,
                                                                      cls.min_uid - 1))
        cls.passwd = os.path.join(tmp, "passwd")
        cls.group = os.path.join(tmp, "group")
        cls.shadow = os.path.join(tmp, "shadow")
        with open(cls.passwd, "w") as f:
            f.write("\n".join(passwd) + "\n")
        with open(cls.group, "w") as f:
            f.write("root:x:0:\nstaff:x:%d:\n" % cls.min_uid)
        with open(cls.shadow, "w") as f:
            f.write("\n".join(shadow) + "\n")

        nss_env = {
            "NSS_WRAPPER_PASSWD": cls.passwd,
            "NSS_WRAPPER_GROUP": cls.group,
            "NSS_WRAPPER_SHADOW": cls.shadow,
        }
        agent_env = dict(os.environ, LD_PRELOAD=sgtest.preload(NSS_WRAPPER_LIB),
                         **nss_env, **sgtest.sanitizer_env())
        cls.agent = sgtest.start_signed_agent(
            STAFFGATED, tmp, workstation=WORKSTATION, min_uid=cls.min_uid,
            exempt=("root", "exempted"), env=agent_env,
            employees=[
                {"id": "E1001", "status": "active", "accounts": ["asmith"], "groups": ["*"]},
                {"id": "E1002", "status": "terminated", "accounts": ["bjones"],
                 "groups": ["sales"]},
                {"id": "E1003", "status": "suspended", "accounts": ["csmith"]},
                {"id": "E1004", "status": "active", "accounts": ["dlee"],
                 "groups": ["service"]},
                {"id": "E1005", "status": "active", "accounts": ["ereset"],
                 "credentials_reset_after": sgtest.rfc3339(reset_after)},
                {"id": "E1006", "status": "active", "accounts": ["fchanged"],
                 "credentials_reset_after": sgtest.rfc3339(reset_after)},
                {"id": "E1007", "status": "active", "accounts": ["exempted"]},
                {"id": "E1008", "status": "active", "accounts": ["gsameday"],
                 "credentials_reset_after": sgtest.rfc3339(cls.same_day_reset)},
            ],
            shared=["sales"],
            workstations={WORKSTATION: {"groups": ["sales"]}})
        cls.socket = cls.agent.socket_path

        cls.hang_socket = os.path.join(tmp, "hang.sock")
        cls.garbage_socket = os.path.join(tmp, "garbage.sock")
        cls.refusing_socket = os.path.join(tmp, "refusing.sock")
        cls.listeners = [
            sgtest.ScriptedListener(cls.hang_socket),
            sgtest.ScriptedListener(cls.garbage_socket, b"this is not json\n"),
            sgtest.ScriptedListener(cls.refusing_socket,
                                    b'{"v":1,"ok":false,"error":"forbidden","message":"no"}\n'),
        ]

        services = os.path.join(tmp, "services")
        os.mkdir(services)
        common = ["agent_uid=%d" % uid, "min_uid=%d" % cls.min_uid, "debug"]
        permit = sgtest.PERMIT
        env_dump = {"session": ["optional pam_exec.so type=open_session stdout /usr/bin/env"]}
        ok_sock = "socket=" + cls.socket
        down_sock = "socket=" + os.path.join(tmp, "missing.sock")
        hang = ["socket=" + cls.hang_socket, "timeout_ms=%d" % HANG_TIMEOUT_MS]
        files = {
            "sg": sgtest.pam_service_text(MODULE, [ok_sock] + common),
            "sg-permit": sgtest.pam_service_text(MODULE, [ok_sock] + common, permit),
            "sg-quiet": sgtest.pam_service_text(MODULE, [ok_sock, "quiet"] + common),
            "sg-env": sgtest.pam_service_text(MODULE, [ok_sock] + common, env_dump),
            "sg-down": sgtest.pam_service_text(MODULE, [down_sock] + common),
            "sg-down-permit": sgtest.pam_service_text(MODULE, [down_sock] + common, permit),
            "sg-hang": sgtest.pam_service_text(MODULE, hang + common),
            "sg-garbage": sgtest.pam_service_text(MODULE, ["socket=" + cls.garbage_socket]
                                                  + common),
            "sg-refusing": sgtest.pam_service_text(MODULE, ["socket=" + cls.refusing_socket]
                                                   + common),
            # The real agent's socket, but the module expects another owner.
            "sg-wrong-owner": sgtest.pam_service_text(
                MODULE, [ok_sock, "agent_uid=%d" % (uid + 4242), "min_uid=%d" % cls.min_uid,
                         "debug"]),
            # A local password change: pam_permit stands for pam_unix, then
            # the module tells the agent (the main profile's password line).
            "sg-passwd": sgtest.pam_service_text(MODULE, [ok_sock] + common).replace(
                "password required pam_deny.so",
                "password required pam_permit.so\npassword optional %s %s password_changed"
                % (MODULE, " ".join([ok_sock] + common))),
            "other": "auth required pam_deny.so\naccount required pam_deny.so\n"
                     "session required pam_deny.so\npassword required pam_deny.so\n",
        }
        for name, text in files.items():
            with open(os.path.join(services, name), "w") as f:
                f.write(text)
        cls.pam_env = dict(os.environ, LD_PRELOAD=sgtest.preload(PAM_WRAPPER_LIB, NSS_WRAPPER_LIB),
                           PAM_WRAPPER="1", PAM_WRAPPER_SERVICE_DIR=services,
                           PAM_WRAPPER_DEBUGLEVEL="2", **nss_env)
        cls.pam_env.update(sgtest.sanitizer_env())

    @classmethod
    def _tear_down(cls):
        for listener in getattr(cls, "listeners", []):
            listener.close()
        if getattr(cls, "agent", None):
            cls.agent.stop()

    # --- helpers -----------------------------------------------------------
    def pam(self, service, user, *ops, **kwargs):
        rc, out, err, secs = sgtest.pamtester(service, user, ops, self.pam_env,
                                              items={"tty": "pts/3", "rhost": "10.1.2.3"},
                                              **kwargs)
        self.last = (rc, out, err)
        return rc, out, err, secs

    def assert_fails_with(self, code, service, user, op):
        rc, out, err, _ = self.pam(service, user, op)
        sgtest.assert_pam_failed(self, code, rc, out, err)
        return out, err

    def assert_ok(self, service, user, *ops):
        rc, out, err, _ = self.pam(service, user, *ops)
        self.assertEqual(rc, 0, out + err)
        return out, err

    def agent_message(self, account, phase="account"):
        """The message text the agent itself gives for this account."""
        answer = sgtest.ask_agent(self.socket,
                                  sgtest.check_request(account, phase, service="sg"))
        self.assertTrue(answer.get("ok"), answer)
        return answer

    def message_lines(self, err):
        """stderr lines that are neither pamtester's nor pam_wrapper's."""
        return [l for l in err.splitlines()
                if l.strip() and not l.startswith(("pamtester:", "PWRAP_"))]

    # --- the decision table through PAM -------------------------------------
    def test_active_allowed_in_every_phase(self):
        self.assert_ok("sg-permit", "asmith", "authenticate", "acct_mgmt", "open_session",
                       "close_session")
        # Alone in the stack: account and session answer PAM_SUCCESS (not IGNORE).
        out, err = self.assert_ok("sg", "asmith", "acct_mgmt", "open_session", "close_session")
        self.assertIn("allow (allowed) -> PAM_SUCCESS", err)
        self.assertEqual(self.message_lines(err), [])
        # auth: allow is PAM_IGNORE (never vouches for a password).
        rc, out, err, _ = self.pam("sg", "asmith", "authenticate")
        self.assertIn("auth for 'asmith': allow (allowed) -> PAM_IGNORE", err)

    def test_terminated_account_expired_with_message(self):
        answer = self.agent_message("bjones")
        self.assertEqual((answer["decision"], answer["reason"]), ("deny", "terminated"))
        out, err = self.assert_fails_with("ACCT_EXPIRED", "sg", "bjones", "acct_mgmt")
        self.assertTrue(answer["message"])
        self.assertIn(answer["message"], err)
        self.assertIn("deny (terminated) -> PAM_ACCT_EXPIRED", err)
        out, err = self.assert_fails_with("PERM_DENIED", "sg", "bjones", "open_session")
        self.assertIn(answer["message"], err)

    def test_auth_phase_denies_without_a_reason(self):
        answer = self.agent_message("bjones", "auth")
        out, err = self.assert_fails_with("PERM_DENIED", "sg-permit", "bjones", "authenticate")
        self.assertNotIn(answer["message"], out + err)
        self.assertEqual(self.message_lines(err), [])

    def test_suspended(self):
        answer = self.agent_message("csmith")
        self.assertEqual(answer["reason"], "suspended")
        out, err = self.assert_fails_with("PERM_DENIED", "sg", "csmith", "acct_mgmt")
        self.assertIn(answer["message"], err)
        self.assertIn("deny (suspended) -> PAM_PERM_DENIED", err)

    def test_shared_account(self):
        out, err = self.assert_fails_with("PERM_DENIED", "sg", "sales", "acct_mgmt")
        self.assertIn("deny (shared_account)", err)
        self.assertIn(self.agent_message("sales")["message"], err)

    def test_unknown_account(self):
        out, err = self.assert_fails_with("PERM_DENIED", "sg", "nobodyknows", "acct_mgmt")
        self.assertIn("deny (unknown_account)", err)

    def test_account_without_passwd_entry_is_still_asked(self):
        rc, out, err, _ = self.pam("sg", "ghost", "acct_mgmt")
        self.assertEqual(rc, 1, out + err)
        self.assertIn("account for 'ghost': asking", err)
        if self.is_root:  # a non-root caller may not ask about another uid
            self.assertIn("deny (unknown_account)", err)

    def test_not_permitted_here(self):
        out, err = self.assert_fails_with("PERM_DENIED", "sg", "dlee", "acct_mgmt")
        self.assertIn("deny (not_permitted_here)", err)

    def test_reset_required_from_shadow(self):
        out, err = self.assert_fails_with("NEW_AUTHTOK_REQD", "sg", "ereset", "acct_mgmt")
        self.assertIn("reset_required (credentials_reset_required)", err)
        # auth ignores it and the session opens: the password change happens
        # in between (chauthtok), driven by the application.
        self.assert_ok("sg-permit", "ereset", "authenticate", "open_session")
        # Changed after the reset request: allowed.
        out, err = self.assert_ok("sg", "fchanged", "acct_mgmt")
        self.assertIn("allow (allowed)", err)

    def test_password_changed_on_the_day_of_the_reset_counts(self):
        out, err = self.assert_fails_with("NEW_AUTHTOK_REQD", "sg", "gsameday", "acct_mgmt")
        self.assertIn("reset_required (credentials_reset_required)", err)
        out, err = self.assert_ok("sg-passwd", "gsameday", "chauthtok")
        # Shadow still says "today", as before: the exact time made the difference.
        out, err = self.assert_ok("sg", "gsameday", "acct_mgmt")
        self.assertIn("allow (allowed)", err)
        # A change told for someone else changed nothing for ereset.
        self.assert_fails_with("NEW_AUTHTOK_REQD", "sg", "ereset", "acct_mgmt")

    def test_exempt_account_is_ignored(self):
        self.assert_ok("sg-permit", "exempted", "authenticate", "acct_mgmt", "open_session")
        # Alone in the stack, PAM_IGNORE makes libpam fail: proves it was IGNORE.
        out, err = self.assert_fails_with("PERM_DENIED", "sg", "exempted", "acct_mgmt")
        self.assertIn("ignore (exempt) -> PAM_IGNORE", err)

    def test_root_and_system_accounts_never_ask_the_agent(self):
        # The agent is "down" for this service: root still gets in.
        out, err = self.assert_ok("sg-down-permit", "root", "authenticate", "acct_mgmt",
                                  "open_session", "close_session")
        self.assertIn("root, not asked -> PAM_IGNORE", err)
        self.assertNotIn("asking", err)
        if self.min_uid > 0:
            out, err = self.assert_ok("sg-down-permit", "sysacct", "acct_mgmt")
            self.assertIn("below min_uid", err)
            self.assertNotIn("asking", err)

    def test_agent_down_is_authinfo_unavail(self):
        sentence = "the staffgate agent is not answering on this computer"
        for op in ("authenticate", "acct_mgmt", "open_session"):
            with self.subTest(op=op):
                out, err = self.assert_fails_with("AUTHINFO_UNAVAIL", "sg-down", "asmith", op)
                # The person reads a staffgate sentence, not only PAM's
                # generic text; the auth stage shows nothing, as for a deny.
                shown = [l for l in self.message_lines(err) if sentence in l]
                self.assertEqual(len(shown), 0 if op == "authenticate" else 1, err)
        out, err = self.assert_fails_with("AUTHINFO_UNAVAIL", "sg-down", "asmith",
                                          "acct_mgmt(PAM_SILENT)")
        self.assertNotIn(sentence, out + err)

    def test_silent_agent_is_bounded_by_timeout(self):
        rc, out, err, secs = self.pam("sg-hang", "asmith", "acct_mgmt", timeout=30)
        self.assertEqual(rc, 1, out + err)
        self.assertIn(sgtest.PAM_TEXT["AUTHINFO_UNAVAIL"], err)
        self.assertIn("timeout", err)
        self.assertLess(secs, HANG_TIMEOUT_MS / 1000.0 + 3.0)

    def test_malformed_answer_is_service_err(self):
        out, err = self.assert_fails_with("SERVICE_ERR", "sg-garbage", "asmith", "acct_mgmt")
        self.assertIn("-> PAM_SERVICE_ERR", err)

    def test_refused_request_is_service_err_not_unavail(self):
        # ok:false must not take a fail-open profile's authinfo_unavail path.
        out, err = self.assert_fails_with("SERVICE_ERR", "sg-refusing", "asmith", "acct_mgmt")
        self.assertIn("refused the request (forbidden", err)

    def test_socket_owned_by_another_uid_is_not_trusted(self):
        out, err = self.assert_fails_with("AUTHINFO_UNAVAIL", "sg-wrong-owner", "asmith",
                                          "acct_mgmt")
        self.assertIn("permission", err)

    def test_pam_silent_suppresses_the_message(self):
        message = self.agent_message("bjones")["message"]
        out, err = self.assert_fails_with("ACCT_EXPIRED", "sg", "bjones", "acct_mgmt(PAM_SILENT)")
        self.assertNotIn(message, out + err)
        self.assertEqual(self.message_lines(err), [])

    def test_quiet_suppresses_the_message(self):
        message = self.agent_message("bjones")["message"]
        out, err = self.assert_fails_with("ACCT_EXPIRED", "sg-quiet", "bjones", "acct_mgmt")
        self.assertNotIn(message, out + err)
        self.assertEqual(self.message_lines(err), [])

    def test_session_id_exported_and_closed(self):
        out, err = self.assert_ok("sg-env", "asmith", "open_session", "close_session")
        ids = re.findall(r"^STAFFGATE_SESSION=([0-9a-f]+)$", out, re.M)
        self.assertEqual(len(ids), 1, out)
        self.assertEqual(len(ids[0]), 32)
        self.assertIn("open_session for 'asmith': allow (allowed) -> PAM_SUCCESS", err)
        self.assertIn("close_session for 'asmith': session closed", err)
        # A second session gets a fresh id.
        out2, _ = self.assert_ok("sg-env", "asmith", "open_session", "close_session")
        self.assertNotIn(ids[0], out2)

    def test_session_open_refused_for_terminated(self):
        self.assert_fails_with("PERM_DENIED", "sg-env", "bjones", "open_session")


if __name__ == "__main__":
    sgtest.require_inputs("STAFFGATE_MODULE", "STAFFGATED")
    unittest.main(verbosity=2)
