#!/usr/bin/env python3
"""The central's password verify throughput (docs/design.md §10).

A real staffgate-central on 127.0.0.1 with its default argon2id cost and
max_concurrent_hashes; one workstation, one employee with a staffgate
password. Measures the per-hash cost on one core (argon2_cost_bench), the
latency of one verify at a time over a kept-alive TLS connection, then
verifies/s with N clients for T seconds, the central's CPU use and the
load average (the machine is shared: read the figures with it).

  central_verify.py --central BIN --admin BIN [--argon2-bench BIN] [--clients 8] [--seconds 10]
"""
import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from benchcentral import start_central  # noqa: E402

PASSWORD = "Copper-Meadow-58-Falcon-Drum"


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--central", required=True)
    ap.add_argument("--admin", required=True)
    ap.add_argument("--argon2-bench")
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=10)
    args = ap.parse_args()
    print("load average before: %.2f %.2f %.2f, %d cores" % (os.getloadavg() + (os.cpu_count(),)))
    if args.argon2_bench:
        print(subprocess.run([args.argon2_bench], capture_output=True, text=True, check=True).stdout.strip())
    with tempfile.TemporaryDirectory(prefix="sg-bench-verify-") as tmp:
        # Every client waits its turn: no 503 in a throughput run.
        central = start_central(args.central, args.admin, tmp, max_hash_wait_ms="60000")
        proc, port, tls = central.proc, central.port, central.tls
        try:
            def admin(*argv, stdin=None):
                r = central.admin(*argv, input=stdin)
                if r.returncode != 0:
                    sys.exit("staffgate-admin %s: %s" % (" ".join(argv), r.stderr.strip()))
                return r.stdout.strip()

            token = admin("workstation", "add", "BENCH-1")
            admin("employee", "add", "B1", "--account", "bench")
            admin("employee", "set-password", "B1", stdin=PASSWORD + "\n")
            body = json.dumps({"account": "bench", "password": PASSWORD})
            headers = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}

            def verify(conn):
                conn.request("POST", "/v1/auth/verify", body=body, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                if resp.status != 200 or json.loads(data)["result"] != "ok":
                    raise RuntimeError("verify answered %d %r" % (resp.status, data))

            conn = http.client.HTTPSConnection("127.0.0.1", port, context=tls, timeout=60)
            single = []
            for _ in range(30):
                start = time.perf_counter()
                verify(conn)
                single.append((time.perf_counter() - start) * 1000)
            conn.close()
            single.sort()
            print("one verify at a time (TLS kept alive): p50 %.1f ms, p90 %.1f ms"
                  % (statistics.median(single), single[len(single) * 9 // 10]))

            counts = [0] * args.clients
            stop = time.monotonic() + args.seconds

            def client(i):
                c = http.client.HTTPSConnection("127.0.0.1", port, context=tls, timeout=60)
                while time.monotonic() < stop:
                    verify(c)
                    counts[i] += 1
                c.close()

            cpu0, wall0 = cpu_seconds(proc.pid), time.monotonic()
            threads = [threading.Thread(target=client, args=(i,)) for i in range(args.clients)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            wall = time.monotonic() - wall0
            cpu = cpu_seconds(proc.pid) - cpu0
            total = sum(counts)
            print("%d clients for %.1f s: %d verifies, %.1f verifies/s; central CPU %.2f cores"
                  % (args.clients, wall, total, total / wall, cpu / wall))
            print("load average after: %.2f %.2f %.2f" % os.getloadavg())
        finally:
            central.stop()


if __name__ == "__main__":
    main()
