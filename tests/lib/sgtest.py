"""Shared helpers for the Python test tiers (module, root, integration,
sync) and bench/ (Python 3 stdlib only). Import with
`sys.path.insert(0, os.path.join(HERE, "..", "lib"))`.

Builds a roster signed with the openssl CLI (independent of our C++ code),
writes an agent config, runs a real staffgated, talks to its socket, and
runs pamtester. Every wait is bounded; every child process is stopped in
tearDown paths.
"""

import base64
import datetime
import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
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
    "AUTH_ERR": "Authentication failure",
    "MAXTRIES": "Have exhausted maximum number of retries for service",
    "USER_UNKNOWN": "User not known to the underlying authentication module",
    "AUTHTOK_ERR": "Authentication token manipulation error",
}


def tier_input(name, default=""):
    """One input of a Python tier: the environment variable `name` (or
    `default`). Every tier takes its inputs this way and only this way:
    tests/lib/README.md lists them. Reading one never fails; a script
    states what it cannot run without with require_inputs."""
    return os.environ.get(name) or default


def require_inputs(*names):
    """Ends the script (status 1, one line naming the variables) unless
    every named input is set to an existing path: a tier whose inputs are
    missing fails, it never passes by skipping. Call before unittest.main."""
    missing = [n for n in names if not os.path.exists(tier_input(n))]
    if missing:
        sys.exit("%s: set %s to the built file(s) (see tests/lib/README.md)"
                 % (os.path.basename(sys.argv[0]), ", ".join(missing)))


def sanitizer_env():
    """Extra environment for sanitizer builds (STAFFGATE_SANITIZE): the
    sanitizer runtimes must come first in LD_PRELOAD when an instrumented
    module is loaded into an uninstrumented host (pamtester), or before
    nss_wrapper in an instrumented agent. Empty for normal builds."""
    libs = tier_input("STAFFGATE_SANITIZER_PRELOAD").split()
    if not libs:
        return {}
    return {"STAFFGATE_SANITIZER_PRELOAD": " ".join(libs),
            "ASAN_OPTIONS": "detect_leaks=0",  # the hosts' leaks are not ours
            "PAM_WRAPPER_DISABLE_DEEPBIND": "1", "NSS_WRAPPER_DISABLE_DEEPBIND": "1"}


def preload(*libs):
    """An LD_PRELOAD value: sanitizer runtimes (if any), then `libs`."""
    first = tier_input("STAFFGATE_SANITIZER_PRELOAD").split()
    return " ".join(first + [lib for lib in libs if lib])


# A pam.d stage tail that lets the stack succeed when our module ignores.
PERMIT = {s: ["required pam_permit.so"] for s in ("auth", "account", "session")}


def rfc3339(dt):
    return dt.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def now_utc():
    return datetime.datetime.now(datetime.timezone.utc)


def days_since_epoch(dt):
    """The day number /etc/shadow uses for the last password change."""
    return int(dt.timestamp()) // 86400


def run(cmd, **kwargs):
    kwargs.setdefault("check", True)
    kwargs.setdefault("capture_output", True)
    kwargs.setdefault("timeout", 60)
    return subprocess.run(cmd, **kwargs)


class SigningKey:
    """An Ed25519 key made and used only through the openssl CLI."""

    def __init__(self, directory, name="roster-signing"):
        self.key = os.path.join(directory, name + ".key")
        self.pub = os.path.join(directory, name + ".pub")
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


DEFAULT_POLICY = {"max_workstations_per_account": 0}


def roster_payload(employees, shared=(), workstations=None, serial=1, issued=None,
                   lifetime=datetime.timedelta(days=7), policy=DEFAULT_POLICY):
    """A staffgate.roster.v1 payload (bytes), issued an hour ago unless
    `issued` is given; `policy=None` leaves the policy object out."""
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
    if policy is not None:
        doc["policy"] = policy
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


def write_agent_config(path, *, workstation, trusted_key, socket_path, state_dir, audit_log,
                       min_uid, exempt=("root",)):
    """The agent config the module and root tiers use: one trusted key,
    unknown accounts denied, and (tests must never kill processes of the
    fake revoked accounts) on_revoke = "none"."""
    write_config(path, workstation=workstation, trusted_keys=[trusted_key],
                 socket=socket_path, state_dir=state_dir, audit_log=audit_log,
                 exempt_accounts=list(exempt), min_uid=min_uid, unknown_accounts="deny",
                 on_revoke="none")


def append_central(config, url, ca_file, token_file):
    """Points the agent config at a central (central_url, ca_file, token_file)."""
    with open(config, "a") as f:
        f.write('central_url = "%s"\nca_file = "%s"\ntoken_file = "%s"\n'
                % (url, ca_file, token_file))


class Conn:
    """A raw client connection to the agent socket that can send several lines."""

    def __init__(self, path, timeout=10.0):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        # A full listen backlog fails an AF_UNIX connect with EAGAIN at once
        # (no queueing as for TCP); retry until the deadline, as the module
        # does (common/agent_client.cc).
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.sock.connect(path)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    self.sock.close()
                    raise
                time.sleep(0.005)
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
    """One request/response on a fresh connection; None if the agent closed
    the connection without answering."""
    c = Conn(path, timeout)
    try:
        return c.request(obj)
    finally:
        c.close()


def ask_agent(socket_path, request, timeout=5.0):
    """ask() with the shorter timeout the module, root and sync tiers use."""
    return ask(socket_path, request, timeout)


def check_request(account, phase="account", **extra):
    """A protocol `check` request for `account` (docs/design.md §4)."""
    return dict({"v": 1, "op": "check", "phase": phase, "account": account}, **extra)


def nss_wrapper_env(directory, uids):
    """Writes DIRECTORY/passwd (root plus each name -> uid in `uids`) and
    DIRECTORY/group, and returns os.environ with nss_wrapper preloaded on
    them, so an agent sees these accounts without touching the system."""
    passwd = os.path.join(directory, "passwd")
    with open(passwd, "w") as f:
        f.write("root:x:0:0:root:/root:/bin/sh\n")
        for name, uid in uids.items():
            f.write("%s:x:%d:%d::/nonexistent:/bin/sh\n" % (name, uid, uid))
    group = os.path.join(directory, "group")
    with open(group, "w") as f:
        f.write("root:x:0:\n")
    return dict(os.environ, LD_PRELOAD=preload("libnss_wrapper.so"), NSS_WRAPPER_PASSWD=passwd,
                NSS_WRAPPER_GROUP=group)


def write_secret(path, text):
    """Writes `text` and a newline to `path`, mode 0600 (tokens)."""
    with open(path, "w") as f:
        f.write(text + "\n")
    os.chmod(path, 0o600)


def wait_until(predicate, timeout=10.0, step=0.05):
    """Polls `predicate` until it returns a true value or `timeout` passes."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(step)


class Agent:
    """A real staffgated child process. Its output goes to `log_path`
    (default CONFIG.log), truncated at each start unless `append_log`."""

    def __init__(self, binary, config, socket_path, env=None, log_path=None, append_log=False):
        self.binary, self.config, self.socket_path = binary, config, socket_path
        self.env = env
        self.log_path = log_path or config + ".log"
        self.log_mode = "ab" if append_log else "wb"
        self.proc = None

    def start(self, wait_s=20.0):
        """Starts staffgated and waits until it answers `status`."""
        self.log = open(self.log_path, self.log_mode)
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
        """SIGTERM and wait (SIGKILL after `timeout`); returns the exit code."""
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


def start_signed_agent(staffgated, tmp, *, workstation, employees, min_uid, shared=(),
                       workstations=None, exempt=("root",), env=None):
    """A running staffgated whose cached roster (tmp/state/roster.dsse) is
    signed by a fresh key (tmp/roster-signing.*), with write_agent_config's
    settings in tmp/agent.conf, socket tmp/agent.sock and audit log
    tmp/audit.jsonl. Raises if the agent does not come up; the caller stops it."""
    key = SigningKey(tmp)
    payload = roster_payload(employees=employees, shared=shared, workstations=workstations)
    state = os.path.join(tmp, "state")
    os.mkdir(state, 0o700)
    with open(os.path.join(state, "roster.dsse"), "wb") as f:
        f.write(key.sign_envelope(payload))
    socket_path = os.path.join(tmp, "agent.sock")
    config = os.path.join(tmp, "agent.conf")
    write_agent_config(config, workstation=workstation, trusted_key=key.pub,
                       socket_path=socket_path, state_dir=state,
                       audit_log=os.path.join(tmp, "audit.jsonl"), min_uid=min_uid,
                       exempt=exempt)
    agent = Agent(staffgated, config, socket_path, env=env)
    agent.start()
    return agent


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


def assert_pam_failed(test, code, rc, out, err):
    """Asserts that pamtester failed (exit 1) with PAM_TEXT[code] on stderr."""
    test.assertEqual(rc, 1, out + err)
    test.assertIn("pamtester: " + PAM_TEXT[code], err)


PROMPT_ENDINGS = ("assword: ",)


def pamtester_typing(service, user, ops, env, lines, items=None, timeout=60):
    """Runs pamtester answering each password prompt with the next of
    `lines`, typed only once the prompt shows (misc_conv reads a whole
    pipe at once, so the answers cannot be queued up front). Returns
    (returncode, output with stdout and stderr merged, prompts seen)."""
    cmd = ["pamtester", "-v"]
    for key, value in (items or {}).items():
        cmd += ["-I", "%s=%s" % (key, value)]
    cmd += [service, user] + list(ops)
    proc = subprocess.Popen(cmd, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    os.set_blocking(proc.stdout.fileno(), False)
    out, prompts, pending, seen = b"", [], list(lines), 0
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        chunk = None
        try:
            chunk = proc.stdout.read()
        except BlockingIOError:
            pass
        if chunk:
            out += chunk
            text = out.decode(errors="replace")
            if text.endswith(PROMPT_ENDINGS):
                prompts.append(text[seen:].rsplit("\n", 1)[-1])
                seen = len(text)
                answer = pending.pop(0) if pending else ""
                try:
                    proc.stdin.write((answer + "\n").encode())
                    proc.stdin.flush()
                except BrokenPipeError:
                    pass
        elif chunk == b"" or proc.poll() is not None:
            if proc.poll() is not None:
                rest = proc.stdout.read() or b""
                out += rest
                break
        time.sleep(0.01)
    else:
        proc.kill()
    proc.wait(timeout=10)
    proc.stdin.close()
    proc.stdout.close()
    return proc.returncode, out.decode(errors="replace"), prompts
