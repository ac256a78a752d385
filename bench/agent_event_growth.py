#!/usr/bin/env python3
"""Central disk growth for N identical checks through a real agent
(docs/design.md §13, §7: identical decisions are counted, not repeated).

Starts a real staffgate-central (default central.conf) and a real staffgated
that follows it (trusting its signing key, with its token, outbox and audit
log in a temp dir), then sends N identical `check` requests for one account
over the agent's socket, pipelined on a few connections, as fast as the
agent answers. Waits until the coalescing window has closed and the outbox
has drained, then reports what the central stored, how much its directory
grew, and the agent's local audit log and outbox.

Run as root (a `check` for another account needs uid 0 or the account's
own uid):
  agent_event_growth.py --central BIN --staffgated BIN [--checks 1000000]
"""
import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "lib"))
import sgtest  # noqa: E402
import central_event_growth as growth  # noqa: E402


def flood(sock_path, count, line):
    """Sends `count` copies of `line` on one connection, 500 in flight."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(sock_path)
    sent = answered = 0
    buf = b""
    while answered < count:
        n = min(500, count - sent)
        if n > 0 and sent - answered < 1000:
            s.sendall(line * n)
            sent += n
        data = s.recv(1 << 20)
        if not data:
            raise SystemExit("agent closed the connection")
        buf += data
        answered += buf.count(b"\n")
        buf = buf[buf.rfind(b"\n") + 1:]
    s.close()


def status(sock_path):
    return sgtest.ask(sock_path, {"v": 1, "op": "status"}, 10.0)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--central", required=True)
    ap.add_argument("--staffgated", required=True)
    ap.add_argument("--checks", type=int, default=1_000_000)
    ap.add_argument("--connections", type=int, default=4)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="sg-bench-agent-growth-") as tmp:
        d = os.path.join(tmp, "central")
        port = growth.free_port()
        subprocess.run([args.central, "init", "--dir", d, "--listen", "127.0.0.1:%d" % port],
                       check=True, capture_output=True)
        log = open(os.path.join(tmp, "serve.log"), "wb")
        proc = subprocess.Popen([args.central, "serve", "--config", os.path.join(d, "central.conf")],
                                stdout=log, stderr=log)
        agent = None
        try:
            admin = os.path.join(d, "admin.token")
            env = dict(os.environ, STAFFGATE_CENTRAL="https://127.0.0.1:%d" % port,
                       STAFFGATE_CA=os.path.join(d, "ca.pem"), STAFFGATE_TOKEN_FILE=admin)
            admin_bin = os.path.join(os.path.dirname(args.central), "staffgate-admin")
            for _ in range(200):
                r = subprocess.run([admin_bin, "workstation", "add", "WS-FLOOD"], env=env,
                                   capture_output=True, text=True)
                if r.returncode == 0:
                    break
                time.sleep(0.05)
            token_file = os.path.join(tmp, "ws.token")
            sgtest.write_secret(token_file, r.stdout.strip())
            state = os.path.join(tmp, "state")
            os.mkdir(state, 0o700)
            sock = os.path.join(tmp, "agent.sock")
            conf = os.path.join(tmp, "agent.conf")
            sgtest.write_config(conf, workstation="WS-FLOOD",
                                trusted_keys=[os.path.join(d, "roster-signing.pub")],
                                central_url="https://127.0.0.1:%d" % port,
                                ca_file=os.path.join(d, "ca.pem"), token_file=token_file,
                                socket=sock, state_dir=state,
                                audit_log=os.path.join(tmp, "audit.jsonl"), on_revoke="none")
            agent = sgtest.Agent(args.staffgated, conf, sock)
            agent.start()
            while status(sock).get("roster") is None:
                time.sleep(0.1)
            time.sleep(3)  # Let agent_start and the first sync settle.
            before = growth.dir_bytes(d)
            line = (json.dumps({"v": 1, "op": "check", "account": "mallory",
                                "service": "check"}) + "\n").encode()
            per = args.checks // args.connections
            t0 = time.monotonic()
            threads = [threading.Thread(target=flood, args=(sock, per, line))
                       for _ in range(args.connections)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            elapsed = time.monotonic() - t0
            time.sleep(63)  # The last 60 s window closes and its summary is queued.
            deadline = time.monotonic() + 120
            while status(sock).get("outbox_depth", 0) and time.monotonic() < deadline:
                time.sleep(0.5)
            time.sleep(2.5)  # The central's housekeeping flush.
            after = growth.dir_bytes(d)
            st = status(sock)
            audit_lines = sum(1 for _ in open(os.path.join(tmp, "audit.jsonl")))
            print("checks answered: %d in %.1f s (%.0f/s, %d connections)" %
                  (per * args.connections, elapsed, per * args.connections / elapsed,
                   args.connections))
            print("agent audit log: %d lines; outbox left: %s; audit_lost: %s" %
                  (audit_lines, st.get("outbox_depth"), st.get("audit_lost")))
            print("central directory growth: %d bytes (%.3f MB)" % (after - before,
                                                                    (after - before) / 1e6))
        finally:
            if agent:
                agent.stop()
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
