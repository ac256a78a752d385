#!/usr/bin/env python3
"""Central disk growth under an event flood (docs/design.md §13).

Starts a real staffgate-central in a temp dir (default central.conf: quota
events_per_workstation_per_hour, events_max_bytes), registers one
workstation and posts N identical `check` decisions (distinct ids, as an
agent without coalescing would forward them) in batches of 500, the agent's
batch size, as fast as the central answers. A 429 means the batch stays in
the agent's outbox: the bench counts it and moves on, as the outbox would
keep it. Reports what the central stored and how much its files grew.

  central_event_growth.py --central BIN [--checks 1000000] [--quota N]
"""
import argparse
import http.client
import json
import os
import re
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def dir_bytes(path):
    return sum(os.path.getsize(os.path.join(path, f)) for f in os.listdir(path)
               if os.path.isfile(os.path.join(path, f)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--central", required=True)
    ap.add_argument("--checks", type=int, default=1_000_000)
    ap.add_argument("--batch", type=int, default=500)
    ap.add_argument("--quota", type=int, default=None, help="events_per_workstation_per_hour to set")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="sg-bench-growth-") as tmp:
        d = os.path.join(tmp, "central")
        port = free_port()
        subprocess.run([args.central, "init", "--dir", d, "--listen", "127.0.0.1:%d" % port],
                       check=True, capture_output=True)
        if args.quota is not None:
            conf = os.path.join(d, "central.conf")
            text = open(conf).read()
            text = re.sub(r"(?m)^events_per_workstation_per_hour = .*$",
                          "events_per_workstation_per_hour = %d" % args.quota, text)
            open(conf, "w").write(text)
        log = open(os.path.join(tmp, "serve.log"), "wb")
        proc = subprocess.Popen([args.central, "serve", "--config", os.path.join(d, "central.conf")],
                                stdout=log, stderr=log)
        tls = ssl.create_default_context(cafile=os.path.join(d, "ca.pem"))
        admin_token = open(os.path.join(d, "admin.token")).read().strip()
        try:
            for _ in range(200):
                try:
                    c = http.client.HTTPSConnection("127.0.0.1", port, context=tls, timeout=30)
                    c.request("GET", "/healthz")
                    if c.getresponse().status == 200:
                        break
                except OSError:
                    time.sleep(0.05)
            conn = http.client.HTTPSConnection("127.0.0.1", port, context=tls, timeout=60)

            def call(method, path, body, token):
                conn.request(method, path, body=body,
                             headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
                r = conn.getresponse()
                return r.status, r.read()

            status, body = call("POST", "/v1/admin/workstations", json.dumps({"name": "WS-FLOOD"}), admin_token)
            token = json.loads(body)["token"]
            time.sleep(2.5)  # Let the first housekeeping flush settle.
            before = dir_bytes(d)
            stored = refused = 0
            stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
            t0 = time.monotonic()
            sent = 0
            while sent < args.checks:
                n = min(args.batch, args.checks - sent)
                events = [{"id": "chk-%d" % (sent + i), "time": stamp, "type": "decision", "phase": "account",
                           "account": "mallory", "service": "check", "decision": "allow",
                           "reason": "allowed", "serial": 42} for i in range(n)]
                status, _ = call("POST", "/v1/events", json.dumps(events), token)
                if status == 202:
                    stored += n
                elif status == 429:
                    refused += n
                else:
                    raise SystemExit("unexpected HTTP %d" % status)
                sent += n
            elapsed = time.monotonic() - t0
            time.sleep(2.5)
            after = dir_bytes(d)
            print("checks posted: %d in %.1f s (%d batches of %d)" % (args.checks, elapsed,
                                                                    (args.checks + args.batch - 1) // args.batch,
                                                                    args.batch))
            print("stored by the central: %d events; answered 429 (kept in the outbox): %d" % (stored, refused))
            print("central directory growth: %d bytes (%.2f MB)" % (after - before, (after - before) / 1e6))
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
