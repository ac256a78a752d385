#!/usr/bin/env python3
"""Offline sign-in with a staffgate password (docs/design.md §10) against
pam_unix checking a local yescrypt password, on the same machine in the
same run, alternated round by round, with the load average.

  staffgate  pamtester authenticate through pam_staffgate.so `authenticate`
             -> staffgated, whose central is down (connection refused), so
             the agent checks its argon2id offline verifier (made by one
             online sign-in through the sync tier's fake central first);
  pam_unix   pamtester authenticate through pam_unix.so, a local account
             whose shadow entry is a yescrypt hash (Debian's default method
             and cost, made by libcrypt's crypt_gensalt).

Both are real stacks (no pam_wrapper): the script runs itself in a private
mount namespace (unshare -m) where /etc/passwd, /etc/shadow, /etc/group and
/etc/pam.d are bind-mounted copies with the two bench accounts and services
added, so the machine's own files are never touched. Needs root.

  bench/offline_signin.py [--build build] [--rounds 200]
or: ninja -C build bench_offline_signin
"""

import argparse
import contextlib
import ctypes
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "lib"))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "sync"))
import sgtest  # noqa: E402
from fake_central import FakeCentral, make_ca_and_cert  # noqa: E402

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import crypt  # noqa: E402  (libcrypt's crypt(3), for the yescrypt hash)

STAFF = "sgbench"
LOCAL = "sglocal"
STAFF_PW = "Bench-staffgate-Pa55"
LOCAL_PW = "Bench-local-Pa55"
TOKEN = "bench-token-" + "c" * 40


def yescrypt(password):
    lib = ctypes.CDLL("libcrypt.so.1")
    lib.crypt_gensalt.restype = ctypes.c_char_p
    salt = lib.crypt_gensalt(b"$y$", 0, None, 0).decode()
    return crypt.crypt(password, salt)


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100.0 * (len(ordered) - 1))))]


def private_etc(tmp):
    """Copies of the /etc files with the bench accounts, bind-mounted over
    the real ones (this process is in its own mount namespace)."""
    files = {}
    for name in ("passwd", "group", "shadow"):
        with open("/etc/" + name) as f:
            files[name] = f.read()
    files["passwd"] += "%s:x:2901:2901::/nonexistent:/bin/sh\n" % STAFF
    files["passwd"] += "%s:x:2902:2902::/nonexistent:/bin/sh\n" % LOCAL
    files["group"] += "%s:x:2901:\n%s:x:2902:\n" % (STAFF, LOCAL)
    files["shadow"] += "%s:!:20000:0:99999:7:::\n" % STAFF
    files["shadow"] += "%s:%s:20000:0:99999:7:::\n" % (LOCAL, yescrypt(LOCAL_PW))
    for name, text in files.items():
        path = os.path.join(tmp, name)
        with open(path, "w") as f:
            f.write(text)
        os.chmod(path, 0o640 if name == "shadow" else 0o644)
        subprocess.run(["mount", "--bind", path, "/etc/" + name], check=True)
    pamd = os.path.join(tmp, "pam.d")
    shutil.copytree("/etc/pam.d", pamd, symlinks=True)
    subprocess.run(["mount", "--bind", pamd, "/etc/pam.d"], check=True)
    return pamd


def start(args, tmp):
    key = sgtest.SigningKey(tmp)
    ca, crt, tls_key = make_ca_and_cert(tmp, "ca")
    central = FakeCentral(crt, tls_key, TOKEN, key.pub)
    central.passwords = {STAFF: STAFF_PW}
    envelope = key.sign_envelope(sgtest.roster_payload(
        [{"id": "E1", "status": "active", "accounts": [STAFF]}], serial=1))
    central.publish(envelope, 1)
    state = os.path.join(tmp, "state")
    os.mkdir(state, 0o700)
    with open(os.path.join(state, "roster.dsse"), "wb") as f:
        f.write(envelope)
    token = os.path.join(tmp, "token")
    sgtest.write_secret(token, TOKEN)
    sock = os.path.join(tmp, "agent.sock")
    config = os.path.join(tmp, "agent.conf")
    sgtest.write_agent_config(config, workstation="WS-BENCH", trusted_key=key.pub,
                              socket_path=sock, state_dir=state,
                              audit_log=os.path.join(tmp, "audit.jsonl"), min_uid=1000)
    sgtest.append_central(config, central.url, ca, token)
    agent = sgtest.Agent(args.staffgated, config, sock)
    agent.start()
    return central, agent, sock


def sign_in(service, user, password, env):
    """One pamtester authenticate, the password on stdin; (rc, wall ms)."""
    read_fd, write_fd = os.pipe()
    os.write(write_fd, (password + "\n").encode())
    os.close(write_fd)
    with open(os.devnull, "wb") as devnull:
        actions = [(os.POSIX_SPAWN_DUP2, read_fd, 0),
                   (os.POSIX_SPAWN_DUP2, devnull.fileno(), 1),
                   (os.POSIX_SPAWN_DUP2, devnull.fileno(), 2)]
        begin = time.perf_counter()
        pid = os.posix_spawnp("pamtester", ["pamtester", service, user, "authenticate"], env,
                              file_actions=actions)
        _, status, _ = os.wait4(pid, 0)
        wall = (time.perf_counter() - begin) * 1000.0
    os.close(read_fd)
    return os.waitstatus_to_exitcode(status), wall


def warm_up(who, env, agent, count):
    """`count` sign-ins per stack first (page cache, first argon2id
    allocation); exits with the agent's log when one fails."""
    for name, (user, password) in who.items():
        for _ in range(count):
            rc, _ = sign_in("sgbench-" + name, user, password, env)
            if rc != 0:
                sys.exit("%s: sign-in failed (rc %d)\n%s" % (name, rc, agent.read_log()))


def alternate(who, env, rounds, after_round=None):
    """`rounds` rounds of one sign-in per stack, the order reversed every
    other round; `after_round(times)` runs after each. Returns the wall ms
    per stack and the load averages before and after."""
    times = {name: [] for name in who}
    load_before = os.getloadavg()
    for i in range(rounds):
        order = list(who) if i % 2 == 0 else list(reversed(list(who)))
        for name in order:
            user, password = who[name]
            rc, ms = sign_in("sgbench-" + name, user, password, env)
            if rc != 0:
                sys.exit("%s: sign-in failed in round %d (rc %d)" % (name, i, rc))
            times[name].append(ms)
        if after_round:
            after_round(times)
    return times, load_before, os.getloadavg()


def pam_stacks(pamd, module, sock, staff_pw):
    """Writes the two services (sgbench-staffgate through `module` asking
    `sock`, sgbench-pam_unix) into `pamd`; returns pamtester's environment
    (no wrappers, no preloads) and who signs in to each, with what."""
    services = {
        "staffgate": "auth required %s authenticate socket=%s\n" % (module, sock),
        "pam_unix": "auth required pam_unix.so\n",
    }
    for name, text in services.items():
        with open(os.path.join(pamd, "sgbench-" + name), "w") as f:
            f.write(text)
    env = {k: v for k, v in os.environ.items()
           if k != "LD_PRELOAD" and not k.startswith(("PAM_WRAPPER", "NSS_WRAPPER"))}
    return env, {"staffgate": (STAFF, staff_pw), "pam_unix": (LOCAL, LOCAL_PW)}


def print_times(title, times, labels, loads):
    """The run's table: `title`, the load average before and after, and
    p50/p99/mean of each stack in `times` (ms) under its label."""
    width = max(len(label) for label in labels.values())
    print(title)
    print("load average before %.2f %.2f %.2f, after %.2f %.2f %.2f, %d CPUs" %
          (loads[0] + loads[1] + (os.cpu_count(),)))
    print("%-*s %8s %8s %8s" % (width, "stack (wall ms)", "p50", "p99", "mean"))
    for name, values in times.items():
        print("%-*s %8.1f %8.1f %8.1f" % (width, labels[name], percentile(values, 50),
                                          percentile(values, 99), statistics.mean(values)))


def audited(tmp, detail):
    """How many decisions the agent's audit log in `tmp` marks `detail`."""
    with open(os.path.join(tmp, "audit.jsonl")) as f:
        return sum(1 for line in f if '"detail":"%s"' % detail in line)


@contextlib.contextmanager
def bench_dir(prefix):
    """A temp dir (0755, so the pamtester-run services can reach the agent's
    socket) removed afterwards with all it holds."""
    tmp = tempfile.mkdtemp(prefix=prefix)
    try:
        os.chmod(tmp, 0o755)
        yield tmp
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def rerun_privately(script, args):
    """Runs `script --inside ARGS` again as root in a private mount namespace
    (unshare -m), where private_etc's bind mounts touch nothing outside."""
    if os.geteuid() != 0:
        sys.exit("bench/%s needs root (a private mount namespace)" % os.path.basename(script))
    cmd = ["unshare", "-m", "--propagation", "private", sys.executable, os.path.abspath(script),
           "--inside"] + args
    return subprocess.run(cmd).returncode


def inside(args):
    with bench_dir("sg-bench-offline-") as tmp:
        measure_offline(args, tmp)


def measure_offline(args, tmp):
    central = agent = None
    try:
        pamd = private_etc(tmp)
        central, agent, sock = start(args, tmp)
        env, who = pam_stacks(pamd, args.module, sock, STAFF_PW)
        rc, _ = sign_in("sgbench-staffgate", STAFF, STAFF_PW, env)
        if rc != 0:
            sys.exit("the online sign-in failed (rc %d):\n%s" % (rc, agent.read_log()))
        central.close()  # From here on the central refuses connections: offline.
        central = None
        warm_up(who, env, agent, 5)
        times, load_before, load_after = alternate(who, env, args.rounds)
        print_times("offline sign-in vs pam_unix (yescrypt), %d rounds, alternated" % args.rounds,
                    times, {"staffgate": "staffgate offline (pamtester)",
                            "pam_unix": "pam_unix yescrypt (pamtester)"},
                    (load_before, load_after))
        ratio50 = percentile(times["staffgate"], 50) / percentile(times["pam_unix"], 50)
        ratio99 = percentile(times["staffgate"], 99) / percentile(times["pam_unix"], 99)
        print("staffgate / pam_unix: p50 %.2fx, p99 %.2fx (target: within 1.2x)" %
              (ratio50, ratio99))
        print("offline sign-ins audited as offline: %d" % audited(tmp, "offline"))
    finally:
        if agent:
            agent.stop()
        if central:
            central.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", default=os.path.join(HERE, "..", "build"))
    parser.add_argument("--module")
    parser.add_argument("--staffgated")
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.module = os.path.abspath(args.module or
                                  os.path.join(args.build, "pam_module", "pam_staffgate.so"))
    args.staffgated = os.path.abspath(args.staffgated or
                                      os.path.join(args.build, "agent", "staffgated"))
    if args.inside:
        return inside(args)
    return rerun_privately(__file__, ["--module", args.module, "--staffgated", args.staffgated,
                                      "--rounds", str(args.rounds)])


if __name__ == "__main__":
    sys.exit(main())
