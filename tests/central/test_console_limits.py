"""The HR console's limits (docs/design.md §11) on a real staffgate-central
over HTTPS on 127.0.0.1: idle and absolute session expiry, and the
per-address sign-in limit, on a central of their own."""
import os
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import sgtest  # noqa: E402,F401
from centraltest import Central  # noqa: E402
from consoletest import ConsoleClient  # noqa: E402


class ConsoleLimitsTest(unittest.TestCase):
    """Short console timeouts and the per-address sign-in limit, on a central
    of their own (a locked address would lock the other tests out)."""

    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="sg-central-console-limits-")
        self.c = Central(self._tmp.name)
        self.c.set_conf("console_idle_timeout_s", "2")
        self.c.set_conf("console_absolute_timeout_s", "5")
        self.c.start()

    def tearDown(self):
        self.c.stop()
        self._tmp.cleanup()

    def test_idle_and_absolute_expiry(self):
        client = ConsoleClient(self.c).sign_in_new("ida", "hr")
        time.sleep(3)
        self.assertEqual(client.get("/ui/employees")[0], 303)  # Idle too long.
        signed_in = time.monotonic()
        self.assertEqual(client.sign_in("ida", "Tr0mbone-Lantern-Quietly")[0], 303)
        # Never idle for more than half a second, yet out after 5 s (whole
        # seconds on the server's clock: between 4 and 6 s after).
        ended = None
        while ended is None and time.monotonic() < signed_in + 9:
            if client.get("/ui/employees")[0] == 303:
                ended = time.monotonic() - signed_in
            time.sleep(0.5)
        self.assertIsNotNone(ended, "the session outlived console_absolute_timeout_s")
        self.assertGreaterEqual(ended, 3.9)

    def test_sign_in_limited_per_address(self):
        one_time = self.c.admin_ok("admin", "add", "adam", "--role", "hr").strip()
        client = ConsoleClient(self.c)
        for i in range(20):  # Different names: no account reaches its own limit.
            self.assertEqual(client.sign_in("guess%d" % i, "wrong-password")[0], 403)
        status, _, body = client.sign_in("adam", one_time)
        self.assertEqual(status, 429, body)
        self.assertIsNone(client.cookie)


if __name__ == "__main__":
    unittest.main()
