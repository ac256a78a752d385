"""Helpers for the agent integration tests (Python 3 stdlib only): the
shared test world on top of tests/lib/sgtest.py.

Rosters are signed with the openssl CLI, so these tests do not depend on
our own signing code. A real staffgated runs under nss_wrapper with passwd,
group and shadow files the test writes. Every wait is bounded.
"""

import base64
import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
# Re-exported for test_agent_*.py, which use them as at.<name>.
import sgtest  # noqa: E402
from sgtest import (Agent, Conn, SigningKey, ask, check_request, days_since_epoch,  # noqa: E402,F401
                    now_utc, rfc3339, roster_payload, wait_until, write_config)


def tamper(envelope: bytes) -> bytes:
    """The same envelope with one payload byte changed (signature now wrong)."""
    doc = json.loads(envelope)
    payload = bytearray(base64.b64decode(doc["payload"]))
    payload[payload.index(b"E1001")] ^= 0x01
    doc["payload"] = base64.b64encode(bytes(payload)).decode()
    return (json.dumps(doc) + "\n").encode()


def read_events(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


# ---- The shared test world (used by test_agent_*.py) ----
STAFFGATED = sgtest.tier_input("STAFFGATED")
STAFFGATECTL = sgtest.tier_input("STAFFGATECTL")
NSS_WRAPPER_LIB = sgtest.tier_input("NSS_WRAPPER_LIB")
IS_ROOT = os.getuid() == 0
NOBODY = 65534
WORKSTATION = "SVC-03"

EMPLOYEES = [
    {"id": "E1001", "status": "active", "accounts": ["asmith"], "groups": ["*"]},
    {"id": "E1002", "status": "terminated", "accounts": ["bjones"], "groups": ["sales"]},
    {"id": "E1003", "status": "suspended", "accounts": ["csmith"]},
    {"id": "E1004", "status": "active", "accounts": ["dlee"], "groups": ["parts"]},
    {"id": "E1005", "status": "active", "accounts": ["ereset"]},
    {"id": "E1006", "status": "active", "accounts": ["selfie"]},
]


class World:
    """A temp dir with nss_wrapper files, a signing key and agent configs."""

    def __init__(self):
        self.tmp = tempfile.mkdtemp(prefix="sgint-")
        os.chmod(self.tmp, 0o755)  # a client running as nobody must reach the socket
        uid = os.getuid()
        # Root: real distinct uids. Non-root: the agent answers a non-root
        # caller only about accounts carrying its own uid, so all share it.
        self.min_uid = 1000 if IS_ROOT else uid
        names = ["asmith", "bjones", "csmith", "dlee", "ereset", "sales", "stranger"]
        self.uids = {n: (2001 + i if IS_ROOT else uid) for i, n in enumerate(names)}
        self.uids["selfie"] = NOBODY if IS_ROOT else uid
        today = now_utc()
        passwd, shadow = ["root:x:0:0:root:/root:/bin/sh"], []
        for name, u in self.uids.items():
            passwd.append("%s:x:%d:%d::/nonexistent:/bin/sh" % (name, u, u))
            changed = today - datetime.timedelta(days=30 if name == "ereset" else 0)
            shadow.append("%s:!:%d:0:99999:7:::" % (name, days_since_epoch(changed)))
        if self.min_uid > 0:
            passwd.append("sysacct:x:%d:%d::/:/bin/sh" % (self.min_uid - 1, self.min_uid - 1))
        self.files = {}
        for name, lines in (("passwd", passwd), ("group", ["root:x:0:"]), ("shadow", shadow)):
            self.files[name] = os.path.join(self.tmp, name)
            with open(self.files[name], "w") as f:
                f.write("\n".join(lines) + "\n")
        self.key = SigningKey(self.tmp)
        # A sanitizer build refuses to start when nss_wrapper is preloaded
        # ahead of its runtime; the check is only about interposition order.
        asan = ":".join(filter(None, [os.environ.get("ASAN_OPTIONS", ""),
                                      "verify_asan_link_order=0"]))
        self.env = dict(os.environ, LD_PRELOAD=NSS_WRAPPER_LIB, ASAN_OPTIONS=asan,
                        NSS_WRAPPER_PASSWD=self.files["passwd"],
                        NSS_WRAPPER_GROUP=self.files["group"],
                        NSS_WRAPPER_SHADOW=self.files["shadow"])
        self.reset_after = rfc3339(today - datetime.timedelta(days=9))

    def employees(self, **status):
        out = []
        for e in EMPLOYEES:
            e = dict(e)
            if e["id"] == "E1005":
                e["credentials_reset_after"] = self.reset_after
            if e["accounts"][0] in status:
                e["status"] = status[e["accounts"][0]]
            out.append(e)
        return out

    def envelope(self, serial, lifetime=datetime.timedelta(days=7), issued=None, **status):
        payload = roster_payload(self.employees(**status), shared=["sales"],
                                 workstations={WORKSTATION: {"groups": ["service"]}},
                                 serial=serial, issued=issued, lifetime=lifetime, policy=None)
        return self.key.sign_envelope(payload)

    def write(self, name, data):
        path = os.path.join(self.tmp, name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def agent(self, name, serial=None, **overrides):
        """Config + state for one agent; returns an (unstarted) Agent."""
        base = os.path.join(self.tmp, name)
        os.makedirs(base + "-state", exist_ok=True)
        if serial is not None:
            self.write(name + "-state/roster.dsse", self.envelope(serial))
        values = dict(workstation=WORKSTATION, trusted_keys=[self.key.pub],
                      socket=os.path.join(base + "-run", "agent.sock"),
                      state_dir=base + "-state", audit_log=base + "-audit.jsonl",
                      exempt_accounts=["root"], min_uid=self.min_uid,
                      unknown_accounts="deny", on_revoke="none")
        values.update(overrides)
        config = base + ".conf"
        write_config(config, **values)
        agent = Agent(STAFFGATED, config, values["socket"], self.env, append_log=True)
        agent.values = values
        return agent

    def ctl(self, agent, *args, user=None, timeout=60):
        cmd = [STAFFGATECTL, "--config", agent.config] + list(args)
        kwargs = {}
        if user is not None:
            # A copy in the world's 0755 dir: the build tree may sit in a
            # 0700 dir (mktemp -d) that another uid cannot enter.
            copy = os.path.join(self.tmp, "staffgatectl")
            if not os.path.exists(copy):
                shutil.copy2(STAFFGATECTL, copy)
            cmd[0] = copy
            kwargs.update(user=user, group=user, extra_groups=[])
        p = subprocess.run(cmd, capture_output=True, timeout=timeout, **kwargs)
        return p.returncode, p.stdout.decode(), p.stderr.decode()

    def remove(self):
        shutil.rmtree(self.tmp, ignore_errors=True)


def check(account, phase="account", **extra):
    return check_request(account, phase, **dict({"service": "sshd"}, **extra))


def require_binaries():
    """For setUpModule: a missing input or openssl fails the tier (never skips it)."""
    sgtest.require_inputs("STAFFGATED", "STAFFGATECTL", "NSS_WRAPPER_LIB")
    if not shutil.which("openssl"):
        raise RuntimeError("the integration tier needs the openssl command")
