#!/usr/bin/env python3
"""Binary checks on pam_staffgate.so (DESIGN.md §1, §8):
  - the exported dynamic symbols are exactly the pam_sm_* entry points;
  - NEEDED names no libcurl, libssl or libcrypto (the login process never
    loads TLS or crypto code for us);
  - full RELRO: BIND_NOW and a GNU_RELRO segment.
Usage: check_module_binary.py MODULE.so   (exit 0 when every check passes)
"""

import re
import subprocess
import sys
import unittest

MODULE = None
EXPECTED = {"pam_sm_authenticate", "pam_sm_setcred", "pam_sm_acct_mgmt",
            "pam_sm_open_session", "pam_sm_close_session", "pam_sm_chauthtok"}


def tool(*cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=60).stdout


class ModuleBinaryTest(unittest.TestCase):
    def test_exports_only_pam_sm(self):
        out = tool("nm", "-D", "--defined-only", MODULE)
        names = {line.split()[-1] for line in out.splitlines() if line.strip()}
        self.assertEqual(names, EXPECTED)

    def test_needed_has_no_curl_ssl_crypto(self):
        out = tool("readelf", "-d", MODULE)
        needed = re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out)
        self.assertIn("libpam.so.0", needed)
        for lib in needed:
            self.assertIsNone(re.match(r"lib(curl|ssl|crypto|gnutls|nss3)", lib), lib)

    def test_full_relro(self):
        dynamic = tool("readelf", "-d", MODULE)
        self.assertRegex(dynamic, r"\(FLAGS\)\s+.*BIND_NOW|\(FLAGS_1\)\s+Flags:.*\bNOW\b")
        self.assertIn("GNU_RELRO", tool("readelf", "-lW", MODULE))

    def test_no_undefined_symbols_outside_needed(self):
        # -z defs at link time; here: no TLS (thread-local) sections either,
        # because thread-locals crash after libpam dlcloses the module.
        sections = tool("readelf", "-SW", MODULE)
        self.assertNotRegex(sections, r"\.tbss|\.tdata")


if __name__ == "__main__":
    MODULE = sys.argv.pop(1)
    unittest.main(verbosity=2)
