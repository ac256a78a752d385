"""One workstation, nothing faked: a real staffgate-central over HTTPS on
127.0.0.1 and a real staffgated enrolled with `staffgatectl enroll`.
The accounts exist only through nss_wrapper (uids from 2001 up) and
on_revoke is "none", so nothing on the machine is touched.

Inputs: STAFFGATED, STAFFGATECTL, STAFFGATE_CENTRAL_BIN, STAFFGATE_ADMIN_BIN
(tests/lib/README.md)."""

import json
import os
import subprocess
import time

import sgtest
from centraltest import Central

STAFFGATED = sgtest.tier_input("STAFFGATED")
STAFFGATECTL = sgtest.tier_input("STAFFGATECTL")


class LiveWorkstation:
    """`accounts` maps employee id -> account; `central_conf` sets
    central.conf keys before the central starts; `state_dir` defaults to
    ROOT/state (a test may mount a small filesystem there first).
    `central`: another LiveWorkstation's central to join (a second
    workstation of the same fleet; its employees are already added, and
    close() leaves it running)."""

    def __init__(self, root, accounts, central_conf=None, state_dir=None, workstation="WS-LIVE",
                 central=None):
        self.root = root
        self.owns_central = central is None
        self.central = central or Central(root)
        if self.owns_central:
            for key, value in (central_conf or {}).items():
                self.central.set_conf(key, value)
            self.central.start()
            for employee, account in accounts.items():
                self.central.admin_ok("employee", "add", employee, "--account", account)
        token = self.central.admin_ok("workstation", "add", workstation).strip()
        self.token = token
        self.token_file = os.path.join(root, "ws.token")
        sgtest.write_secret(self.token_file, token)
        self.socket = os.path.join(root, "agent.sock")
        self.config = os.path.join(root, "agent.conf")
        self.state_dir = state_dir or os.path.join(root, "state")
        with open(self.config, "w") as f:
            f.write('workstation = "%s"\nsocket = "%s"\nstate_dir = "%s"\naudit_log = "%s"\n'
                    'min_uid = 1000\non_revoke = "none"\n'
                    % (workstation, self.socket, self.state_dir, os.path.join(root, "audit.jsonl")))
        uids = {account: 2001 + i for i, account in enumerate(accounts.values())}
        self.agent = sgtest.Agent(STAFFGATED, self.config, self.socket,
                                  env=sgtest.nss_wrapper_env(root, uids), append_log=True)

    def close(self):
        self.agent.stop()
        if self.owns_central:
            self.central.stop()

    def ctl(self, *args):
        return subprocess.run([STAFFGATECTL, "--config", self.config] + list(args),
                              capture_output=True, text=True, timeout=90)

    def status(self):
        r = self.ctl("status", "--json")
        assert r.returncode in (0, 1), r.stderr
        return json.loads(r.stdout)

    def check(self, account, service="live-test"):
        return sgtest.ask_agent(self.socket, {"v": 1, "op": "check", "phase": "account",
                                              "account": account, "service": service})

    def enroll(self):
        """Enrolls the running agent; returns staffgatectl's output."""
        r = self.ctl("enroll", "--central", "https://127.0.0.1:%d" % self.central.port,
                     "--token-file", self.token_file,
                     "--ca", os.path.join(self.central.dir, "ca.pem"))
        assert r.returncode == 0, r.stdout + r.stderr + self.agent.read_log()
        return r.stdout

    def events(self, service_prefix):
        """The events at the central whose service starts with `service_prefix`."""
        r = self.central.admin("events", "--since", "1h", "--json", "--limit", "10000")
        assert r.returncode == 0, r.stderr
        return [e for e in json.loads(r.stdout) if e.get("service", "").startswith(service_prefix)]

    def wait_for(self, predicate, timeout=20.0, what="condition"):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return
            time.sleep(0.05)
        raise AssertionError("timed out waiting for %s\nagent log:\n%s"
                             % (what, self.agent.read_log()[-4000:]))
