#!/usr/bin/env python3
"""Central long-poll benchmark.

Starts a real staffgate-central in a temp dir, opens N TLS connections that
long-poll GET /v1/roster (If-None-Match: current serial, Prefer: wait=60),
makes one admin change and measures how long until every client holds the
new serial. Also reports the server's RSS with N polls held and per held
connection (the growth from before the N connections, divided by N), and
the 304 revalidation throughput of C keep-alive clients. Targets: all
clients within 1 s for 2,000 and within 2 s for 10,000; at most 25 KB of
server memory per held connection.

  central_longpoll.py --central BIN [--clients 2000] [--rps-clients 8] [--rps-seconds 5]
"""
import argparse
import asyncio
import json
import os
import re
import resource
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_central(central, tmp, settings=None):
    """Initialises a central in `tmp` on a free loopback port, sets the
    central.conf keys in `settings`, serves it and waits for /healthz.
    Returns (dir, port, process, TLS context, admin token); the caller
    stops the process."""
    d = os.path.join(tmp, "c")
    port = free_port()
    subprocess.run([central, "init", "--dir", d, "--listen", "127.0.0.1:%d" % port],
                   check=True, capture_output=True)
    conf = os.path.join(d, "central.conf")
    with open(conf) as f:
        text = f.read()
    for key, value in (settings or {}).items():
        text = re.sub(r"(?m)^%s = .*$" % key, "%s = %s" % (key, value), text)
    with open(conf, "w") as f:
        f.write(text)
    log = open(os.path.join(tmp, "serve.log"), "wb")
    proc = subprocess.Popen([central, "serve", "--config", conf], stdout=log, stderr=log)
    ctx = ssl.create_default_context(cafile=os.path.join(d, "ca.pem"))
    with open(os.path.join(d, "admin.token")) as f:
        admin_token = f.read().strip()
    for _ in range(200):
        try:
            urllib.request.urlopen("https://127.0.0.1:%d/healthz" % port, context=ctx).read()
            break
        except OSError:
            time.sleep(0.05)
    return d, port, proc, ctx, admin_token


async def read_response(reader):
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            headers[k.strip().lower()] = v.strip()
    length = int(headers.get("content-length", "0"))
    body = await reader.readexactly(length) if length else b""
    return status, headers, body


def request_bytes(method, path, token, extra=""):
    return ("%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\n%s"
            "Content-Length: 0\r\n\r\n" % (method, path, token, extra)).encode()


# How long a poll is held (the central's max_wait_s). Connecting 10,000
# takes longer than that from one Python process here, so a client whose
# poll ends unchanged (304) polls again, as an agent does.
HOLD_S = 60


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


async def main_async(args, port, ctx, token, admin_token, pid):
    serial = None
    reader, writer = await asyncio.open_connection("127.0.0.1", port, ssl=ctx)
    writer.write(request_bytes("GET", "/v1/roster", token))
    status, headers, _ = await read_response(reader)
    serial = int(headers["etag"].strip('"'))
    writer.close()

    # 1. N long-polls.
    conns = []
    sem = asyncio.Semaphore(64)  # Bound concurrent handshakes.

    poll = request_bytes("GET", "/v1/roster", token, 'If-None-Match: "%d"\r\nPrefer: wait=%d\r\n' % (serial, HOLD_S))
    rss_before = rss_kib(pid)

    async def connect():
        async with sem:
            r, w = await asyncio.open_connection("127.0.0.1", port, ssl=ctx)
        # The request goes out at once: the server drops a connection that
        # sends nothing within header_timeout_s.
        w.write(poll)
        return r, w
    t_connect = time.monotonic()
    conns = await asyncio.gather(*[connect() for _ in range(args.clients)])
    connect_s = time.monotonic() - t_connect
    arrivals = []

    async def wait_one(r, w):
        while True:
            st, hd, _ = await read_response(r)
            if st != 304:
                break
            w.write(poll)
        arrivals.append((time.monotonic(), st, hd.get("etag")))
    waiters = [asyncio.create_task(wait_one(r, w)) for r, w in conns]
    # Until the server reports every poll held.
    for _ in range(600):
        with urllib.request.urlopen("https://127.0.0.1:%d/metrics" % port, context=ctx) as resp:
            metrics = resp.read().decode()
        held = [l for l in metrics.splitlines() if l.startswith("staffgate_central_long_polls_waiting ")]
        if held and int(held[0].split()[1]) >= args.clients:
            break
        await asyncio.sleep(0.1)
    rss_held = rss_kib(pid)
    # The change, through the admin API.
    r2, w2 = await asyncio.open_connection("127.0.0.1", port, ssl=ctx)
    body = json.dumps({"name": "bench-shared"}).encode()
    t0 = time.monotonic()
    w2.write(("POST /v1/admin/shared-accounts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
              "Content-Length: %d\r\n\r\n" % (admin_token, len(body))).encode() + body)
    st, _, _ = await read_response(r2)
    t_ack = time.monotonic()
    await asyncio.wait_for(asyncio.gather(*waiters), timeout=90)
    lat = sorted(t - t0 for t, _, _ in arrivals)
    ok = sum(1 for _, s, e in arrivals if s == 200 and e == '"%d"' % (serial + 1))
    for _, w in conns:
        w.close()
    w2.close()
    per_conn = (rss_held - rss_before) * 1024 / args.clients
    print("long-poll: %d clients connected in %.2f s; server RSS %.1f MiB before, %.1f MiB with "
          "all held: %.1f KB per held connection (target: at most 25 KB)"
          % (args.clients, connect_s, rss_before / 1024, rss_held / 1024, per_conn / 1000))
    print("long-poll: admin change acknowledged in %.1f ms; %d/%d clients got serial %d"
          % ((t_ack - t0) * 1000, ok, args.clients, serial + 1))
    target_ms = 1000 if args.clients <= 2000 else 2000
    print("long-poll: time from change to client: p50 %.1f ms, p99 %.1f ms, all %.1f ms "
          "(target: all within %d ms)"
          % (lat[len(lat) // 2] * 1000, lat[int(len(lat) * 0.99) - 1] * 1000, lat[-1] * 1000,
             target_ms))
    print("load average: %s" % " ".join("%.2f" % x for x in os.getloadavg()))

    # 2. 304 revalidation throughput with keep-alive.
    serial += 1
    reval = request_bytes("GET", "/v1/roster", token, 'If-None-Match: "%d"\r\n' % serial)
    count = 0
    stop_at = time.monotonic() + args.rps_seconds

    async def revalidate():
        nonlocal count
        r, w = await asyncio.open_connection("127.0.0.1", port, ssl=ctx)
        while time.monotonic() < stop_at:
            w.write(reval)
            st, _, _ = await read_response(r)
            assert st == 304, st
            count += 1
        w.close()
    t1 = time.monotonic()
    await asyncio.gather(*[revalidate() for _ in range(args.rps_clients)])
    elapsed = time.monotonic() - t1
    print("304 revalidation: %d requests in %.2f s with %d keep-alive clients: %.0f requests/s "
          "(client is Python asyncio on the same 2 cores)" % (count, elapsed, args.rps_clients, count / elapsed))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--central", required=True)
    ap.add_argument("--clients", type=int, default=2000)
    ap.add_argument("--rps-clients", type=int, default=8)
    ap.add_argument("--rps-seconds", type=float, default=5)
    args = ap.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    # This process and the central (which inherits the limit) each hold
    # one descriptor per client.
    want = min(hard, max(soft, args.clients + 1024))
    resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    if want < args.clients + 256:
        sys.exit("fd limit %d too low for %d clients" % (want, args.clients))
    with tempfile.TemporaryDirectory(prefix="sg-bench-central-") as tmp:
        # All clients share 127.0.0.1: lift the per-address cap.
        _, port, proc, ctx, admin_token = serve_central(
            args.central, tmp, {"max_connections": max(20000, args.clients + 1000),
                                "max_connections_per_client": args.clients + 64})
        try:
            req = urllib.request.Request("https://127.0.0.1:%d/v1/admin/workstations" % port,
                                         data=b'{"name":"BENCH"}', method="POST",
                                         headers={"Authorization": "Bearer " + admin_token})
            token = json.loads(urllib.request.urlopen(req, context=ctx).read())["token"]
            asyncio.run(main_async(args, port, ctx, token, admin_token, proc.pid))
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=30)


if __name__ == "__main__":
    main()
