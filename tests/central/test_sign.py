"""staffgate-central sign: the envelope verifies with openssl, errors exit 1/2."""
import base64
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import sgtest  # noqa: E402
from centraltest import CENTRAL, PAYLOAD_TYPE, TempDirTest, openssl_verify, run

PAYLOAD = (b'{"schema":"staffgate.roster.v1","serial":7,"issued_at":"2026-11-28T23:00:00Z",'
           b'"expires_at":"2036-12-05T23:00:00Z","organization":"Example Motors",'
           b'"employees":[{"id":"E1","status":"active","accounts":["asmith"]}],'
           b'"shared_accounts":["sales"]}\n')


class SignTest(TempDirTest):
    def setUp(self):
        super().setUp()
        self.key = self.path("k.pem")
        self.pub = self.path("k.pub")
        self.assertEqual(run(["openssl", "genpkey", "-algorithm", "ed25519", "-out", self.key]).returncode, 0)
        self.assertEqual(run(["openssl", "pkey", "-in", self.key, "-pubout", "-out", self.pub]).returncode, 0)
        self.payload = self.path("payload.json")
        with open(self.payload, "wb") as f:
            f.write(PAYLOAD)

    def test_envelope_verifies_with_openssl_and_keeps_bytes(self):
        out = self.path("roster.dsse")
        r = run([CENTRAL, "sign", "--key", self.key, "--in", self.payload, "--out", out])
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(out) as f:
            text = f.read()
        env = json.loads(text)
        self.assertEqual(env["payloadType"], PAYLOAD_TYPE)
        self.assertEqual(base64.b64decode(env["payload"]), PAYLOAD)
        self.assertTrue(openssl_verify(text, self.pub, self.tmp))
        # A tampered payload must not verify: the check can fail.
        env["payload"] = base64.b64encode(PAYLOAD.replace(b'"serial":7', b'"serial":8')).decode()
        self.assertFalse(openssl_verify(json.dumps(env), self.pub, self.tmp))

    def test_missing_input_is_one_line_exit_1(self):
        r = run([CENTRAL, "sign", "--key", self.key, "--in", self.path("nope"), "--out", self.path("o")])
        self.assertEqual(r.returncode, 1)
        self.assertEqual(len(r.stderr.strip().splitlines()), 1, r.stderr)
        self.assertFalse(os.path.exists(self.path("o")))

    def test_not_a_roster_is_refused(self):
        with open(self.payload, "w") as f:
            f.write('{"schema":"other"}')
        r = run([CENTRAL, "sign", "--key", self.key, "--in", self.payload, "--out", self.path("o")])
        self.assertEqual(r.returncode, 1)
        self.assertIn("roster", r.stderr)

    def test_bad_key_exit_1(self):
        r = run([CENTRAL, "sign", "--key", self.payload, "--in", self.payload, "--out", self.path("o")])
        self.assertEqual(r.returncode, 1)

    def test_bad_usage_exit_2(self):
        r = run([CENTRAL, "sign", "--key", self.key])
        self.assertEqual(r.returncode, 2)
        r = run([CENTRAL, "frobnicate"])
        self.assertEqual(r.returncode, 2)


if __name__ == "__main__":
    sgtest.require_inputs("STAFFGATE_CENTRAL_BIN")
    unittest.main()
