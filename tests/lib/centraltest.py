"""Shared helpers for tests that need staffgate-central (the central and
sync tiers): binaries, temp dirs, openssl checks, and a real central on
127.0.0.1 (Central). Import with
`sys.path.insert(0, os.path.join(HERE, "..", "lib"))`."""
import base64
import http.client
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
import unittest

import pgserver
from sgtest import tier_input

CENTRAL = tier_input("STAFFGATE_CENTRAL_BIN")
# The engine of every Central the tests make: unset or "" for SQLite, or
# the URI of a PostgreSQL server's `postgres` database (the _pg tests'
# fixture, tests/lib/pgserver.py), on which each Central gets a database
# of its own.
TEST_DATABASE = os.environ.get("STAFFGATE_TEST_DATABASE", "")


def on_postgres():
    return bool(TEST_DATABASE)
ADMIN = tier_input("STAFFGATE_ADMIN_BIN")
PAYLOAD_TYPE = "application/vnd.staffgate.roster+json"


def run(args, timeout=60, **kw):
    """Runs a command, returns CompletedProcess with text output."""
    return subprocess.run(args, capture_output=True, text=True, timeout=timeout, **kw)


def pae(payload_type: bytes, payload: bytes) -> bytes:
    return b"DSSEv1 %d %s %d %s" % (len(payload_type), payload_type, len(payload), payload)


def openssl_verify(envelope_text: str, pub_path: str, workdir: str) -> bool:
    """Verifies an envelope with the openssl CLI, independent of our code."""
    env = json.loads(envelope_text)
    payload = base64.b64decode(env["payload"], validate=True)
    ok = False
    for i, sig in enumerate(env["signatures"]):
        pae_path = os.path.join(workdir, "pae.%d" % i)
        sig_path = os.path.join(workdir, "sig.%d" % i)
        with open(pae_path, "wb") as f:
            f.write(pae(env["payloadType"].encode(), payload))
        with open(sig_path, "wb") as f:
            f.write(base64.b64decode(sig["sig"], validate=True))
        r = run(["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", pub_path, "-rawin",
                 "-in", pae_path, "-sigfile", sig_path])
        ok = ok or r.returncode == 0
    return ok


class TempDirTest(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="sg-central-")
        self.tmp = self._tmp.name

    def tearDown(self):
        self._tmp.cleanup()

    def path(self, *parts):
        return os.path.join(self.tmp, *parts)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Central:
    """One initialised central directory and its serving process."""

    def __init__(self, root, database=None):
        """`database`: "sqlite" or a URI; by default the tier's engine (a
        new PostgreSQL database when the tier runs on one)."""
        self.dir = os.path.join(root, "central")
        self.port = free_port()
        if database is None:
            database = pgserver.create_database(TEST_DATABASE) if on_postgres() else "sqlite"
        self.database = database
        r = run([CENTRAL, "init", "--dir", self.dir, "--listen", "127.0.0.1:%d" % self.port,
                 "--org", "Test Motors", "--san", "central.test", "--database", self.database])
        assert r.returncode == 0, r.stderr
        self.proc = None
        with open(os.path.join(self.dir, "admin.token")) as f:
            self.admin_token = f.read().strip()
        self.tls = ssl.create_default_context(cafile=os.path.join(self.dir, "ca.pem"))
        self.log = os.path.join(root, "serve.log")

    def database_text(self):
        """Everything the database holds, as text: the SQLite file's bytes,
        or a pg_dump of the PostgreSQL database."""
        if self.database == "sqlite":
            with open(os.path.join(self.dir, "central.db"), "rb") as f:
                return f.read().decode("latin1")
        r = run([os.path.join(pgserver.BIN, "pg_dump"), self.database])
        assert r.returncode == 0, r.stderr
        return r.stdout

    def start(self):
        self.logf = open(self.log, "ab")
        self.proc = subprocess.Popen([CENTRAL, "serve", "--config", os.path.join(self.dir, "central.conf")],
                                     stdout=self.logf, stderr=self.logf)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if self.request("GET", "/healthz")[0] == 200:
                    return
            except OSError:
                pass
            if self.proc.poll() is not None:
                raise AssertionError("server exited: " + open(self.log).read())
            time.sleep(0.05)
        self.kill()  # Nothing left running behind a failed start.
        raise AssertionError("server did not come up")

    def cold_copy(self, root):
        """Another central serving a copy of this one's directory (same
        signing key, CA, tokens and SQLite state) on its own port, logging
        to ROOT/serve.log: the stand-in for a second central of the same
        fleet. Copy while this one is stopped (a consistent database); from
        then on the two keep their data apart."""
        assert self.proc is None or self.proc.poll() is not None, "stop the central first"
        other = Central.__new__(Central)
        other.dir = os.path.join(root, "central")
        shutil.copytree(self.dir, other.dir)
        other.port = free_port()
        other.proc = None
        other.admin_token = self.admin_token
        other.tls = self.tls
        other.log = os.path.join(root, "serve.log")
        other.set_conf("listen", '"127.0.0.1:%d"' % other.port)
        return other

    def join(self, root):
        """Another central for this one's PostgreSQL database, made by
        `staffgate-central init --join` in ROOT/central (its own port, log
        and server certificate under the same CA)."""
        other = Central.__new__(Central)
        other.dir = os.path.join(root, "central")
        other.port = free_port()
        r = run([CENTRAL, "init", "--dir", other.dir, "--join", self.dir,
                 "--listen", "127.0.0.1:%d" % other.port])
        assert r.returncode == 0, r.stderr
        other.database = self.database
        other.proc = None
        other.admin_token = self.admin_token
        other.tls = ssl.create_default_context(cafile=os.path.join(other.dir, "ca.pem"))
        other.log = os.path.join(root, "serve.log")
        return other

    def url(self):
        return "https://127.0.0.1:%d" % self.port

    def kill(self):
        """kill -9: no clean shutdown, held connections reset."""
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=30)
            self.logf.close()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            rc = self.proc.wait(timeout=30)
            self.logf.close()
            return rc
        return None

    def set_conf(self, key, value):
        """Sets (or appends) one top-level key of central.conf; takes effect
        at the next start."""
        conf = os.path.join(self.dir, "central.conf")
        with open(conf) as f:
            text = f.read()
        text, n = re.subn(r"(?m)^%s = .*$" % key, "%s = %s" % (key, value), text)
        if n == 0:
            text += "\n%s = %s\n" % (key, value)
        with open(conf, "w") as f:
            f.write(text)

    def connection(self, timeout=30):
        return http.client.HTTPSConnection("127.0.0.1", self.port, context=self.tls, timeout=timeout)

    def request(self, method, path, body=None, token=None, headers=None, conn=None, timeout=30):
        h = dict(headers or {})
        if token:
            h["Authorization"] = "Bearer " + token
        own = conn is None
        conn = conn or self.connection(timeout)
        try:
            conn.request(method, path, body=body, headers=h)
            resp = conn.getresponse()
            data = resp.read()
            return resp.status, dict(resp.getheaders()), data
        finally:
            if own:
                conn.close()

    def admin_ok(self, *args):
        """Runs staffgate-admin; fails unless it exits 0. Returns stdout."""
        r = self.admin(*args)
        assert r.returncode == 0, "%s: %s" % (args, r.stderr)
        return r.stdout

    def admin_expect(self, *args, rc=0):
        """Runs staffgate-admin; fails unless it exits `rc`. Returns the run."""
        r = self.admin(*args)
        assert r.returncode == rc, "%s: %s %s" % (args, r.stdout, r.stderr)
        return r

    def admin(self, *args, token_file=None, **run_args):
        """Runs staffgate-admin ARGS against this central (run_args: run's
        `input`, `timeout`). Returns the run."""
        env = dict(os.environ, STAFFGATE_CENTRAL="https://127.0.0.1:%d" % self.port,
                   STAFFGATE_CA=os.path.join(self.dir, "ca.pem"),
                   STAFFGATE_TOKEN_FILE=token_file or os.path.join(self.dir, "admin.token"))
        return run([ADMIN] + list(args), env=env, **run_args)


class SharedCentralTest(unittest.TestCase):
    """One real central for the whole class, `cls.c`, started in a temp dir
    of its own (prefix `tmp_prefix`) and stopped after the last test.
    A subclass that needs more than a started central overrides
    `_start_central(root)`, which returns it."""

    tmp_prefix = "sg-central-"

    @classmethod
    def setUpClass(cls):
        cls._tmp = tempfile.TemporaryDirectory(prefix=cls.tmp_prefix)
        try:
            cls.c = cls._start_central(cls._tmp.name)
        except BaseException:
            cls._tmp.cleanup()
            raise

    @classmethod
    def _start_central(cls, root):
        c = Central(root)
        c.start()
        return c

    @classmethod
    def tearDownClass(cls):
        try:
            cls.c.stop()
        finally:
            cls._tmp.cleanup()

    def admin(self, *args, rc=0):
        """staffgate-admin ARGS against this central; fails the test unless
        it exits with `rc`."""
        return self.c.admin_expect(*args, rc=rc)
