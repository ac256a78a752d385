#!/usr/bin/env python3
"""Session-open cost of a central lease.

A real staffgate-central on 127.0.0.1 and two real staffgated agents with the
same signed roster: one enrolled with the central (session_open acquires a
lease, POST /v1/sessions over kept-alive TLS), one without a central (no
lease). Every account is opened once on each agent, interleaved so both see
the same machine noise; each open is followed by its close (which releases
the lease in the background). Reports p50/p99 of session_open round trips
over the agent socket and the lease's added cost against the target
(added p99 <= 5 ms).

  session_lease.py --central BIN --admin BIN --staffgated BIN --staffgatectl BIN [--accounts 400]
"""
import argparse
import json
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

TARGET_ADDED_P99_MS = 5.0


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_socket(path, proc, what):
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if os.path.exists(path):
            return
        if proc.poll() is not None:
            sys.exit("%s exited early" % what)
        time.sleep(0.02)
    sys.exit("%s did not come up" % what)


class Conn:
    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.connect(path)
        self.f = self.sock.makefile("rb")

    def ask(self, request):
        self.sock.sendall((json.dumps(dict(request, v=1)) + "\n").encode())
        return json.loads(self.f.readline())


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100.0 * (len(values) - 1))))]


def main():
    ap = argparse.ArgumentParser()
    for name in ("central", "admin", "staffgated", "staffgatectl"):
        ap.add_argument("--" + name, required=True)
    ap.add_argument("--accounts", type=int, default=400)
    args = ap.parse_args()

    tmp = tempfile.mkdtemp(prefix="sg-bench-lease-")
    os.chmod(tmp, 0o755)
    procs = []
    try:
        port = free_port()
        cdir = os.path.join(tmp, "central")
        subprocess.run([args.central, "init", "--dir", cdir, "--listen", "127.0.0.1:%d" % port,
                        "--org", "Bench Motors"], check=True, capture_output=True)
        clog = open(os.path.join(tmp, "central.log"), "wb")
        procs.append(subprocess.Popen([args.central, "serve", "--config",
                                       os.path.join(cdir, "central.conf")],
                                      stdout=clog, stderr=clog))
        env = dict(os.environ, STAFFGATE_CENTRAL="https://127.0.0.1:%d" % port,
                   STAFFGATE_CA=os.path.join(cdir, "ca.pem"),
                   STAFFGATE_TOKEN_FILE=os.path.join(cdir, "admin.token"))
        deadline = time.monotonic() + 20
        while subprocess.run([args.admin, "employee", "list"], env=env,
                             capture_output=True).returncode != 0:
            if time.monotonic() > deadline:
                sys.exit("central did not come up")
            time.sleep(0.1)
        accounts = ["u%04d" % i for i in range(args.accounts)]
        csv = os.path.join(tmp, "staff.csv")
        with open(csv, "w") as f:
            f.write("employee_id,name,accounts,status,groups\n")
            for i, a in enumerate(accounts):
                f.write("E%d,Person %d,%s,active,*\n" % (i, i, a))
        subprocess.run([args.admin, "import", csv], env=env, check=True, capture_output=True)
        token = subprocess.run([args.admin, "workstation", "add", "BENCH-1"], env=env, check=True,
                               capture_output=True, text=True).stdout.strip()
        token_file = os.path.join(tmp, "ws.token")
        with open(token_file, "w") as f:
            f.write(token + "\n")
        os.chmod(token_file, 0o600)

        uid = os.getuid()
        passwd = os.path.join(tmp, "passwd")
        with open(passwd, "w") as f:
            f.write("root:x:0:0:root:/root:/bin/sh\n")
            for i, a in enumerate(accounts):
                u = 3000 + i if uid == 0 else uid
                f.write("%s:x:%d:%d::/nonexistent:/bin/sh\n" % (a, u, u))
        group = os.path.join(tmp, "group")
        with open(group, "w") as f:
            f.write("root:x:0:\n")
        nss = dict(os.environ, LD_PRELOAD="libnss_wrapper.so", NSS_WRAPPER_PASSWD=passwd,
                   NSS_WRAPPER_GROUP=group)
        min_uid = 1000 if uid == 0 else min(uid, 1000)

        def agent(name, extra=""):
            d = os.path.join(tmp, name)
            os.makedirs(d, exist_ok=True)
            conf = os.path.join(d, "agent.conf")
            with open(conf, "w") as f:
                f.write('workstation = "BENCH-1"\nsocket = "%s/agent.sock"\nstate_dir = "%s/state"\n'
                        'audit_log = "%s/audit.jsonl"\nmin_uid = %d\non_revoke = "none"\n%s'
                        % (d, d, d, min_uid, extra))
            log = open(os.path.join(d, "agent.log"), "wb")
            p = subprocess.Popen([args.staffgated, "--config", conf], env=nss, stdout=log,
                                 stderr=log)
            procs.append(p)
            wait_socket(os.path.join(d, "agent.sock"), p, name)
            return d, conf

        leased_dir, leased_conf = agent("leased")
        subprocess.run([args.staffgatectl, "--config", leased_conf, "enroll", "--central",
                        "https://127.0.0.1:%d" % port, "--token-file", token_file, "--ca",
                        os.path.join(cdir, "ca.pem")], check=True, capture_output=True)
        # The same roster and key, no central: no lease.
        plain_state = os.path.join(tmp, "plain", "state")
        os.makedirs(plain_state)
        shutil.copy(os.path.join(leased_dir, "state", "roster.dsse"), plain_state)
        plain_dir, _ = agent("plain", 'trusted_keys = ["%s/roster-signing.pub"]\n' % leased_dir)

        conns = {"with lease": Conn(os.path.join(leased_dir, "agent.sock")),
                 "without lease": Conn(os.path.join(plain_dir, "agent.sock"))}
        times = {k: [] for k in conns}
        pid = os.getpid()
        for a in accounts:
            for name, c in conns.items():
                sid = secrets.token_hex(16)
                t0 = time.perf_counter()
                answer = c.ask({"op": "session_open", "account": a, "session": sid,
                                "service": "bench", "tty": "pts/1", "pid": pid})
                times[name].append((time.perf_counter() - t0) * 1000)
                if answer.get("decision") != "allow":
                    sys.exit("%s: %s refused: %s" % (name, a, answer))
                c.ask({"op": "session_close", "session": sid})
        leases = json.loads(subprocess.run([args.admin, "sessions", "--json"], env=env,
                                           capture_output=True, text=True).stdout or "[]")

        print("session_open over the agent socket, %d accounts each, interleaved" % len(accounts))
        print("%-15s %9s %9s %9s" % ("", "p50 ms", "p99 ms", "max ms"))
        for name, t in times.items():
            print("%-15s %9.2f %9.2f %9.2f" % (name, statistics.median(t), pct(t, 99), max(t)))
        added50 = statistics.median(times["with lease"]) - statistics.median(times["without lease"])
        added99 = pct(times["with lease"], 99) - pct(times["without lease"], 99)
        print("%-15s %9.2f %9.2f   target: added p99 <= %.0f ms -> %s"
              % ("added by lease", added50, added99, TARGET_ADDED_P99_MS,
                 "met" if added99 <= TARGET_ADDED_P99_MS else "NOT met"))
        print("leases still held at the central after every close: %d" % len(leases))
        return 0
    finally:
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    p.kill()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
