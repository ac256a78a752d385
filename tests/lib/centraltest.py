"""Shared helpers for the central tier: binaries, temp dirs, openssl checks."""
import base64
import json
import os
import subprocess
import tempfile
import unittest

CENTRAL = os.environ.get("STAFFGATE_CENTRAL_BIN", "")
ADMIN = os.environ.get("STAFFGATE_ADMIN_BIN", "")
PAYLOAD_TYPE = "application/vnd.staffgate.roster+json"


def run(args, **kw):
    """Runs a command, returns CompletedProcess with text output."""
    return subprocess.run(args, capture_output=True, text=True, timeout=60, **kw)


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
        if not CENTRAL:
            self.skipTest("STAFFGATE_CENTRAL_BIN not set")
        self._tmp = tempfile.TemporaryDirectory(prefix="sg-central-")
        self.tmp = self._tmp.name

    def tearDown(self):
        self._tmp.cleanup()

    def path(self, *parts):
        return os.path.join(self.tmp, *parts)
