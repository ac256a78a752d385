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
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "tests", "lib"))
import sgtest  # noqa: E402
from benchcentral import start_central  # noqa: E402
from offline_signin import (STAFF, alternate, audited, bench_dir, pam_stacks,  # noqa: E402
                            percentile, print_times, private_etc, rerun_privately, warm_up)

STAFF_PW = "Orchard-Lantern-Bench-31"


def start(args, tmp):
    central = start_central(args.central, args.admin, tmp)
    central.admin_ok("employee", "add", "E1", "--account", STAFF)
    r = central.admin("employee", "set-password", "E1", input=STAFF_PW + "\n")
    if r.returncode != 0:
        sys.exit("staffgate-admin employee set-password: " + r.stderr.strip())
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
    with bench_dir("sg-bench-online-") as tmp:
        measure_online(args, tmp)


def measure_online(args, tmp):
    central = agent = None
    try:
        pamd = private_etc(tmp)
        central, agent, sock, token = start(args, tmp)
        env, who = pam_stacks(pamd, args.module, sock, STAFF_PW)
        warm_up(who, env, agent, 3)
        conn = central.connection()
        central_ms = []
        times, load_before, load_after = alternate(
            who, env, args.rounds,
            lambda _: central_ms.append(central_verify_ms(central, token, conn)))
        times["central"] = central_ms
        conn.close()
        print_times("online sign-in vs pam_unix (yescrypt), %d rounds, alternated" % args.rounds,
                    times, {"staffgate": "staffgate online (pamtester)",
                            "pam_unix": "pam_unix yescrypt (pamtester)",
                            "central": "central verify alone (HTTPS+argon2id)"},
                    (load_before, load_after))
        p99 = {name: percentile(values, 99) for name, values in times.items()}
        allowed = 1.5 * p99["pam_unix"] + p99["central"]
        print("target: staffgate p99 %.1f ms <= 1.5 x pam_unix p99 + central verify p99 = %.1f ms: %s"
              % (p99["staffgate"], allowed, "met" if p99["staffgate"] <= allowed else "NOT met"))
        print("online sign-ins audited as online: %d" % audited(tmp, "online"))
    finally:
        if agent:
            agent.stop()
        if central:
            central.stop()


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
    return rerun_privately(__file__, ["--build", build, "--rounds", str(args.rounds)])


if __name__ == "__main__":
    sys.exit(main())
