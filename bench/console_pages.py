#!/usr/bin/env python3
"""HR console pages under load, and long-poll wake-ups with and without them.

Starts a real staffgate-central in a temp dir with --workstations (2,000)
workstations and --employees (10,000) employees, holds one long-poll per
workstation (its own token), and then, in the same run:

  1. baseline: one admin change, time until every held poll has the new
     serial (as bench/central_longpoll.py), no console traffic;
  2. the console: --console-clients keep-alive browsers (a separate process,
     so their Python does not slow the pollers' event loop) fetch the
     employees page and the rollout page of the current serial, signed in
     as an HR administrator, for --seconds, while the polls are held; p50 /
     p99 per page (target: p99 <= 100 ms);
  3. the same change and wake-up measurement while that console load runs.

  console_pages.py --central BIN --admin BIN [--workstations 2000]
                   [--employees 10000] [--console-clients 4] [--seconds 10]
"""
import argparse
import asyncio
import html.parser
import http.client
import json
import os
import re
import resource
import signal
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from central_longpoll import read_response, request_bytes, serve_central  # noqa: E402


class TokenFinder(html.parser.HTMLParser):
    """The console's per-session form token (a hidden input)."""

    def __init__(self):
        super().__init__()
        self.token = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and a.get("name") == "form_token":
            self.token = a.get("value")


class Console:
    """One signed-in console session over one keep-alive connection."""

    def __init__(self, port, ctx, cookie=None):
        self.port, self.ctx, self.cookie = port, ctx, cookie
        self.origin = "https://127.0.0.1:%d" % port
        self.conn = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=60)

    def request(self, method, path, form=None):
        headers = {"Origin": self.origin}
        body = None
        if self.cookie:
            headers["Cookie"] = "__Host-sg_session=" + self.cookie
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.conn.request(method, path, body=body, headers=headers)
        resp = self.conn.getresponse()
        data = resp.read()
        m = re.search(r"__Host-sg_session=([^;]*)", resp.getheader("Set-Cookie") or "")
        if m:
            self.cookie = m.group(1)
        return resp.status, data.decode(errors="replace")

    def form_token(self, path):
        finder = TokenFinder()
        finder.feed(self.request("GET", path)[1])
        return finder.token

    def sign_in(self, name, one_time, new_password):
        status, _ = self.request("POST", "/ui/sign-in", {"name": name, "password": one_time})
        assert status == 303, status
        token = self.form_token("/ui/")  # Shows the password page until it is changed.
        status, page = self.request("POST", "/ui/password", {
            "form_token": token, "current_password": one_time, "new_password": new_password,
            "new_password_again": new_password})
        assert status == 303, (status, page[:500])


def percentile(sorted_values, p):
    return sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * p))]


def console_load(args):
    """Child process: fetches the two pages until --seconds pass; prints JSON."""
    ctx = ssl.create_default_context(cafile=args.ca)
    pages = {"employees": "/ui/employees", "rollout": "/ui/rollout?serial=%d" % args.serial}
    times = {name: [] for name in pages}
    import threading

    def browse():
        c = Console(args.port, ctx, args.cookie)
        stop = time.monotonic() + args.seconds
        while time.monotonic() < stop:
            for name, path in pages.items():
                t0, wall = time.monotonic(), time.time()
                status, body = c.request("GET", path)
                times[name].append((wall, time.monotonic() - t0))
                assert status == 200, (status, body[:300])
    threads = [threading.Thread(target=browse) for _ in range(args.console_clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(json.dumps(times))


async def hold_and_wake(port, ctx, tokens, serial, admin_token, change_name, settle_s=0):
    """Holds one long-poll per token at `serial`, waits `settle_s` more,
    makes one admin change and returns (seconds from the change until each
    poll was answered, how many got the new serial, the change's wall time)."""
    sem = asyncio.Semaphore(64)

    async def connect(token):
        async with sem:
            r, w = await asyncio.open_connection("127.0.0.1", port, ssl=ctx)
        w.write(request_bytes("GET", "/v1/roster", token,
                              'If-None-Match: "%d"\r\nPrefer: wait=60\r\n' % serial))
        return r, w
    conns = await asyncio.gather(*[connect(t) for t in tokens])
    await asyncio.sleep(3)  # Every request read and held (central_longpoll polls /metrics).
    arrivals = []

    async def wait_one(r):
        # Timed at the answer's headers: the server's wake-up. The body (the
        # whole roster, ~1 MB for 10,000 employees) is read after, so the
        # Python client's TLS reading does not count.
        head = await r.readuntil(b"\r\n\r\n")
        arrivals.append((time.monotonic(), head))
        length = re.search(rb"(?i)content-length: *(\d+)", head)
        await r.readexactly(int(length.group(1)) if length else 0)
    waiters = [asyncio.create_task(wait_one(r)) for r, _ in conns]
    await asyncio.sleep(settle_s)
    r2, w2 = await asyncio.open_connection("127.0.0.1", port, ssl=ctx)
    body = json.dumps({"name": change_name}).encode()
    t0, change_wall = time.monotonic(), time.time()
    w2.write(("POST /v1/admin/shared-accounts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
              "Content-Length: %d\r\n\r\n" % (admin_token, len(body))).encode() + body)
    await read_response(r2)
    await asyncio.wait_for(asyncio.gather(*waiters), timeout=120)
    for _, w in conns:
        w.close()
    w2.close()
    etag = b'etag: "%d"' % (serial + 1)
    new = sum(1 for _, h in arrivals if h.startswith(b"HTTP/1.1 200") and etag in h.lower())
    return sorted(t - t0 for t, _ in arrivals), new, change_wall


def api(port, ctx, token, method, path, body=None):
    conn = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=120)
    conn.request(method, path, body=json.dumps(body) if body is not None else None,
                 headers={"Authorization": "Bearer " + token})
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    assert resp.status in (200, 201), (resp.status, data[:300])
    return json.loads(data) if data else {}


def populate(args, d, port, ctx, admin_token):
    """The workstations first (each add publishes a small roster), then the
    employees in one import. Returns the workstations' tokens."""
    conn = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=120)
    tokens = []
    for i in range(args.workstations):
        conn.request("POST", "/v1/admin/workstations",
                     body=json.dumps({"name": "WS-%05d" % i, "groups": ["sales", "service"]}),
                     headers={"Authorization": "Bearer " + admin_token})
        resp = conn.getresponse()
        tokens.append(json.loads(resp.read())["token"])
    conn.close()
    csv = os.path.join(d, "staff.csv")
    with open(csv, "w") as f:
        f.write("employee_id,name,accounts,status,groups\n")
        for i in range(args.employees):
            f.write("E%06d,Employee %d,emp%06d,active,%s\n"
                    % (i, i, i, "sales" if i % 2 else "service"))
    env = dict(os.environ, STAFFGATE_CENTRAL="https://127.0.0.1:%d" % port,
               STAFFGATE_CA=os.path.join(d, "ca.pem"),
               STAFFGATE_TOKEN_FILE=os.path.join(d, "admin.token"))
    subprocess.run([args.admin, "import", csv], check=True, env=env, capture_output=True)
    return tokens


def report_wake(label, lat, new, total):
    print("long-poll wake-up, %s: %d/%d polls got the new serial; p50 %.0f ms, p99 %.0f ms, "
          "last %.0f ms" % (label, new, total, percentile(lat, 0.5) * 1000,
                            percentile(lat, 0.99) * 1000, lat[-1] * 1000))


def run(args, tmp):
    # Every poller comes from 127.0.0.1 here; a real fleet has an address
    # per workstation, so lift the per-address cap (default 1,000).
    d, port, proc, ctx, admin_token = serve_central(
        args.central, tmp, {"max_connections_per_client": 100000})
    try:
        t0 = time.monotonic()
        tokens = populate(args, d, port, ctx, admin_token)
        print("populated: %d workstations, %d employees in %.1f s"
              % (len(tokens), args.employees, time.monotonic() - t0))
        one_time = api(port, ctx, admin_token, "POST", "/v1/admin/admins",
                       {"name": "bench", "role": "hr"})["password"]
        console = Console(port, ctx)
        console.sign_in("bench", one_time, "Quiet-Harbor-Lantern-7731")

        serial = api(port, ctx, admin_token, "GET", "/v1/admin/status")["serial"]
        lat, new, _ = asyncio.run(hold_and_wake(port, ctx, tokens, serial, admin_token,
                                                "bench-a"))
        report_wake("no console load", lat, new, len(tokens))

        serial += 1
        child = subprocess.Popen([sys.executable, __file__, "--console-load", "--port", str(port),
                                  "--ca", os.path.join(d, "ca.pem"), "--cookie", console.cookie,
                                  "--serial", str(serial), "--seconds", str(args.seconds),
                                  "--console-clients", str(args.console_clients)],
                                 stdout=subprocess.PIPE, text=True)
        # The change comes halfway through the console load: the pages are
        # timed while the polls are only held, then during the wake-up.
        lat, new, change_wall = asyncio.run(hold_and_wake(
            port, ctx, tokens, serial, admin_token, "bench-b", settle_s=args.seconds / 2))
        times = json.loads(child.communicate(timeout=args.seconds + 120)[0])
        report_wake("with console load", lat, new, len(tokens))
        for name, samples in times.items():
            for when, keep in (("polls held", lambda w: w < change_wall),
                               ("during the wake-up", lambda w: w >= change_wall)):
                values = sorted(d for w, d in samples if keep(w))
                if not values:
                    continue
                print("console %-9s page, %s: %d requests by %d clients, p50 %.1f ms, "
                      "p99 %.1f ms (target p99 <= 100 ms while %d polls are held)"
                      % (name, when, len(values), args.console_clients,
                         percentile(values, 0.5) * 1000, percentile(values, 0.99) * 1000,
                         len(tokens)))
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--central")
    ap.add_argument("--admin")
    ap.add_argument("--workstations", type=int, default=2000)
    ap.add_argument("--employees", type=int, default=10000)
    ap.add_argument("--console-clients", type=int, default=4)
    ap.add_argument("--seconds", type=float, default=10)
    # The console load's child process.
    ap.add_argument("--console-load", action="store_true")
    ap.add_argument("--port", type=int)
    ap.add_argument("--ca")
    ap.add_argument("--cookie")
    ap.add_argument("--serial", type=int)
    args = ap.parse_args()
    if args.console_load:
        console_load(args)
        return
    if not args.central or not args.admin:
        ap.error("--central and --admin are required")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, args.workstations * 2 + 256)),
                                                hard))
    print("load average at start: %.2f %.2f %.2f" % os.getloadavg())
    with tempfile.TemporaryDirectory(prefix="sg-bench-console-") as tmp:
        run(args, tmp)
    print("load average at end: %.2f %.2f %.2f" % os.getloadavg())


if __name__ == "__main__":
    main()
