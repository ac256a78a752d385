#!/usr/bin/env python3
"""Module tier, staffgate passwords (docs/design.md §10): pam_staffgate.so
with `authenticate` inside pamtester (pam_wrapper, nss_wrapper), the
password typed on stdin, asking a REAL staffgated that follows the sync
tier's fake central (tests/sync/fake_central.py) for /v1/auth/verify and
/v1/auth/change. Right, wrong, locked, not managed, terminated, reset,
offline right and wrong, chauthtok weak / mismatch / done; and no password
ever in the agent's log, audit trail or state, even with `debug`.

Environment (tests/module/CMakeLists.txt): STAFFGATE_MODULE, STAFFGATED,
PAM_WRAPPER_LIB, NSS_WRAPPER_LIB.
"""

import glob
import json
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
sys.path.insert(0, os.path.join(HERE, "..", "sync"))
import sgtest  # noqa: E402
from classfixture import ClassFixtureTest  # noqa: E402
from fake_central import FakeCentral, make_ca_and_cert  # noqa: E402

MODULE = sgtest.tier_input("STAFFGATE_MODULE")
STAFFGATED = sgtest.tier_input("STAFFGATED")
PAM_WRAPPER_LIB = sgtest.tier_input("PAM_WRAPPER_LIB", "libpam_wrapper.so")
NSS_WRAPPER_LIB = sgtest.tier_input("NSS_WRAPPER_LIB", "libnss_wrapper.so")
TOKEN = "t0k3n-for-password-tests-" + "b" * 32
WORKSTATION = "SVC-03"

PASSWORDS = {
    "asmith": "Asmith-right-Pa55",
    "bjones": "Bjones-right-Pa55",   # terminated
    "clocked": "Clocked-right-Pa55",
    "dreset": "Dreset-one-time-Pa55",
    "fchange": "Fchange-old-Pa55",
    "goffline": "Goffline-right-Pa55",
}
WRONG = "Wrong-guess-Pa55-zz"
NEW = "Fchange-brand-new-Pa55"
WEAK = "short1"


class PamPasswordTest(ClassFixtureTest):
    tmp_prefix = "sgpw-"
    tmp_mode = 0o755

    @classmethod
    def _set_up(cls):
        tmp = cls.tmp
        uid = os.getuid()
        root = uid == 0
        cls.min_uid = 1000 if root else uid
        names = ["asmith", "bjones", "clocked", "dreset", "elocal", "fchange", "goffline",
                 "hnever"]
        uids = {n: (2001 + i if root else uid) for i, n in enumerate(names)}
        nss_env = sgtest.nss_wrapper_env(tmp, uids)
        key = sgtest.SigningKey(tmp)
        ca, crt, tls_key = make_ca_and_cert(tmp, "ca")
        cls.central = FakeCentral(crt, tls_key, TOKEN, key.pub)
        cls.central.passwords = dict(PASSWORDS)
        cls.central.locked = {"clocked"}
        cls.central.reset = {"dreset"}
        employees = [{"id": "E%d" % i, "status": "active", "accounts": [n]}
                     for i, n in enumerate(names) if n != "bjones"]
        employees.append({"id": "E99", "status": "terminated", "accounts": ["bjones"]})
        envelope = key.sign_envelope(sgtest.roster_payload(employees, serial=1))
        cls.central.publish(envelope, 1)
        state = os.path.join(tmp, "state")
        os.mkdir(state, 0o700)
        with open(os.path.join(state, "roster.dsse"), "wb") as f:
            f.write(envelope)
        token_file = os.path.join(tmp, "token")
        sgtest.write_secret(token_file, TOKEN)
        cls.socket = os.path.join(tmp, "agent.sock")
        cls.audit = os.path.join(tmp, "audit.jsonl")
        cls.state = state
        config = os.path.join(tmp, "agent.conf")
        sgtest.write_agent_config(config, workstation=WORKSTATION, trusted_key=key.pub,
                                  socket_path=cls.socket, state_dir=state, audit_log=cls.audit,
                                  min_uid=cls.min_uid)
        sgtest.append_central(config, cls.central.url, ca, token_file)
        agent_env = dict(nss_env, **sgtest.sanitizer_env())
        cls.agent = sgtest.Agent(STAFFGATED, config, cls.socket, env=agent_env)
        cls.agent.start()

        services = os.path.join(tmp, "services")
        os.mkdir(services)
        args = "socket=%s agent_uid=%d min_uid=%d debug timeout_ms=5000" % (
            cls.socket, uid, cls.min_uid)
        with open(os.path.join(services, "sgauth"), "w") as f:
            f.write("auth required %s authenticate %s\n" % (MODULE, args))
            f.write("account required %s %s\n" % (MODULE, args))
            f.write("password required %s %s\n" % (MODULE, args))
        with open(os.path.join(services, "other"), "w") as f:
            f.write("auth required pam_deny.so\naccount required pam_deny.so\n"
                    "password required pam_deny.so\nsession required pam_deny.so\n")
        cls.pam_env = dict(nss_env, LD_PRELOAD=sgtest.preload(PAM_WRAPPER_LIB, NSS_WRAPPER_LIB),
                           PAM_WRAPPER="1", PAM_WRAPPER_SERVICE_DIR=services,
                           PAM_WRAPPER_DEBUGLEVEL="2")
        cls.pam_env.update(sgtest.sanitizer_env())
        cls.outputs = []

    @classmethod
    def _tear_down(cls):
        if getattr(cls, "agent", None):
            cls.agent.stop()
        if getattr(cls, "central", None):
            cls.central.close()

    def pam(self, user, ops, lines):
        rc, out, prompts = sgtest.pamtester_typing("sgauth", user, ops, self.pam_env, lines,
                                                   items={"rhost": "10.1.2.3"})
        self.outputs.append(out)
        return rc, out, prompts

    def assert_code(self, code, rc, out):
        self.assertEqual(rc, 1, out)
        self.assertIn("pamtester: " + sgtest.PAM_TEXT[code], out)

    def audit_events(self, account):
        with open(self.audit) as f:
            events = [json.loads(line) for line in f]
        return [e for e in events if e.get("type") == "authenticate" and e["account"] == account]

    def test_right_password_signs_in_online(self):
        rc, out, prompts = self.pam("asmith", ["authenticate", "acct_mgmt"],
                                    [PASSWORDS["asmith"]])
        self.assertEqual(rc, 0, out)
        self.assertEqual(prompts, ["Password: "])
        event = self.audit_events("asmith")[-1]
        self.assertEqual((event["decision"], event["reason"], event["detail"]),
                         ("allow", "allowed", "online"))
        self.assertEqual(event["rhost"], "10.1.2.3")

    def test_wrong_password_is_auth_err(self):
        rc, out, _ = self.pam("asmith", ["authenticate"], [WRONG])
        self.assert_code("AUTH_ERR", rc, out)

    def test_locked_account_is_maxtries(self):
        rc, out, _ = self.pam("clocked", ["authenticate"], [PASSWORDS["clocked"]])
        self.assert_code("MAXTRIES", rc, out)

    def test_account_without_a_staffgate_password_is_user_unknown(self):
        rc, out, _ = self.pam("elocal", ["authenticate"], ["whatever-Pa55"])
        self.assert_code("USER_UNKNOWN", rc, out)

    def test_terminated_refused_with_the_right_password_never_sent(self):
        before = len(self.central.auth_requests)
        rc, out, _ = self.pam("bjones", ["authenticate"], [PASSWORDS["bjones"]])
        self.assert_code("PERM_DENIED", rc, out)
        self.assertEqual(
            [r for r in self.central.auth_requests[before:] if r[1].get("account") == "bjones"],
            [])

    def test_reset_required_then_account_demands_a_new_password(self):
        rc, out, _ = self.pam("dreset", ["authenticate", "acct_mgmt"], [PASSWORDS["dreset"]])
        self.assert_code("NEW_AUTHTOK_REQD", rc, out)
        self.assertIn("successfully authenticated", out)

    def test_offline_right_and_wrong(self):
        # Online first: the agent keeps a verifier.
        rc, out, _ = self.pam("goffline", ["authenticate"], [PASSWORDS["goffline"]])
        self.assertEqual(rc, 0, out)
        self.central.auth_down = True
        try:
            rc, out, _ = self.pam("goffline", ["authenticate"], [PASSWORDS["goffline"]])
            self.assertEqual(rc, 0, out)
            event = self.audit_events("goffline")[-1]
            self.assertEqual((event["decision"], event["detail"]), ("allow", "offline"))
            rc, out, _ = self.pam("goffline", ["authenticate"], [WRONG])
            self.assert_code("AUTH_ERR", rc, out)
            self.assertEqual(self.audit_events("goffline")[-1]["detail"], "offline")
            # Never signed in online here: nothing to check offline.
            rc, out, _ = self.pam("hnever", ["authenticate"], ["Hnever-Pa55-xx"])
            self.assert_code("AUTHINFO_UNAVAIL", rc, out)
        finally:
            self.central.auth_down = False
        self.assertTrue(glob.glob(os.path.join(self.state, "credentials", "goffline")))

    def test_chauthtok_mismatch_weak_then_done(self):
        rc, out, prompts = self.pam("fchange", ["chauthtok"],
                                    [PASSWORDS["fchange"], NEW, NEW + "x"])
        self.assert_code("AUTHTOK_ERR", rc, out)
        self.assertIn("Sorry, passwords do not match.", out)
        self.assertEqual(prompts, ["Current password: ", "New password: ",
                                   "Retype new password: "])
        rc, out, _ = self.pam("fchange", ["chauthtok"], [PASSWORDS["fchange"], WEAK, WEAK])
        self.assert_code("AUTHTOK_ERR", rc, out)
        self.assertIn("The password is shorter than 12 characters", out)
        rc, out, _ = self.pam("fchange", ["chauthtok"], [PASSWORDS["fchange"], NEW, NEW])
        self.assertEqual(rc, 0, out)
        self.assertEqual(self.central.passwords["fchange"], NEW)
        rc, out, _ = self.pam("fchange", ["authenticate"], [NEW])
        self.assertEqual(rc, 0, out)
        rc, out, _ = self.pam("fchange", ["authenticate"], [PASSWORDS["fchange"]])
        self.assert_code("AUTH_ERR", rc, out)

    def test_chauthtok_of_an_unmanaged_account_is_user_unknown(self):
        rc, out, prompts = self.pam("elocal", ["chauthtok"], ["whatever-Pa55", NEW, NEW])
        self.assert_code("USER_UNKNOWN", rc, out)

    def test_zz_no_password_in_log_audit_or_state(self):
        """Runs last (name order): every password typed above, greped for."""
        self.pam("asmith", ["authenticate"], [PASSWORDS["asmith"]])
        secrets = list(PASSWORDS.values()) + [WRONG, NEW, WEAK]
        places = {"agent log": self.agent.read_log()}
        for path in [self.audit] + glob.glob(os.path.join(self.state, "**"), recursive=True):
            if os.path.isfile(path):
                with open(path, "rb") as f:
                    places[path] = f.read().decode(errors="replace")
        # pam_syslog lines of the module (PAM_WRAPPER_DEBUGLEVEL=2, debug).
        places["module syslog"] = "\n".join(
            l for out in self.outputs for l in out.splitlines() if "SYSLOG" in l)
        self.assertIn("auth for 'asmith'", places["module syslog"])
        for where, text in places.items():
            for secret in secrets:
                self.assertNotIn(secret, text, where)
        # Events the agent queued for the central carry no password either.
        for event in self.central.events:
            for secret in secrets:
                self.assertNotIn(secret, json.dumps(event))


if __name__ == "__main__":
    sgtest.require_inputs("STAFFGATE_MODULE", "STAFFGATED")
    unittest.main(verbosity=2)
