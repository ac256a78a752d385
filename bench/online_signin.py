#!/usr/bin/env python3
"""Online sign-in with a staffgate password (docs/design.md §10) against
pam_unix checking a local yescrypt password, on the same machine in the
same run, alternated round by round, with the load average; and, in the
same run, the central's own verify time (TLS + argon2id) asked directly.

  staffgate  pamtester authenticate through pam_staffgate.so `authenticate`
             -> staffgated -> the REAL staffgate-central over HTTPS on
             127.0.0.1 (POST /v1/auth/verify, argon2id at central.conf's
             defaults);
  pam_unix   pamtester authenticate through pam_unix.so (yescrypt);
  central    POST /v1/auth/verify straight to the central with the
             workstation token: the argon2id cost the target allows for.

Target (issue text): online p99 <= 1.5 x pam_unix p99 + the argon2id cost.
Real stacks in a private mount namespace, as bench/offline_signin.py.
Needs root.

  bench/online_signin.py [--build build] [--rounds 100]
or: ninja -C build bench_online_signin
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "tests", "lib"))
import sgtest  # noqa: E402
from offline_signin import (LOCAL, LOCAL_PW, STAFF, alternate, percentile,  # noqa: E402
                            private_etc, warm_up)

STAFF_PW = "Orchard-Lantern-Bench-31"


def start(args, tmp):
    os.environ["STAFFGATE_CENTRAL_BIN"] = args.central
    os.environ["STAFFGATE_ADMIN_BIN"] = args.admin
    import centraltest  # noqa: E402  (reads the binaries from the environment)
    central = centraltest.Central(tmp)
    central.start()
    central.admin_ok("employee", "add", "E1", "--account", STAFF)
    env = dict(os.environ, STAFFGATE_CENTRAL="https://127.0.0.1:%d" % central.port,
               STAFFGATE_CA=os.path.join(central.dir, "ca.pem"),
               STAFFGATE_TOKEN_FILE=os.path.join(central.dir, "admin.token"))
    subprocess.run([args.admin, "employee", "set-password", "E1"], input=STAFF_PW + "\n",
                   env=env, text=True, check=True, capture_output=True)
    token = central.admin_ok("workstation", "add", "WS-BENCH").strip()
    token_file = os.path.join(tmp, "token")
    sgtest.write_secret(token_file, token)
    state = os.path.join(tmp, "state")
    os.mkdir(state, 0o700)
    sock = os.path.join(tmp, "agent.sock")
    config = os.path.join(tmp, "agent.conf")
    sgtest.write_agent_config(config, workstation="WS-BENCH",
                              trusted_key=os.path.join(central.dir, "roster-signing.pub"),
                              socket_path=sock, state_dir=state,
                              audit_log=os.path.join(tmp, "audit.jsonl"), min_uid=1000)
    sgtest.append_central(config, "https://127.0.0.1:%d" % central.port,
                          os.path.join(central.dir, "ca.pem"), token_file)
    agent = sgtest.Agent(args.staffgated, config, sock)
    agent.start()
    answer = sgtest.ask(sock, {"v": 1, "op": "sync"}, 60)  # The first roster, now.
    if not (answer and answer.get("ok")):
        sys.exit("the agent did not sync: %r\n%s" % (answer, agent.read_log()))
    return central, agent, sock, token


def central_verify_ms(central, token, conn):
    body = json.dumps({"account": STAFF, "password": STAFF_PW, "service": "bench"})
    begin = time.perf_counter()
    status, _, data = central.request("POST", "/v1/auth/verify", body=body, token=token,
                                      headers={"Content-Type": "application/json"}, conn=conn)
    ms = (time.perf_counter() - begin) * 1000.0
    if status != 200 or json.loads(data)["result"] != "ok":
        sys.exit("direct verify failed: %d %r" % (status, data))
    return ms


def inside(args):
    tmp = tempfile.mkdtemp(prefix="sg-bench-online-")
    os.chmod(tmp, 0o755)
    central = agent = None
    try:
        pamd = private_etc(tmp)
        central, agent, sock, token = start(args, tmp)
        services = {
            "staffgate": "auth required %s authenticate socket=%s\n" % (args.module, sock),
            "pam_unix": "auth required pam_unix.so\n",
        }
        for name, text in services.items():
            with open(os.path.join(pamd, "sgbench-" + name), "w") as f:
                f.write(text)
        env = {k: v for k, v in os.environ.items()
               if k != "LD_PRELOAD" and not k.startswith(("PAM_WRAPPER", "NSS_WRAPPER"))}
        who = {"staffgate": (STAFF, STAFF_PW), "pam_unix": (LOCAL, LOCAL_PW)}
        warm_up(who, env, agent, 3)
        conn = central.connection()
        central_ms = []
        times, load_before, load_after = alternate(
            who, env, args.rounds,
            lambda _: central_ms.append(central_verify_ms(central, token, conn)))
        times["central"] = central_ms
        conn.close()
        with open(os.path.join(tmp, "audit.jsonl")) as f:
            online = sum(1 for line in f if '"detail":"online"' in line)
        print("online sign-in vs pam_unix (yescrypt), %d rounds, alternated" % args.rounds)
        print("load average before %.2f %.2f %.2f, after %.2f %.2f %.2f, %d CPUs" %
              (load_before + load_after + (os.cpu_count(),)))
        print("%-40s %8s %8s %8s" % ("stack (wall ms)", "p50", "p99", "mean"))
        labels = {"staffgate": "staffgate online (pamtester)", "pam_unix": "pam_unix yescrypt (pamtester)",
                  "central": "central verify alone (HTTPS+argon2id)"}
        for name, values in times.items():
            print("%-40s %8.1f %8.1f %8.1f" % (labels[name], percentile(values, 50),
                                               percentile(values, 99), statistics.mean(values)))
        p99 = {name: percentile(values, 99) for name, values in times.items()}
        allowed = 1.5 * p99["pam_unix"] + p99["central"]
        print("target: staffgate p99 %.1f ms <= 1.5 x pam_unix p99 + central verify p99 = %.1f ms: %s"
              % (p99["staffgate"], allowed, "met" if p99["staffgate"] <= allowed else "NOT met"))
        print("online sign-ins audited as online: %d" % online)
    finally:
        if agent:
            agent.stop()
        if central:
            central.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", default=os.path.join(HERE, "..", "build"))
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    build = os.path.abspath(args.build)
    args.module = os.path.join(build, "pam_module", "pam_staffgate.so")
    args.staffgated = os.path.join(build, "agent", "staffgated")
    args.central = os.path.join(build, "central", "staffgate-central")
    args.admin = os.path.join(build, "central", "staffgate-admin")
    if args.inside:
        return inside(args)
    if os.geteuid() != 0:
        sys.exit("bench/online_signin.py needs root (a private mount namespace)")
    cmd = ["unshare", "-m", "--propagation", "private", sys.executable, os.path.abspath(__file__),
           "--inside", "--build", build, "--rounds", str(args.rounds)]
    return subprocess.run(cmd).returncode


if __name__ == "__main__":
    sys.exit(main())
