"""Shared helpers for the module and root test tiers (Python 3 stdlib only).

Builds a roster signed with the openssl CLI (independent of our C++ code),
writes an agent config, runs a real staffgated, and runs pamtester. Every
wait is bounded; every child process is stopped in tearDown paths.
"""

import base64
import datetime
import hashlib
import json
import os
import signal
import socket
import subprocess
import threading
import time

PAYLOAD_TYPE = "application/vnd.staffgate.roster+json"

# pam_strerror texts as pamtester prints them ("pamtester: <text>").
PAM_TEXT = {
    "PERM_DENIED": "Permission denied",
    "ACCT_EXPIRED": "User account has expired",
    "NEW_AUTHTOK_REQD": "Authentication token is no longer valid; new one required",
    "AUTHINFO_UNAVAIL": "Authentication service cannot retrieve authentication info",
    "SERVICE_ERR": "Error in service module",
}


def sanitizer_env():
    """Extra environment for sanitizer builds (STAFFGATE_SANITIZE): the
    sanitizer runtimes must come first in LD_PRELOAD when an instrumented
    module is loaded into an uninstrumented host (pamtester), or before
    nss_wrapper in an instrumented agent. Empty for normal builds."""
    libs = os.environ.get("STAFFGATE_SANITIZER_PRELOAD", "").split()
    if not libs:
        return {}
    return {"STAFFGATE_SANITIZER_PRELOAD": " ".join(libs),
            "ASAN_OPTIONS": "detect_leaks=0",  # the hosts' leaks are not ours
            "PAM_WRAPPER_DISABLE_DEEPBIND": "1", "NSS_WRAPPER_DISABLE_DEEPBIND": "1"}


def preload(*libs):
    """An LD_PRELOAD value: sanitizer runtimes (if any), then `libs`."""
    first = os.environ.get("STAFFGATE_SANITIZER_PRELOAD", "").split()
    return " ".join(first + [lib for lib in libs if lib])


def rfc3339(dt):
    return dt.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def now_utc():
    return datetime.datetime.now(datetime.timezone.utc)


def run(cmd, **kwargs):
    kwargs.setdefault("check", True)
    kwargs.setdefault("capture_output", True)
    kwargs.setdefault("timeout", 60)
    return subprocess.run(cmd, **kwargs)


class SigningKey:
    """An Ed25519 key made and used only through the openssl CLI."""

    def __init__(self, directory):
        self.key = os.path.join(directory, "roster-signing.key")
        self.pub = os.path.join(directory, "roster-signing.pub")
        run(["openssl", "genpkey", "-algorithm", "ed25519", "-out", self.key])
        run(["openssl", "pkey", "-in", self.key, "-pubout", "-out", self.pub])
        der = run(["openssl", "pkey", "-pubin", "-in", self.pub, "-outform", "DER"]).stdout
        # SubjectPublicKeyInfo for Ed25519 ends with the raw 32-byte key.
        self.keyid = hashlib.sha256(der[-32:]).hexdigest()
        self.directory = directory

    def sign_envelope(self, payload: bytes) -> bytes:
        pae = b"DSSEv1 %d %s %d " % (len(PAYLOAD_TYPE), PAYLOAD_TYPE.encode(), len(payload))
        pae += payload
        pae_path = os.path.join(self.directory, "pae.bin")
        sig_path = os.path.join(self.directory, "sig.bin")
        with open(pae_path, "wb") as f:
            f.write(pae)
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


def roster_payload(employees, shared=(), workstations=None, serial=1):
    issued = now_utc() - datetime.timedelta(hours=1)
    doc = {
        "schema": "staffgate.roster.v1",
        "serial": serial,
        "issued_at": rfc3339(issued),
        "expires_at": rfc3339(issued + datetime.timedelta(days=7)),
        "organization": "Example Motors",
        "employees": employees,
        "shared_accounts": list(shared),
        "workstations": workstations or {},
        "policy": {"max_workstations_per_account": 0},
    }
    return json.dumps(doc, indent=1).encode()


def write_agent_config(path, *, workstation, trusted_key, socket_path, state_dir, audit_log,
                       min_uid, exempt=("root",)):
    lines = [
        'workstation = %s' % json.dumps(workstation),
        'trusted_keys = [%s]' % json.dumps(trusted_key),
        'socket = %s' % json.dumps(socket_path),
        'state_dir = %s' % json.dumps(state_dir),
        'audit_log = %s' % json.dumps(audit_log),
        'exempt_accounts = [%s]' % ", ".join(json.dumps(e) for e in exempt),
        'min_uid = %d' % min_uid,
        'unknown_accounts = "deny"',
        # Tests must never kill processes of the (fake) revoked accounts.
        'on_revoke = "none"',
    ]
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def ask_agent(socket_path, request, timeout=5.0):
    """One raw request/response over the agent socket (as the test runner)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(timeout)
        s.connect(socket_path)
        s.sendall((json.dumps(request) + "\n").encode())
        data = b""
        while b"\n" not in data:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    return json.loads(data.split(b"\n")[0])


class Agent:
    """A real staffgated child process."""

    def __init__(self, binary, config, socket_path, env=None, log_path=None):
        self.binary, self.config, self.socket_path = binary, config, socket_path
        self.env = env
        self.log_path = log_path or config + ".log"
        self.proc = None

    def start(self, wait_s=20.0):
        self.log = open(self.log_path, "wb")
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
                    if ask_agent(self.socket_path, {"v": 1, "op": "status"}, 2.0).get("ok"):
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

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.log.close()
        self.proc = None


class ScriptedListener:
    """A unix socket standing in for a broken agent: it accepts connections
    and either never answers (reply=None) or answers every request line
    with `reply` (bytes, sent as is)."""

    def __init__(self, path, reply=None):
        self.path, self.reply = path, reply
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(path)
        os.chmod(path, 0o666)
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.held = []
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def _loop(self):
        while not self.stopping.is_set():
            try:
                conn, _ = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            self.held.append(conn)
            if self.reply is not None:
                try:
                    conn.settimeout(5)
                    data = b""
                    while b"\n" not in data:
                        chunk = conn.recv(65536)
                        if not chunk:
                            break
                        data += chunk
                    conn.sendall(self.reply)
                except OSError:
                    pass

    def close(self):
        self.stopping.set()
        self.thread.join(timeout=5)
        for conn in self.held:
            conn.close()
        self.sock.close()


def pam_service_text(module_path, args, extra=None, stages=("auth", "account", "session")):
    """A service file using the module `required` in each stage, optionally
    followed by lines of `extra` (e.g. 'required pam_permit.so')."""
    lines = []
    for stage in stages:
        lines.append("%s required %s %s" % (stage, module_path, " ".join(args)))
        for tail in (extra or {}).get(stage, []):
            lines.append("%s %s" % (stage, tail))
    lines.append("password required pam_deny.so")
    return "\n".join(lines) + "\n"


def pamtester(service, user, ops, env, items=None, timeout=60):
    """Runs pamtester; returns (returncode, stdout, stderr, seconds)."""
    cmd = ["pamtester", "-v"]
    for key, value in (items or {}).items():
        cmd += ["-I", "%s=%s" % (key, value)]
    cmd += [service, user] + list(ops)
    start = time.monotonic()
    proc = subprocess.run(cmd, env=env, capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL)
    elapsed = time.monotonic() - start
    return proc.returncode, proc.stdout.decode(errors="replace"), \
        proc.stderr.decode(errors="replace"), elapsed
