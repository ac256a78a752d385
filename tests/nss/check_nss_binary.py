#!/usr/bin/env python3
"""Binary checks on libnss_staffgate.so.2 (docs/design.md §9): it is loaded
into every process that resolves a user, so
  - the exported symbols are exactly the _nss_staffgate_* entry points;
  - NEEDED is libc alone (no C++ runtime, no crypto, no curl);
  - the SONAME is the name glibc opens;
  - full RELRO and no thread-locals.
Usage: check_nss_binary.py MODULE.so
"""

import re
import subprocess
import sys
import unittest

MODULE = None
EXPECTED = {"_nss_staffgate_" + f for f in (
    "getpwnam_r", "getpwuid_r", "getgrnam_r", "getgrgid_r", "initgroups_dyn",
    "setpwent", "getpwent_r", "endpwent", "setgrent", "getgrent_r", "endgrent")}


def tool(*cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=60).stdout


class NssBinaryTest(unittest.TestCase):
    def test_exports_only_nss_entry_points(self):
        out = tool("nm", "-D", "--defined-only", MODULE)
        names = {line.split()[-1] for line in out.splitlines() if line.strip()}
        self.assertEqual(names, EXPECTED)

    def test_needed_is_libc_only(self):
        needed = re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", tool("readelf", "-d", MODULE))
        for lib in needed:
            self.assertRegex(lib, r"^(libc\.so\.6|libasan|libubsan|libtsan|libm\.so|libgcc_s)", needed)
        self.assertFalse([lib for lib in needed if "stdc++" in lib], needed)

    def test_soname(self):
        self.assertRegex(tool("readelf", "-d", MODULE), r"\(SONAME\)\s+Library soname: \[libnss_staffgate\.so\.2\]")

    def test_full_relro_no_tls(self):
        self.assertRegex(tool("readelf", "-d", MODULE), r"BIND_NOW|Flags:.*\bNOW\b")
        self.assertIn("GNU_RELRO", tool("readelf", "-lW", MODULE))
        tls = [line for line in tool("readelf", "-sW", MODULE).splitlines() if " TLS " in line]
        self.assertEqual(tls, [])


if __name__ == "__main__":
    MODULE = sys.argv.pop(1)
    unittest.main(verbosity=2)
