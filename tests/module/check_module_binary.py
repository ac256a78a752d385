#!/usr/bin/env python3
"""Binary checks on pam_staffgate.so (docs/design.md §1, §8):
  - the exported dynamic symbols are exactly the pam_sm_* entry points;
  - NEEDED names no libcurl, libssl or libcrypto (the login process never
    loads TLS or crypto code for us);
  - full RELRO: BIND_NOW and a GNU_RELRO segment;
  - no nlohmann::json, no libstdc++ demangler, at most MAX_IMPORTS imported
    symbols (each costs every login a lookup at load).
Input: STAFFGATE_MODULE (tests/lib/README.md); exit 0 when every check passes.
"""

import os
import re
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import sgtest  # noqa: E402

MODULE = sgtest.tier_input("STAFFGATE_MODULE")
EXPECTED = {"pam_sm_authenticate", "pam_sm_setcred", "pam_sm_acct_mgmt",
            "pam_sm_open_session", "pam_sm_close_session", "pam_sm_chauthtok"}

# 53 when this was written (libc, libpam, and what the static C++ runtime
# and unwinder need); a few more for a new libc call are fine, dozens are not.
MAX_IMPORTS = 60

ALLOWED_TLS = {"_ZZN12_GLOBAL__N_110get_globalEvE6global"}  # libstdc++ eh_globals.cc


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

    def test_no_thread_locals_of_our_own(self):
        # Thread-locals with destructors crash hosts after libpam dlcloses
        # the module (SSSD#6505). The only TLS allowed is the statically
        # linked libstdc++'s exception globals (16 bytes, no destructor).
        symbols = tool("readelf", "-sW", MODULE)
        tls = [line.split()[-1] for line in symbols.splitlines() if " TLS " in line]
        self.assertLessEqual(set(tls), ALLOWED_TLS, tls)

    def test_no_libstdcxx_needed(self):
        # Loading libstdc++.so into a C login process costs milliseconds per
        # login; the runtime is linked statically (pam_module/CMakeLists.txt).
        if sgtest.tier_input("STAFFGATE_SANITIZE"):
            self.skipTest("sanitizer builds use the shared C++ runtime")
        out = tool("readelf", "-d", MODULE)
        self.assertNotIn("libstdc++", out)

    def test_lean_in_the_login_process(self):
        # Every login process loads the module afresh: no nlohmann::json
        # (the module's codec is common/protocol_module.h), no demangler or
        # stdio from libstdc++'s verbose terminate handler, and a bounded
        # number of imported symbols, each one a lookup ld.so makes at load
        # under BIND_NOW (docs/performance.md, login cost).
        if sgtest.tier_input("STAFFGATE_SANITIZE"):
            self.skipTest("sanitizer builds use the shared C++ runtime")
        local = tool("nm", "-C", MODULE)
        self.assertFalse("nlohmann" in local, "nlohmann::json is linked into the module")
        self.assertFalse("__cxa_demangle" in local, "libstdc++'s demangler is linked in")
        imported = [line for line in tool("readelf", "--dyn-syms", "-W", MODULE).splitlines()
                    if re.search(r"\bUND\b", line) and not line.rstrip().endswith("UND")]
        self.assertLessEqual(len(imported), MAX_IMPORTS, "\n".join(imported))


if __name__ == "__main__":
    sgtest.require_inputs("STAFFGATE_MODULE")
    unittest.main(verbosity=2)
