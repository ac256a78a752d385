"""Helpers for the agent integration tests (Python 3 stdlib only).

Rosters are signed with the openssl CLI, so these tests do not depend on
our own signing code. A real staffgated runs under nss_wrapper with passwd,
group and shadow files the test writes. Every wait is bounded.
"""

import base64
import datetime
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest

PAYLOAD_TYPE = "application/vnd.staffgate.roster+json"


def rfc3339(dt):
    return dt.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def now_utc():
    return datetime.datetime.now(datetime.timezone.utc)


def days_since_epoch(dt):
    return int(dt.timestamp()) // 86400


def run(cmd, **kwargs):
    kwargs.setdefault("check", True)
    kwargs.setdefault("capture_output", True)
    kwargs.setdefault("timeout", 60)
    return subprocess.run(cmd, **kwargs)


class SigningKey:
    """An Ed25519 key made and used only through the openssl CLI."""

    def __init__(self, directory, name="roster-signing"):
        self.directory = directory
        self.key = os.path.join(directory, name + ".key")
        self.pub = os.path.join(directory, name + ".pub")
        run(["openssl", "genpkey", "-algorithm", "ed25519", "-out", self.key])
        run(["openssl", "pkey", "-in", self.key, "-pubout", "-out", self.pub])
        der = run(["openssl", "pkey", "-pubin", "-in", self.pub, "-outform", "DER"]).stdout
        # An Ed25519 SubjectPublicKeyInfo ends with the raw 32-byte key.
        self.keyid = hashlib.sha256(der[-32:]).hexdigest()

    def sign_envelope(self, payload: bytes) -> bytes:
        pae = b"DSSEv1 %d %s %d " % (len(PAYLOAD_TYPE), PAYLOAD_TYPE.encode(), len(payload))
        pae_path = os.path.join(self.directory, "pae.bin")
        sig_path = os.path.join(self.directory, "sig.bin")
        with open(pae_path, "wb") as f:
            f.write(pae + payload)
        run(["openssl", "pkeyutl", "-sign", "-inkey", self.key, "-rawin", "-in", pae_path,
             "-out", sig_path])
        with open(sig_path, "rb") as f:
            sig = f.read()
        envelope = {
            "payloadType": PAYLOAD_TYPE,
            "payload": base64.b64encode(payload).decode(),
            "signatures": [{"keyid": self.keyid, "sig": base64.b64encode(sig).decode()}],
        }
        return (json.dumps(envelope) + "\n").encode()


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


def roster_payload(employees, serial, shared=(), workstations=None, issued=None,
                   lifetime=datetime.timedelta(days=7)):
    issued = issued or (now_utc() - datetime.timedelta(hours=1))
    doc = {
        "schema": "staffgate.roster.v1",
        "serial": serial,
        "issued_at": rfc3339(issued),
        "expires_at": rfc3339(issued + lifetime),
        "organization": "Example Motors",
        "employees": employees,
        "shared_accounts": list(shared),
        "workstations": workstations or {},
    }
    return json.dumps(doc, indent=1).encode()


def write_config(path, **values):
    """Writes a TOML agent config from keyword values (str, int, list)."""
    lines = []
    for key, value in values.items():
        if isinstance(value, (list, tuple)):
            lines.append("%s = [%s]" % (key, ", ".join(json.dumps(v) for v in value)))
        elif isinstance(value, int):
            lines.append("%s = %d" % (key, value))
        else:
            lines.append("%s = %s" % (key, json.dumps(value)))
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


class Conn:
    """A raw client connection that can send several lines."""

    def __init__(self, path, timeout=10.0):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(path)
        self.buf = b""

    def send(self, data: bytes):
        self.sock.sendall(data)

    def request(self, obj):
        self.send((json.dumps(obj) + "\n").encode())
        return self.read_json()

    def read_line(self):
        while b"\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                return None
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return line

    def read_json(self):
        line = self.read_line()
        return None if line is None else json.loads(line)

    def at_eof(self):
        """True when the server closed the connection (bounded by the timeout)."""
        try:
            return self.sock.recv(1) == b""
        except ConnectionResetError:
            return True

    def close(self):
        self.sock.close()


def ask(path, obj, timeout=10.0):
    c = Conn(path, timeout)
    try:
        return c.request(obj)
    finally:
        c.close()


class Agent:
    """A real staffgated child process."""

    def __init__(self, binary, config, socket_path, env):
        self.binary, self.config, self.socket_path, self.env = binary, config, socket_path, env
        self.log_path = config + ".log"
        self.proc = None

    def start(self, wait_s=20.0):
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([self.binary, "--config", self.config], env=self.env,
                                     stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("staffgated exited with %s:\n%s" %
                                   (self.proc.returncode, self.read_log()))
            if os.path.exists(self.socket_path):
                try:
                    if ask(self.socket_path, {"v": 1, "op": "status"}, 2.0).get("ok"):
                        return
                except OSError:
                    pass
            time.sleep(0.05)
        self.stop()
        raise RuntimeError("staffgated did not come up:\n" + self.read_log())

    def read_log(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode(errors="replace")
        except OSError:
            return ""

    def signal(self, signo):
        self.proc.send_signal(signo)

    def stop(self, timeout=10):
        """SIGTERM and wait; returns the exit code."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=timeout)
        rc = self.proc.returncode
        self.log.close()
        self.proc = None
        return rc


def wait_until(predicate, timeout=10.0, step=0.05):
    """Polls `predicate` until it returns a true value or `timeout` passes."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(step)


# ---- The shared test world (used by test_agent_*.py) ----
STAFFGATED = os.environ.get("STAFFGATED", "")
STAFFGATECTL = os.environ.get("STAFFGATECTL", "")
NSS_WRAPPER_LIB = os.environ.get("NSS_WRAPPER_LIB", "")
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
        payload = roster_payload(self.employees(**status), serial, shared=["sales"],
                                 workstations={WORKSTATION: {"groups": ["service"]}},
                                 issued=issued, lifetime=lifetime)
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
        agent = Agent(STAFFGATED, config, values["socket"], self.env)
        agent.values = values
        return agent

    def ctl(self, agent, *args, user=None, timeout=60):
        cmd = [STAFFGATECTL, "--config", agent.config] + list(args)
        kwargs = {}
        if user is not None:
            kwargs.update(user=user, group=user, extra_groups=[])
        p = subprocess.run(cmd, capture_output=True, timeout=timeout, **kwargs)
        return p.returncode, p.stdout.decode(), p.stderr.decode()

    def remove(self):
        shutil.rmtree(self.tmp, ignore_errors=True)


def check(account, phase="account", **extra):
    return dict({"v": 1, "op": "check", "phase": phase, "account": account,
                 "service": "sshd"}, **extra)


def require_binaries():
    """For setUpModule: skip cleanly when something the tests need is missing."""
    missing = [n for n, v in (("STAFFGATED", STAFFGATED), ("STAFFGATECTL", STAFFGATECTL),
                              ("NSS_WRAPPER_LIB", NSS_WRAPPER_LIB)) if not os.path.exists(v)]
    if missing or not shutil.which("openssl"):
        raise unittest.SkipTest("needs %s and openssl" % ", ".join(missing))
