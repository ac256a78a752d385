#!/usr/bin/env python3
"""The agent's state_dir on a real, full filesystem (a 4 MiB tmpfs): a
termination from a real central is saved through the space reserved in
advance; without that reserve the next one is still enforced, the save
problem shows in `staffgatectl status`, and after a restart with the
central unreachable the terminated employee is still refused: the agent
never falls back to the older cached roster (docs/design.md §2, §7).

Mounting needs a private mount namespace: as root `unshare -m`, otherwise
`unshare -Urm` (a user namespace). The file re-runs itself inside one, and
its tests are skipped when neither is possible.

Inputs: STAFFGATED, STAFFGATECTL, STAFFGATE_CENTRAL_BIN, STAFFGATE_ADMIN_BIN
(tests/lib/README.md)
"""

import errno
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))

import sgtest  # noqa: E402
from centraltest import ADMIN, CENTRAL  # noqa: E402
from livetest import LiveWorkstation  # noqa: E402

IN_NAMESPACE_ENV = "STAFFGATE_TEST_MOUNT_NS"
TMPFS_SIZE = "4m"  # Room for the roster, its 1 MiB reserve and the outbox.


def unshare_command():
    return ["unshare", "-m"] if os.getuid() == 0 else ["unshare", "-Urm"]


def mount_namespace_problem():
    """None when this process may mount (it runs in its own mount
    namespace), else why not."""
    if os.environ.get(IN_NAMESPACE_ENV) == "1":
        return None
    if shutil.which("unshare") is None:
        return "unshare(1) is not installed"
    with tempfile.TemporaryDirectory(prefix="sg-mnt-probe-") as probe:
        r = subprocess.run(unshare_command() + ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", probe],
                           capture_output=True, text=True, timeout=30)
    if r.returncode != 0:
        return "cannot mount a tmpfs in a new mount namespace: " + r.stderr.strip()
    return "re-run in a namespace"  # main() does that before the tests run.


def fill(directory):
    """Writes DIRECTORY/filler-N until the filesystem is full."""
    chunk = b"\0" * 65536
    n = len([name for name in os.listdir(directory) if name.startswith("filler-")])
    with open(os.path.join(directory, "filler-%d" % n), "wb", buffering=0) as f:
        while True:
            try:
                f.write(chunk)
            except OSError as e:
                if e.errno != errno.ENOSPC:
                    raise
                if len(chunk) == 1:
                    return
                chunk = chunk[:len(chunk) // 2]


@unittest.skipUnless(CENTRAL and ADMIN, "STAFFGATE_CENTRAL_BIN and STAFFGATE_ADMIN_BIN needed")
@unittest.skipUnless(os.environ.get(IN_NAMESPACE_ENV) == "1", "no private mount namespace")
class FullDiskTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="sg-fulldisk-")
        os.chmod(self.dir, 0o755)
        self.state = os.path.join(self.dir, "state")
        os.mkdir(self.state, 0o700)
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%s,mode=0700" % TMPFS_SIZE, "tmpfs",
                        self.state], check=True)
        self.ws = LiveWorkstation(self.dir, {"E1": "asmith", "E2": "bjones", "E3": "cdavis"},
                                  state_dir=self.state)
        self.ws.agent.start()

    def tearDown(self):
        self.ws.close()
        subprocess.run(["umount", self.state])
        shutil.rmtree(self.dir, ignore_errors=True)

    def reason(self, account):
        return self.ws.check(account)["reason"]

    def terminate_and_wait(self, employee, account):
        self.ws.central.admin_ok("employee", "terminate", employee)
        self.ws.wait_for(lambda: self.reason(account) == "terminated", what=account + " terminated")

    def test_enforced_roster_survives_a_full_disk_and_a_restart(self):
        self.ws.enroll()
        for account in ("asmith", "bjones", "cdavis"):
            self.assertEqual(self.reason(account), "allowed")
        self.ws.wait_for(lambda: os.path.exists(os.path.join(self.state, "roster.reserve")),
                         what="the roster reserve")

        # Full disk: the first termination is saved through the space
        # reserved in advance.
        fill(self.state)
        self.terminate_and_wait("E1", "asmith")
        self.assertNotIn("roster_problem", self.ws.status())
        # Without that reserve (deleted, as someone freeing space might)
        # and still full, the second is enforced but cannot be saved.
        os.unlink(os.path.join(self.state, "roster.reserve"))
        fill(self.state)
        self.terminate_and_wait("E2", "bjones")
        self.assertEqual(self.reason("cdavis"), "allowed")
        status = self.ws.status()
        enforced = status["roster"]["serial"]
        self.assertIn("roster serial %d is enforced but not saved to disk" % enforced,
                      status.get("roster_problem", ""), status)
        self.assertRegex(self.ws.ctl("status").stdout, r"ROSTER PROBLEM: +roster serial %d" % enforced)

        # Restart with the central unreachable: the cached roster (where E2
        # is still active) is older than what was enforced; nobody gets in.
        self.ws.central.stop()
        self.ws.agent.stop()
        self.ws.agent.start()
        for account in ("asmith", "bjones", "cdavis"):
            reply = self.ws.check(account)
            self.assertEqual((reply["decision"], reply["reason"]), ("deny", "no_roster"), reply)
        status = self.ws.status()
        self.assertIn("older than serial %d" % enforced, status.get("roster_problem", ""), status)

        # Room again and the central back: the enforced roster returns.
        for name in os.listdir(self.state):
            if name.startswith("filler-"):
                os.unlink(os.path.join(self.state, name))
        self.ws.central.start()
        r = self.ws.ctl("sync")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(self.reason("bjones"), "terminated")
        self.assertEqual(self.reason("cdavis"), "allowed")
        self.assertNotIn("roster_problem", self.ws.status())


def main():
    problem = mount_namespace_problem()
    if problem == "re-run in a namespace":
        env = dict(os.environ, **{IN_NAMESPACE_ENV: "1"})
        command = unshare_command() + ["--", sys.executable, os.path.abspath(__file__)] + sys.argv[1:]
        os.execvpe(command[0], command, env)
    if problem:
        print("skipping the full-disk tests: " + problem)
    sgtest.require_inputs("STAFFGATED", "STAFFGATECTL", "STAFFGATE_CENTRAL_BIN", "STAFFGATE_ADMIN_BIN")
    unittest.main(verbosity=2)


if __name__ == "__main__":
    main()
