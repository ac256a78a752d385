#!/usr/bin/env python3
"""Login latency while one local user floods the agent (docs/design.md §13).

A real staffgated (nss_wrapper accounts, signed cached roster) answers N
logins as root makes them through the module: auth check, account check
and session_open, each on a fresh connection (as the module does), then
session_close. First on an idle agent, then while uid nobody runs
tests/integration/hostile_client.py `flood` (1,100 connections held: idle,
trickling a byte a second, `status` every 2 s, closed ones reopened).
Prints p50/p99/max of the three round trips per login for both, their
ratio against the target (flooded p99 <= 2x idle p99), failed logins, and
the load average at each phase. Needs root (the flood runs as nobody).

  login_under_flood.py --staffgated BIN [--nss-wrapper LIB] [--logins 400]
"""
import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "lib"))
import sgtest  # noqa: E402

HOSTILE = os.path.join(HERE, "..", "tests", "integration", "hostile_client.py")
NOBODY = 65534
DEADLINE_S = 2.0  # The module's default timeout_ms.
TARGET_RATIO = 2.0


def exchange(path, request):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(DEADLINE_S)
    try:
        s.connect(path)
        s.sendall((json.dumps(request) + "\n").encode())
        data = b""
        while not data.endswith(b"\n"):
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
        return json.loads(data) if data else None
    finally:
        s.close()


def one_login(path, i):
    """Seconds for auth + account + session_open, or None if any failed."""
    sid = "%032x" % (0xbe7c0000 + i)
    steps = [sgtest.check_request("victim", "auth", service="sshd"),
             sgtest.check_request("victim", "account", service="sshd"),
             {"v": 1, "op": "session_open", "account": "victim", "session": sid,
              "service": "sshd", "tty": "pts/7", "pid": os.getpid()}]
    start = time.perf_counter()
    try:
        for req in steps:
            r = exchange(path, req)
            if not r or r.get("decision") != "allow":
                return None
        elapsed = time.perf_counter() - start
        exchange(path, {"v": 1, "op": "session_close", "session": sid})
        return elapsed
    except OSError:
        return None


def measure(path, logins):
    times, failed = [], 0
    for i in range(logins):
        t = one_login(path, i)
        if t is None:
            failed += 1
        else:
            times.append(t)
        time.sleep(0.005)
    times.sort()

    def pct(p):
        return times[min(len(times) - 1, int(p * len(times)))] * 1000 if times else float("nan")
    return {"p50": pct(0.50), "p99": pct(0.99), "max": times[-1] * 1000 if times else
            float("nan"), "failed": failed, "load": os.getloadavg()[0]}


def start_agent(staffgated, tmp, nss_wrapper):
    env = sgtest.nss_wrapper_env(tmp, {"victim": 2001, "mallory": NOBODY})
    env["LD_PRELOAD"] = nss_wrapper
    employees = [{"id": "E1", "status": "active", "accounts": ["victim"], "groups": ["*"]},
                 {"id": "E2", "status": "active", "accounts": ["mallory"], "groups": ["*"]}]
    return sgtest.start_signed_agent(staffgated, tmp, workstation="WS-BENCH",
                                     employees=employees, min_uid=1000, env=env)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--staffgated", required=True)
    ap.add_argument("--nss-wrapper", default="libnss_wrapper.so")
    ap.add_argument("--logins", type=int, default=400)
    ap.add_argument("--connections", type=int, default=1100)
    args = ap.parse_args()
    if os.getuid() != 0:
        sys.exit("login_under_flood.py: run as root (the flood runs as uid nobody)")
    tmp = tempfile.mkdtemp(prefix="sgflood-")
    os.chmod(tmp, 0o755)
    agent = start_agent(args.staffgated, tmp, args.nss_wrapper)
    flood = None
    try:
        path = agent.socket_path
        measure(path, 20)  # Warm-up (uid cache, page cache).
        idle = measure(path, args.logins)
        with open(HOSTILE) as f:
            script = f.read()
        seconds = 30 + args.logins * 0.05
        flood = subprocess.Popen(["/usr/bin/python3", "-c", script, "flood", path,
                                  str(args.connections), str(seconds)], user=NOBODY, group=NOBODY,
                                 extra_groups=[], stdout=subprocess.PIPE)
        if flood.stdout.readline().strip() != b"ready":
            sys.exit("the flood did not start")
        time.sleep(2)  # Let trickling and status traffic settle in.
        flooded = measure(path, args.logins)
    finally:
        if flood is not None:
            flood.kill()
            flood.wait()
        agent.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    ratio = flooded["p99"] / idle["p99"]
    print("Login latency (auth + account + session_open round trips), %d logins each, "
          "flood: %d connections from uid %d" % (args.logins, args.connections, NOBODY))
    print("%-8s %9s %9s %9s %7s %6s" % ("agent", "p50 ms", "p99 ms", "max ms", "failed", "load"))
    for name, r in (("idle", idle), ("flooded", flooded)):
        print("%-8s %9.2f %9.2f %9.2f %7d %6.2f" % (name, r["p50"], r["p99"], r["max"],
                                                     r["failed"], r["load"]))
    verdict = "met" if ratio <= TARGET_RATIO and flooded["failed"] == 0 else "NOT met"
    print("flooded p99 / idle p99 = %.2fx (target <= %.1fx, no failed login): %s"
          % (ratio, TARGET_RATIO, verdict))


if __name__ == "__main__":
    main()
