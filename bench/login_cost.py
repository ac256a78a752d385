#!/usr/bin/env python3
"""Login cost: `pamtester SERVICE USER acct_mgmt` through pam_staffgate.so
(asking a real staffgated), against the same through pam_permit.so (the
floor: a module that does nothing) and pam_unix.so, alternated in one run
(every round runs each stack once, in a rotating order), printing medians and
ratios. Target: staffgate <= 1.10 x pam_permit.

Two modes, same three stacks:
  real     (default as root) services in the real /etc/pam.d
           (staffgate-bench-<pid>-*, removed afterwards), no wrappers, the
           existing system account "daemon" checked by all three (module and
           agent run with min_uid=0 so the agent is really asked);
  wrapper  (default otherwise) pam_wrapper + nss_wrapper, no root needed;
           pam_wrapper copies the service dir at every pam_start, which
           raises the floor and flatters the ratio.

  bench/login_cost.py [--build build] [--rounds 300] [--mode real|wrapper]
      (uses BUILD/pam_module/pam_staffgate.so and BUILD/agent/staffgated;
       --module / --staffgated override them)
or the CMake target: ninja -C build bench_login_cost
"""

import argparse
import os
import pwd
import shutil
import statistics
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "lib"))
import sgtest  # noqa: E402

NAMES = ["pam_permit", "pam_staffgate", "pam_unix"]


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100.0 * (len(ordered) - 1))))]


def start_agent(args, tmp, account, min_uid, env):
    key = sgtest.SigningKey(tmp)
    payload = sgtest.roster_payload(
        employees=[{"id": "E1", "status": "active", "accounts": [account]}])
    state = os.path.join(tmp, "state")
    os.mkdir(state, 0o700)
    with open(os.path.join(state, "roster.dsse"), "wb") as f:
        f.write(key.sign_envelope(payload))
    sock = os.path.join(tmp, "agent.sock")
    config = os.path.join(tmp, "agent.conf")
    sgtest.write_agent_config(config, workstation="WS-BENCH", trusted_key=key.pub,
                              socket_path=sock, state_dir=state,
                              audit_log=os.path.join(tmp, "audit.jsonl"), min_uid=min_uid,
                              exempt=())
    agent = sgtest.Agent(args.staffgated, config, sock, env=env)
    agent.start()
    return agent, sock


def stack_texts(module, sock, uid, min_uid):
    return {
        "pam_permit": "account required pam_permit.so\n",
        "pam_staffgate": "account required %s socket=%s agent_uid=%d min_uid=%d\n" % (
            module, sock, uid, min_uid),
        "pam_unix": "account required pam_unix.so\n",
    }


def setup_real(args, tmp, cleanup):
    """Real /etc/pam.d services; every stack checks the system account daemon."""
    account = "daemon"
    pwd.getpwnam(account)
    agent, sock = start_agent(args, tmp, account, 0, dict(os.environ))
    cleanup.append(agent.stop)
    services = {}
    for name, text in stack_texts(args.module, sock, 0, 0).items():
        service = "staffgate-bench-%d-%s" % (os.getpid(), name)
        path = os.path.join("/etc/pam.d", service)
        with open(path, "w") as f:
            f.write(text)
        cleanup.append(lambda p=path: os.unlink(p))
        services[name] = service
    env = {k: v for k, v in os.environ.items()
           if k != "LD_PRELOAD" and not k.startswith(("PAM_WRAPPER", "NSS_WRAPPER"))}
    users = {name: account for name in NAMES}
    return services, users, env


def setup_wrapper(args, tmp, cleanup):
    uid = os.getuid()
    min_uid = 1000 if uid == 0 else uid
    user_uid = 2001 if uid == 0 else uid
    passwd = os.path.join(tmp, "passwd")
    group = os.path.join(tmp, "group")
    shadow = os.path.join(tmp, "shadow")
    # pam_unix's lookups go through libpam, which pam_wrapper loads with
    # RTLD_DEEPBIND (bypassing nss_wrapper), so pam_unix checks the runner's
    # own real account; the other stacks check "asmith" from nss_wrapper.
    me = pwd.getpwuid(uid)
    with open(passwd, "w") as f:
        f.write("asmith:x:%d:%d:A:/nonexistent:/bin/sh\n" % (user_uid, user_uid))
        f.write("%s:x:%d:%d::%s:/bin/sh\n" % (me.pw_name, uid, me.pw_gid, me.pw_dir))
    with open(group, "w") as f:
        f.write("staff:x:%d:\n" % user_uid)
    with open(shadow, "w") as f:
        f.write("asmith:!:%d:0:99999:7:::\n" % int(sgtest.now_utc().timestamp() // 86400))
    nss = {"NSS_WRAPPER_PASSWD": passwd, "NSS_WRAPPER_GROUP": group,
           "NSS_WRAPPER_SHADOW": shadow}
    agent, sock = start_agent(args, tmp, "asmith", min_uid,
                              dict(os.environ, LD_PRELOAD=args.nss_wrapper, **nss))
    cleanup.append(agent.stop)
    service_dir = os.path.join(tmp, "services")
    os.mkdir(service_dir)
    services = {}
    for name, text in stack_texts(args.module, sock, uid, min_uid).items():
        with open(os.path.join(service_dir, "bench-" + name), "w") as f:
            f.write(text)
        services[name] = "bench-" + name
    with open(os.path.join(service_dir, "other"), "w") as f:
        f.write("account required pam_deny.so\n")
    env = dict(os.environ, LD_PRELOAD="%s %s" % (args.pam_wrapper, args.nss_wrapper),
               PAM_WRAPPER="1", PAM_WRAPPER_SERVICE_DIR=service_dir, **nss)
    env.pop("PAM_WRAPPER_DEBUGLEVEL", None)
    users = {"pam_permit": "asmith", "pam_staffgate": "asmith", "pam_unix": me.pw_name}
    return services, users, env


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", default="build", help="CMake build directory")
    parser.add_argument("--module")
    parser.add_argument("--staffgated")
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--mode", choices=("real", "wrapper"),
                        default="real" if os.getuid() == 0 else "wrapper")
    parser.add_argument("--pam-wrapper", default="libpam_wrapper.so")
    parser.add_argument("--nss-wrapper", default="libnss_wrapper.so")
    args = parser.parse_args()
    args.module = os.path.abspath(
        args.module or os.path.join(args.build, "pam_module", "pam_staffgate.so"))
    args.staffgated = args.staffgated or os.path.join(args.build, "agent", "staffgated")
    for path in (args.module, args.staffgated):
        if not os.path.exists(path):
            parser.error("missing %s (build first, or pass --build/--module/--staffgated)" % path)
    if args.mode == "real" and os.getuid() != 0:
        parser.error("--mode real needs root (it writes /etc/pam.d)")

    tmp = tempfile.mkdtemp(prefix="sgbench-")
    os.chmod(tmp, 0o755)
    cleanup = []
    try:
        setup = setup_real if args.mode == "real" else setup_wrapper
        services, users, env = setup(args, tmp, cleanup)
        for name in NAMES:  # warm-up, and each stack must actually succeed
            rc, out, err, _ = sgtest.pamtester(services[name], users[name], ["acct_mgmt"], env)
            if rc != 0:
                raise RuntimeError("%s: pamtester failed:\n%s%s" % (name, out, err))
        load_before = os.getloadavg()[0]
        samples = {name: [] for name in NAMES}
        failures = {name: 0 for name in NAMES}
        for i in range(args.rounds):
            order = NAMES[i % len(NAMES):] + NAMES[:i % len(NAMES)]
            for name in order:
                rc, _, _, secs = sgtest.pamtester(services[name], users[name], ["acct_mgmt"],
                                                  env)
                samples[name].append(secs * 1000.0)
                failures[name] += rc != 0
        floor = statistics.median(samples["pam_permit"])
        print("login cost: pamtester acct_mgmt, %d interleaved rounds, mode %s"
              % (args.rounds, args.mode))
        print("load average before/after: %.2f / %.2f (on 2 cores)"
              % (load_before, os.getloadavg()[0]))
        print("%-14s %10s %10s %10s %9s %9s" % ("stack", "median ms", "p90 ms", "+ms", "ratio",
                                               "failures"))
        for name in NAMES:
            med = statistics.median(samples[name])
            print("%-14s %10.3f %10.3f %10.3f %8.3fx %9d" % (
                name, med, percentile(samples[name], 90), med - floor, med / floor,
                failures[name]))
        ratio = statistics.median(samples["pam_staffgate"]) / floor
        verdict = "meets" if ratio <= 1.10 else "MISSES"
        print("staffgate / permit = %.3fx (%s the 1.10x target)" % (ratio, verdict))
        return 0 if not any(failures.values()) else 1
    finally:
        for step in reversed(cleanup):
            try:
                step()
            except OSError:
                pass
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
