#!/usr/bin/env python3
"""Propagation benchmark (agent sync): from an admin terminate at the central
until every workstation's agent refuses the account.

A real staffgate-central on 127.0.0.1 and N real staffgated agents (each
with its own config, token, socket and state dir, following the central by
long-poll). Each trial alternately terminates and reinstates one employee
and measures, from just before the change is issued, until every agent's
`check` (the socket op pam_staffgate.so uses) answers the new decision.

Two ways of issuing the change:
  cli  `staffgate-admin employee terminate|reinstate E1` as a new process,
       as HR would; its own duration (process start, TLS, the synced write)
       is reported separately;
  api  POST /v1/admin/employees/E1/terminate|reinstate over an already open
       TLS connection: the propagation without the CLI's process start.

  propagation.py --build DIR [--agents 1,50] [--trials 20] [--modes cli,api]
  propagation.py --central BIN --admin BIN --staffgated BIN [...]

With --engines sqlite,postgresql the same trials run twice: one central
on SQLite, then two centrals on one PostgreSQL 15 database (the second made
by `init --join`; a server started in a temp dir as the tests do, fsync on),
with the agents split between them and every change issued at the first:
an agent of the second central hears of it through NOTIFY.

Prints p50 and max per agent count next to the target (p50 <= 1 s,
max <= 2 s). Exit 0 when every trial converged, 1 otherwise.
"""
import argparse
import http.client
import json
import os
import pwd
import re
import shutil
import signal
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "lib"))
from benchcentral import engine_database  # noqa: E402

TARGET_P50_S, TARGET_MAX_S = 1.0, 2.0
TRIAL_TIMEOUT_S = 30.0


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class AgentConn:
    """A persistent connection to one agent's socket (several requests per
    connection; reopened when the agent closes an idle one)."""

    def __init__(self, path):
        self.path, self.sock, self.buf = path, None, b""

    def check(self, account):
        req = (json.dumps({"v": 1, "op": "check", "phase": "account", "account": account,
                           "service": "bench-propagation"}) + "\n").encode()
        for attempt in (0, 1):
            try:
                if self.sock is None:
                    self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                    self.sock.settimeout(5)
                    self.sock.connect(self.path)
                    self.buf = b""
                self.sock.sendall(req)
                while b"\n" not in self.buf:
                    chunk = self.sock.recv(65536)
                    if not chunk:
                        raise ConnectionError("closed")
                    self.buf += chunk
                line, self.buf = self.buf.split(b"\n", 1)
                return json.loads(line)
            except (OSError, ConnectionError):
                self.close()
                if attempt:
                    raise
        return None

    def close(self):
        if self.sock:
            self.sock.close()
        self.sock = None


class Bench:
    def __init__(self, args, database="sqlite"):
        self.args = args
        self.database = database  # "sqlite", or a PostgreSQL URI: two centrals on it.
        self.dir = tempfile.mkdtemp(prefix="sg-propagation-")
        os.chmod(self.dir, 0o755)
        self.port = free_port()
        self.cdir = os.path.join(self.dir, "central")
        self.url = "https://127.0.0.1:%d" % self.port
        self.ca = os.path.join(self.cdir, "ca.pem")
        self.central = None
        self.others = []  # (Popen, log) of the centrals after the first.
        self.urls = [self.url]
        self.agents = []  # (name, Popen, AgentConn)
        self.root = os.getuid() == 0
        # As root any account may be asked about; an account with no local
        # user is never exempt. Otherwise the agent answers its caller only
        # about the caller's own account.
        self.account = "benchuser" if self.root else pwd.getpwuid(os.getuid()).pw_name
        self.admin_env = dict(os.environ, STAFFGATE_CENTRAL=self.url, STAFFGATE_CA=self.ca,
                              STAFFGATE_TOKEN_FILE=os.path.join(self.cdir, "admin.token"))

    # -- setup ----------------------------------------------------------------------
    def admin(self, *argv):
        r = subprocess.run([self.args.admin] + list(argv), env=self.admin_env,
                           capture_output=True, text=True, timeout=60)
        if r.returncode != 0:
            raise SystemExit("staffgate-admin %s: %s" % (" ".join(argv), r.stderr.strip()))
        return r.stdout

    def serve(self, cdir, port, name):
        log = open(os.path.join(self.dir, name + ".log"), "wb")
        proc = subprocess.Popen([self.args.central, "serve", "--config",
                                 os.path.join(cdir, "central.conf")], stdout=log, stderr=log)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                c = http.client.HTTPSConnection("127.0.0.1", port, context=self.tls, timeout=5)
                c.request("GET", "/healthz")
                if c.getresponse().status == 200:
                    c.close()
                    return proc, log
            except OSError:
                pass
            if proc.poll() is not None:
                raise SystemExit("staffgate-central exited: see " + log.name)
            time.sleep(0.05)
        raise SystemExit("staffgate-central did not come up: see " + log.name)

    def start_central(self):
        r = subprocess.run([self.args.central, "init", "--dir", self.cdir, "--listen",
                            "127.0.0.1:%d" % self.port, "--org", "Bench Motors",
                            "--database", self.database], capture_output=True, text=True)
        if r.returncode != 0:
            raise SystemExit("staffgate-central init: " + r.stderr)
        with open(os.path.join(self.cdir, "admin.token")) as f:
            self.admin_token = f.read().strip()
        self.tls = ssl.create_default_context(cafile=self.ca)
        self.central, self.central_log = self.serve(self.cdir, self.port, "central")
        if self.database != "sqlite":
            port = free_port()
            bdir = os.path.join(self.dir, "central-b")
            r = subprocess.run([self.args.central, "init", "--dir", bdir, "--join", self.cdir,
                                "--listen", "127.0.0.1:%d" % port], capture_output=True, text=True)
            if r.returncode != 0:
                raise SystemExit("staffgate-central init --join: " + r.stderr)
            self.others.append(self.serve(bdir, port, "central-b"))
            self.urls.append("https://127.0.0.1:%d" % port)
        csv = os.path.join(self.dir, "hr.csv")
        with open(csv, "w") as f:
            f.write("employee_id,name,accounts,status,groups\n")
            f.write("E1,Bench Person,%s,active,*\n" % self.account)
            f.write("E2,Other Person,otherperson,active,*\n")
        self.admin("import", csv)

    def start_agents(self, count):
        """Registers and starts agents until `count` run; waits until each
        answers from the central's current roster."""
        started = []
        while len(self.agents) < count:
            name = "WS-%03d" % (len(self.agents) + 1)
            d = os.path.join(self.dir, name)
            os.makedirs(os.path.join(d, "state"))
            token = self.admin("workstation", "add", name).strip()
            with open(os.path.join(d, "token"), "w") as f:
                f.write(token + "\n")
            os.chmod(os.path.join(d, "token"), 0o600)
            sock = os.path.join(d, "agent.sock")
            conf = os.path.join(d, "agent.conf")
            with open(conf, "w") as f:
                # What `staffgatectl enroll` writes, written directly.
                f.write('workstation = "%s"\ncentral_url = "%s"\nca_file = "%s"\ntoken_file = "%s"\n'
                        'trusted_keys = ["%s"]\nsocket = "%s"\nstate_dir = "%s"\naudit_log = "%s"\n'
                        'min_uid = %d\nunknown_accounts = "deny"\non_revoke = "none"\n'
                        % (name, self.urls[len(self.agents) % len(self.urls)], self.ca,
                           os.path.join(d, "token"),
                           os.path.join(self.cdir, "roster-signing.pub"), sock,
                           os.path.join(d, "state"), os.path.join(d, "audit.jsonl"),
                           1000 if self.root else min(os.getuid(), 1000)))
            log = open(os.path.join(d, "agent.log"), "wb")
            p = subprocess.Popen([self.args.staffgated, "--config", conf], stdout=log, stderr=log)
            self.agents.append((name, p, AgentConn(sock)))
            started.append(self.agents[-1])
        deadline = time.monotonic() + 60
        for name, p, conn in started:
            while True:
                if p.poll() is not None:
                    raise SystemExit("%s exited: see %s" % (name, os.path.join(self.dir, name)))
                try:
                    if conn.check(self.account).get("reason") in ("allowed", "terminated"):
                        break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    raise SystemExit("%s did not get a roster within 60 s" % name)
                time.sleep(0.05)

    def stop(self):
        for _, p, conn in self.agents:
            conn.close()
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for _, p, _ in self.agents:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        for proc in [self.central] + [p for p, _ in self.others]:
            if proc and proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        if not self.args.keep:
            shutil.rmtree(self.dir, ignore_errors=True)

    # -- measuring --------------------------------------------------------------------
    def wait_all(self, t0, want, poll_interval_s):
        """Polls every agent until each answers `want`; returns the time from
        t0 at which each first did."""
        pending = {name: conn for name, _, conn in self.agents}
        seen = {}
        while pending:
            for name in list(pending):
                reason = pending[name].check(self.account).get("reason")
                if reason == want:
                    seen[name] = time.monotonic() - t0
                    del pending[name]
            if not pending:
                break
            if time.monotonic() - t0 > TRIAL_TIMEOUT_S:
                raise TimeoutError("%d agents still not '%s' after %.0f s: %s"
                                   % (len(pending), want, TRIAL_TIMEOUT_S, sorted(pending)[:5]))
            time.sleep(poll_interval_s)
        return seen

    def trial_cli(self, action, want):
        wall0, t0 = time.time(), time.monotonic()
        proc = subprocess.Popen([self.args.admin, "employee", action, "E1"], env=self.admin_env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        # Agents are polled while the CLI runs (one may hold the new roster
        # before the CLI has exited); a thread notes when the CLI exits.
        done = {}

        def wait_cli():
            done["out"], done["err"] = proc.communicate(timeout=60)
            done["t"] = time.monotonic() - t0
        waiter = threading.Thread(target=wait_cli)
        waiter.start()
        seen = self.wait_all(t0, want, self.args.poll_ms / 1000)
        waiter.join()
        if proc.returncode != 0:
            raise SystemExit("staffgate-admin employee %s: %s" % (action, done["err"].decode().strip()))
        serial = int(re.search(r"serial (\d+)", done["out"].decode()).group(1))
        return max(seen.values()), done["t"], self.installed_at(serial, wall0)

    def installed_at(self, serial, wall0):
        """When the last agent installed `serial`, from the agents' own audit
        logs (millisecond wall-clock stamps): the propagation without the
        benchmark's polling sweep in it."""
        latest = 0.0
        for name, _, _ in self.agents:
            found = None
            for _ in range(100):  # The audit line may trail the decision by a moment.
                with open(os.path.join(self.dir, name, "audit.jsonl")) as f:
                    for line in f:
                        if '"roster_installed"' in line:
                            e = json.loads(line)
                            if e.get("serial") == serial:
                                found = datetime.strptime(e["time"], "%Y-%m-%dT%H:%M:%S.%fZ")
                if found:
                    break
                time.sleep(0.02)
            if not found:
                raise TimeoutError("%s has no roster_installed event for serial %d" % (name, serial))
            ts = (found - datetime(1970, 1, 1)).total_seconds()
            latest = max(latest, ts - wall0)
        return latest

    def trial_api(self, conn, action, want):
        wall0, t0 = time.time(), time.monotonic()
        conn.request("POST", "/v1/admin/employees/E1/" + action, body=b"{}",
                     headers={"Authorization": "Bearer " + self.admin_token,
                              "Content-Type": "application/json"})
        resp = conn.getresponse()
        body = resp.read()
        t_ack = time.monotonic() - t0
        if not 200 <= resp.status < 300:
            raise SystemExit("POST %s: HTTP %d" % (action, resp.status))
        seen = self.wait_all(t0, want, self.args.poll_ms / 1000)
        serial = json.loads(body)["serial"]
        return max(seen.values()), t_ack, self.installed_at(serial, wall0)

    def run(self, count):
        self.start_agents(count)
        time.sleep(1.0)  # Every agent back in its long-poll.
        results = {}
        for mode in self.args.modes:
            conn = None
            if mode == "api":
                conn = http.client.HTTPSConnection("127.0.0.1", self.port, context=self.tls,
                                                   timeout=30)
            times, side, installed = [], [], []
            for i in range(self.args.trials):
                action, want = ("terminate", "terminated") if i % 2 == 0 else ("reinstate", "allowed")
                if mode == "cli":
                    t, step, inst = self.trial_cli(action, want)
                else:
                    t, step, inst = self.trial_api(conn, action, want)
                side.append(step)
                installed.append(inst)
                times.append(t)
                time.sleep(self.args.gap_ms / 1000)  # Agents back in their long-polls.
            if conn:
                conn.close()
            results[mode] = (times, side, installed)
        return results


def fmt_ms(s):
    return "%.0f ms" % (s * 1000)


def run_engine(args, counts, database, label, rows):
    """Runs every agent count on one store; appends (label, n, mode, ...) rows."""
    bench = Bench(args, database)
    try:
        bench.start_central()
        for n in counts:
            print("propagation (%s): %d agent%s, %d trials (terminate/reinstate alternately)..."
                  % (label, n, "" if n == 1 else "s", args.trials), flush=True)
            res = bench.run(n)
            for mode, (times, side, installed) in res.items():
                rows.append((label, n, mode, times, side, installed))
                print("  %-3s all %d agents: p50 %s, max %s; %s p50 %s; last install p50 %s"
                      % (mode, n, fmt_ms(statistics.median(times)), fmt_ms(max(times)),
                         "admin CLI run" if mode == "cli" else "HTTP ack", fmt_ms(statistics.median(side)),
                         fmt_ms(statistics.median(installed))),
                      flush=True)
    except (TimeoutError, OSError) as e:
        print("propagation: FAILED: %s (logs kept in %s)" % (e, bench.dir), file=sys.stderr)
        args.keep = True
        bench.stop()
        return 1
    finally:
        if bench.central and bench.central.poll() is None:
            bench.stop()
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", help="build dir holding agent/ and central/ binaries")
    ap.add_argument("--central")
    ap.add_argument("--admin")
    ap.add_argument("--staffgated")
    ap.add_argument("--agents", default="1,50", help="agent counts, comma-separated (ascending)")
    ap.add_argument("--trials", type=int, default=20)
    ap.add_argument("--modes", default="cli,api")
    ap.add_argument("--poll-ms", type=float, default=5.0, help="pause between sweeps over the agents")
    ap.add_argument("--gap-ms", type=float, default=500.0, help="pause between trials")
    ap.add_argument("--keep", action="store_true", help="keep the temp dir (logs)")
    ap.add_argument("--engines", default="sqlite",
                    help="sqlite (one central) and/or postgresql (two centrals), comma-separated")
    args = ap.parse_args()
    args.engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    if any(e not in ("sqlite", "postgresql") for e in args.engines):
        ap.error("--engines takes sqlite and postgresql")
    if args.build:
        args.central = args.central or os.path.join(args.build, "central", "staffgate-central")
        args.admin = args.admin or os.path.join(args.build, "central", "staffgate-admin")
        args.staffgated = args.staffgated or os.path.join(args.build, "agent", "staffgated")
    if not (args.central and args.admin and args.staffgated):
        ap.error("--build or all of --central, --admin, --staffgated")
    args.modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    counts = sorted(int(n) for n in args.agents.split(","))

    rows = []
    for engine in args.engines:
        label = "SQLite, 1 central" if engine == "sqlite" else "PostgreSQL, 2 centrals"
        with engine_database(engine) as database:
            if run_engine(args, counts, database, label, rows) != 0:
                return 1

    print()
    print("Admin change until every agent's check answers the new decision (%d trials each):" % args.trials)
    print("| store | agents | issued by | p50 | max | admin step p50 | last agent installed: p50 / max | target |")
    print("|---|---|---|---|---|---|---|---|")
    ok = True
    for label, n, mode, times, side, installed in rows:
        p50, mx = statistics.median(times), max(times)
        met = p50 <= TARGET_P50_S and mx <= TARGET_MAX_S
        ok = ok and met
        print("| %s | %d | %s | %s | %s | %s (%s) | %s / %s | p50 <= 1 s, max <= 2 s: %s |"
              % (label, n, "staffgate-admin process" if mode == "cli" else "admin API, open connection",
                 fmt_ms(p50), fmt_ms(mx), fmt_ms(statistics.median(side)),
                 "CLI run" if mode == "cli" else "HTTP ack",
                 fmt_ms(statistics.median(installed)), fmt_ms(max(installed)),
                 "met" if met else "NOT met"))
    print("For scale: SSSD caches entries 90 min by default (entry_cache_timeout = 5400 s), "
          "kanidm's unixd 5 min.")
    print("Target %s in every configuration." % ("met" if ok else "NOT met"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
