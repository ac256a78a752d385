#!/usr/bin/env python3
"""Staffgate passwords at the agent's socket (docs/design.md §10): a real
staffgated following the fake central, which answers /v1/auth/verify and
/v1/auth/change.

- authenticate and chauthtok never hold up `check`: while the central
  takes seconds to answer, checks are answered at once;
- the password pool is bounded: a burst beyond it is told "busy";
- the offline verifier is deleted when a roster makes the employee
  inactive, and when a roster's credentials_changed_at moves past it.

Input: STAFFGATED (tests/lib/README.md)
"""

import concurrent.futures
import datetime
import json
import os
import shutil
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
sys.path.insert(0, HERE)

import sgtest  # noqa: E402
from fake_central import FakeCentral, make_ca_and_cert  # noqa: E402

STAFFGATED = sgtest.tier_input("STAFFGATED")
TOKEN = "t0k3n-for-passwords-" + "d" * 40
PW = "Asmith-right-Pa55"


class PasswordSocketTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="sg-pw-")
        os.chmod(self.dir, 0o755)
        self.key = sgtest.SigningKey(self.dir)
        ca, crt, key = make_ca_and_cert(self.dir, "ca")
        self.central = FakeCentral(crt, key, TOKEN, self.key.pub)
        self.central.passwords = {"asmith": PW}
        self.serial = 0
        self.publish("active")
        token = os.path.join(self.dir, "token")
        sgtest.write_secret(token, TOKEN)
        self.socket = os.path.join(self.dir, "agent.sock")
        self.state = os.path.join(self.dir, "state")
        config = os.path.join(self.dir, "agent.conf")
        sgtest.write_agent_config(config, workstation="SVC-03", trusted_key=self.key.pub,
                                  socket_path=self.socket, state_dir=self.state,
                                  audit_log=os.path.join(self.dir, "audit.jsonl"),
                                  min_uid=1000)
        sgtest.append_central(config, self.central.url, ca, token)
        env = sgtest.nss_wrapper_env(self.dir, {"asmith": 2001})
        self.agent = sgtest.Agent(STAFFGATED, config, self.socket, env=env)
        self.agent.start()
        self.assertTrue(sgtest.wait_until(lambda: self.status().get("serial") == self.serial))

    def tearDown(self):
        self.agent.stop()
        self.central.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def publish(self, status, changed_at=None):
        self.serial += 1
        employee = {"id": "E1", "status": status, "accounts": ["asmith"]}
        if changed_at:
            employee["credentials_changed_at"] = changed_at
        self.central.publish(self.key.sign_envelope(
            sgtest.roster_payload([employee], serial=self.serial)), self.serial)

    def status(self):
        return sgtest.ask_agent(self.socket, {"v": 1, "op": "status"})

    def authenticate(self, password=PW, timeout=10.0):
        return sgtest.ask_agent(self.socket, {"v": 1, "op": "authenticate", "account": "asmith",
                                              "password": password, "service": "login"},
                                timeout=timeout)

    def verifier(self):
        return os.path.join(self.state, "credentials", "asmith")

    def test_checks_are_answered_while_sign_ins_wait_on_the_central(self):
        self.central.auth_delay_s = 1.2
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            waiting = [pool.submit(self.authenticate) for _ in range(8)]
            time.sleep(0.2)
            slowest = 0.0
            for _ in range(20):
                start = time.monotonic()
                answer = sgtest.ask_agent(self.socket, sgtest.check_request("asmith"))
                slowest = max(slowest, time.monotonic() - start)
                self.assertTrue(answer["ok"], answer)
            answers = [f.result() for f in waiting]
        self.assertLess(slowest, 0.5)
        self.assertTrue(all(a["ok"] and a["decision"] == "allow" for a in answers), answers)

    def test_a_burst_past_the_pool_is_told_busy(self):
        self.central.auth_delay_s = 1.0
        with concurrent.futures.ThreadPoolExecutor(80) as pool:
            answers = list(pool.map(lambda _: self.authenticate(timeout=60), range(80)))
        busy = [a for a in answers if not a["ok"] and a["error"] == "busy"]
        allowed = [a for a in answers if a["ok"] and a["decision"] == "allow"]
        self.assertGreater(len(busy), 0)
        self.assertEqual(len(busy) + len(allowed), 80, answers)

    def test_verifier_deleted_when_the_employee_is_suspended(self):
        self.assertEqual(self.authenticate()["decision"], "allow")
        self.assertTrue(os.path.exists(self.verifier()))
        self.publish("suspended")
        self.assertTrue(sgtest.wait_until(lambda: not os.path.exists(self.verifier())))
        answer = self.authenticate()
        self.assertEqual((answer["decision"], answer["reason"]), ("deny", "suspended"))

    def test_verifier_deleted_when_credentials_changed_at_moves(self):
        self.assertEqual(self.authenticate()["decision"], "allow")
        self.assertTrue(os.path.exists(self.verifier()))
        future = sgtest.rfc3339(sgtest.now_utc() + datetime.timedelta(seconds=5))
        self.publish("active", changed_at=future)
        self.assertTrue(sgtest.wait_until(lambda: not os.path.exists(self.verifier())))
        self.central.auth_down = True
        answer = self.authenticate()
        self.assertEqual(answer.get("error"), "unavailable", answer)
        self.assertNotIn(PW, json.dumps(answer))


if __name__ == "__main__":
    sgtest.require_inputs("STAFFGATED")
    unittest.main(verbosity=2)
