#!/usr/bin/env python3
"""DSSE envelopes interoperate with OpenSSL's Ed25519, both ways.

(a) An envelope built here (PAE in Python, signature by `openssl pkeyutl
    -sign -rawin`) is accepted by envelope_tool verify; tampered copies are
    rejected.
(b) envelope_tool sign output verifies with `openssl pkeyutl -verify`.
(c) The same for `staffgate-central sign` when the build has it.

Inputs (tests/lib/README.md): STAFFGATE_ENVELOPE_TOOL; STAFFGATE_CENTRAL_BIN,
optional (unset when the central is not part of the build: (c) is skipped).
"""
import base64
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import unittest

PAYLOAD_TYPE = "application/vnd.staffgate.roster+json"
PAYLOAD = (b'{"schema":"staffgate.roster.v1","serial":7,"issued_at":"2026-11-28T23:00:00Z",'
           b'"expires_at":"2036-12-05T23:00:00Z","organization":"Example Motors \xc3\xa9",'
           b'"employees":[{"id":"E1","status":"active","accounts":["asmith"]}],'
           b'"shared_accounts":["sales"]}\n')

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import sgtest  # noqa: E402

TOOL = sgtest.tier_input("STAFFGATE_ENVELOPE_TOOL")
CENTRAL = sgtest.tier_input("STAFFGATE_CENTRAL_BIN")


def run(args, **kw):
    return subprocess.run(args, capture_output=True, timeout=60, **kw)


def pae(payload_type: str, payload: bytes) -> bytes:
    t = payload_type.encode()
    return b"DSSEv1 %d %s %d %s" % (len(t), t, len(payload), payload)


class Interop(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory()
        self.tmp = self._tmp.name
        self.key = self.path("key.pem")
        self.pub = self.path("pub.pem")
        self.check(["openssl", "genpkey", "-algorithm", "ed25519", "-out", self.key])
        self.check(["openssl", "pkey", "-in", self.key, "-pubout", "-out", self.pub])
        der = self.check(["openssl", "pkey", "-in", self.key, "-pubout", "-outform", "DER"]).stdout
        self.keyid = hashlib.sha256(der[-32:]).hexdigest()

    def tearDown(self):
        self._tmp.cleanup()

    def path(self, name):
        return os.path.join(self.tmp, name)

    def check(self, args):
        r = run(args)
        self.assertEqual(r.returncode, 0, (args, r.stderr))
        return r

    def write(self, name, data: bytes):
        with open(self.path(name), "wb") as f:
            f.write(data)
        return self.path(name)

    def openssl_sign(self, message: bytes) -> bytes:
        self.write("pae.bin", message)
        self.check(["openssl", "pkeyutl", "-sign", "-inkey", self.key, "-rawin",
                    "-in", self.path("pae.bin"), "-out", self.path("sig.bin")])
        with open(self.path("sig.bin"), "rb") as f:
            return f.read()

    def openssl_verify(self, message: bytes, sig: bytes) -> bool:
        self.write("vpae.bin", message)
        self.write("vsig.bin", sig)
        r = run(["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", self.pub, "-rawin",
                 "-in", self.path("vpae.bin"), "-sigfile", self.path("vsig.bin")])
        return r.returncode == 0

    def tool_verify(self, envelope: dict):
        path = self.write("env.json", json.dumps(envelope).encode())
        return run([TOOL, "verify", "--key", self.pub, "--in", path])

    def envelope(self, payload: bytes, sig: bytes, keyid=None):
        return {"payloadType": PAYLOAD_TYPE,
                "payload": base64.b64encode(payload).decode(),
                "signatures": [{"keyid": self.keyid if keyid is None else keyid,
                                "sig": base64.b64encode(sig).decode()}]}

    # (a) OpenSSL signs, we verify.
    def test_openssl_signed_envelope_verifies(self):
        sig = self.openssl_sign(pae(PAYLOAD_TYPE, PAYLOAD))
        self.assertEqual(len(sig), 64)
        r = self.tool_verify(self.envelope(PAYLOAD, sig))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, PAYLOAD)  # The exact signed bytes, trailing newline too.
        # An empty keyid is tried against every trusted key.
        r = self.tool_verify(self.envelope(PAYLOAD, sig, keyid=""))
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_tampered_copies_are_rejected(self):
        sig = self.openssl_sign(pae(PAYLOAD_TYPE, PAYLOAD))
        tampered_payload = PAYLOAD.replace(b'"serial":7', b'"serial":8')
        flipped = bytes([sig[0] ^ 1]) + sig[1:]
        other_type = self.envelope(PAYLOAD, sig)
        other_type["payloadType"] = "application/vnd.in-toto+json"
        for name, env, reason in [
                ("payload", self.envelope(tampered_payload, sig), b"bad_signature"),
                ("signature", self.envelope(PAYLOAD, flipped), b"bad_signature"),
                ("keyid", self.envelope(PAYLOAD, sig, keyid="00" * 32), b"bad_signature"),
                ("payloadType", other_type, b"invalid_input")]:
            with self.subTest(name):
                r = self.tool_verify(env)
                self.assertEqual(r.returncode, 1, r.stdout)
                self.assertIn(reason, r.stderr)
                self.assertEqual(r.stdout, b"")

    def test_signature_over_reserialised_payload_is_rejected(self):
        # Signing a re-serialisation (not the exact bytes) must not verify.
        reserialised = json.dumps(json.loads(PAYLOAD)).encode()
        sig = self.openssl_sign(pae(PAYLOAD_TYPE, reserialised))
        r = self.tool_verify(self.envelope(PAYLOAD, sig))
        self.assertEqual(r.returncode, 1)

    # (b) We sign, OpenSSL verifies.
    def check_envelope_with_openssl(self, env_path):
        with open(env_path, "rb") as f:
            env = json.loads(f.read())
        self.assertEqual(env["payloadType"], PAYLOAD_TYPE)
        payload = base64.b64decode(env["payload"], validate=True)
        self.assertEqual(payload, PAYLOAD)
        self.assertEqual(len(env["signatures"]), 1)
        self.assertEqual(env["signatures"][0]["keyid"], self.keyid)
        sig = base64.b64decode(env["signatures"][0]["sig"], validate=True)
        self.assertTrue(self.openssl_verify(pae(PAYLOAD_TYPE, payload), sig))
        # The check can fail: a different message does not verify.
        self.assertFalse(self.openssl_verify(pae(PAYLOAD_TYPE, payload + b" "), sig))
        self.assertFalse(self.openssl_verify(payload, sig))

    def test_tool_signed_envelope_verifies_with_openssl(self):
        payload = self.write("payload.json", PAYLOAD)
        out = self.path("out.dsse")
        self.check([TOOL, "sign", "--key", self.key, "--in", payload, "--out", out])
        self.check_envelope_with_openssl(out)
        # And round-trips through our own verifier.
        r = run([TOOL, "verify", "--key", self.pub, "--in", out])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, PAYLOAD)

    # (c) staffgate-central sign, when built.
    def test_central_signed_envelope_verifies_with_openssl(self):
        if not CENTRAL:
            self.skipTest("staffgate-central is not part of this build")
        payload = self.write("payload.json", PAYLOAD)
        out = self.path("central.dsse")
        self.check([CENTRAL, "sign", "--key", self.key, "--in", payload, "--out", out])
        self.check_envelope_with_openssl(out)
        r = run([TOOL, "verify", "--key", self.pub, "--in", out])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, PAYLOAD)


def main():
    sgtest.require_inputs("STAFFGATE_ENVELOPE_TOOL")
    unittest.main(verbosity=2)


if __name__ == "__main__":
    main()
