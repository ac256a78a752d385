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
import re
import signal
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time

PASSWORD = "Copper-Meadow-58-Falcon-Drum"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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
        d = os.path.join(tmp, "central")
        port = free_port()
        subprocess.run([args.central, "init", "--dir", d, "--listen", "127.0.0.1:%d" % port],
                       check=True, capture_output=True)
        conf = os.path.join(d, "central.conf")
        with open(conf) as f:
            text = f.read()
        with open(conf, "w") as f:  # Every client waits its turn: no 503 in a throughput run.
            f.write(re.sub(r"(?m)^max_hash_wait_ms = .*$", "max_hash_wait_ms = 60000", text))
        log = open(os.path.join(tmp, "serve.log"), "wb")
        proc = subprocess.Popen([args.central, "serve", "--config", os.path.join(d, "central.conf")],
                                stdout=log, stderr=log)
        try:
            tls = ssl.create_default_context(cafile=os.path.join(d, "ca.pem"))
            env = dict(os.environ, STAFFGATE_CENTRAL="https://127.0.0.1:%d" % port,
                       STAFFGATE_CA=os.path.join(d, "ca.pem"), STAFFGATE_TOKEN_FILE=os.path.join(d, "admin.token"))
            deadline = time.monotonic() + 30
            while True:
                try:
                    c = http.client.HTTPSConnection("127.0.0.1", port, context=tls, timeout=5)
                    c.request("GET", "/healthz")
                    if c.getresponse().status == 200:
                        break
                except OSError:
                    pass
                if time.monotonic() > deadline or proc.poll() is not None:
                    sys.exit("the central did not come up")
                time.sleep(0.05)

            def admin(*argv, stdin=None):
                r = subprocess.run([args.admin] + list(argv), env=env, capture_output=True, text=True,
                                   input=stdin)
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
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=30)


if __name__ == "__main__":
    main()
