#!/usr/bin/env python3
"""Login cost: `pamtester SERVICE USER acct_mgmt` through pam_staffgate.so
(asking a real staffgated), against the same through pam_permit.so (the
floor: a module that does nothing) and pam_unix.so, alternated in one run
(every round runs each stack once, in a rotating order), printing medians and
ratios. Target (docs/performance.md): the module adds <= 0.15 ms and
<= 1.04 x pam_permit on an idle machine.

The module's cost is split into parts, each a stack of its own in the same
rounds, reported as added over pam_permit:
  loaded         pam_permit, with the module on a `session` line: libpam
                 loads it (dlopen, relocation, static initialisers) but
                 acct_mgmt never calls it;
  root           the module called for root, which it answers itself
                 (PAM_IGNORE) without the agent, then pam_permit;
  pam_staffgate  the module asking the agent, which answers from memory;
  round trip     the socket exchange alone (bench/agent_roundtrip.cc, the
                 module's own client in a loop, no process start);
  unix+staffgate (real mode) pam_unix then the module, against pam_unix
                 alone: Debian's own account stack, where NSS is already set
                 up when the module looks the account up, as it is in sshd,
                 login and su, which resolve the user before PAM's account
                 stage;
  cold parts     in a fresh process each round (agent_roundtrip_bench
                 --cold): the first getpwnam_r (NSS set up; through
                 nss_wrapper in wrapper mode), the first agent call, a
                 second call, and what one minor page fault costs on this
                 machine;
  placement      the exchange after a 10 ms idle gap, as a login's always
                 is, with the agent's threads and the client pinned to one
                 CPU, to two, and left to the scheduler: what waking an idle
                 CPU costs on this machine (needs two CPUs).
Each login is a fresh pamtester process; besides its wall time the table
gives its own CPU time (user + system, from wait4) and page faults, which
depend far less on what else the machine runs, and --instructions adds
instructions per login counted by valgrind (callgrind), which do not
depend on it at all. The round trip also gives the agent's CPU per call.

Two modes:
  real     (default as root) services in the real /etc/pam.d
           (staffgate-bench-<pid>-*, removed afterwards), no wrappers, the
           existing system account "daemon" checked by every stack (module
           and agent run with min_uid=0 so the agent is really asked);
  wrapper  (default otherwise) pam_wrapper + nss_wrapper, no root needed,
           every stack but unix+staffgate;
           pam_wrapper copies the service dir at every pam_start, which
           raises the floor and flatters the ratio. Run as root, the module
           line has no min_uid, as the packaged lines have none, so the
           module reads /etc/login.defs as it does in production.

  bench/login_cost.py [--build build] [--rounds 300] [--mode real|wrapper]
                      [--instructions]
      (uses BUILD/pam_module/pam_staffgate.so, BUILD/agent/staffgated and
       BUILD/bench/agent_roundtrip_bench; --module / --staffgated /
       --roundtrip override them)
or the CMake target: ninja -C build bench_login_cost
"""

import argparse
import os
import pwd
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "lib"))
import sgtest  # noqa: E402

NAMES = ["pam_permit", "loaded", "root", "pam_staffgate", "pam_unix", "unix+staffgate"]


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
    """min_uid None: no min_uid argument, as in the packaged service lines
    (the module then reads UID_MIN from /etc/login.defs)."""
    line = "%s socket=%s agent_uid=%d%s\n" % (
        module, sock, uid, "" if min_uid is None else " min_uid=%d" % min_uid)
    return {
        "pam_permit": "account required pam_permit.so\n",
        "loaded": "account required pam_permit.so\nsession optional " + line,
        "root": "account required " + line + "account required pam_permit.so\n",
        "pam_staffgate": "account required " + line,
        "pam_unix": "account required pam_unix.so\n",
        "unix+staffgate": "account required pam_unix.so\naccount required " + line,
    }


def setup_real(args, tmp, cleanup):
    """Real /etc/pam.d services; every stack checks the system account daemon."""
    account = "daemon"
    pwd.getpwnam(account)
    agent, sock = start_agent(args, tmp, account, 0, dict(os.environ))
    cleanup.append(agent.stop)
    services = {}
    for name, text in stack_texts(args.module, sock, 0, 0).items():
        service = "staffgate-bench-%d-%s" % (os.getpid(), name.replace("+", "-"))
        path = os.path.join("/etc/pam.d", service)
        with open(path, "w") as f:
            f.write(text)
        cleanup.append(lambda p=path: os.unlink(p))
        services[name] = service
    env = {k: v for k, v in os.environ.items()
           if k != "LD_PRELOAD" and not k.startswith(("PAM_WRAPPER", "NSS_WRAPPER"))}
    users = {name: account for name in NAMES}
    users["root"] = "root"
    return services, users, env, agent


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
    # As root, the module gets no min_uid, like the packaged lines: it reads
    # UID_MIN (1000 on Debian, below asmith's 2001) from /etc/login.defs.
    line_min_uid = None if uid == 0 else min_uid
    texts = stack_texts(args.module, sock, uid, line_min_uid)
    # pam_unix checks the runner's real account here, the module asmith:
    # no one user for a stack of both.
    del texts["unix+staffgate"]
    for name, text in texts.items():
        with open(os.path.join(service_dir, "bench-" + name), "w") as f:
            f.write(text)
        services[name] = "bench-" + name
    with open(os.path.join(service_dir, "other"), "w") as f:
        f.write("account required pam_deny.so\n")
    env = dict(os.environ, LD_PRELOAD="%s %s" % (args.pam_wrapper, args.nss_wrapper),
               PAM_WRAPPER="1", PAM_WRAPPER_SERVICE_DIR=service_dir, **nss)
    env.pop("PAM_WRAPPER_DEBUGLEVEL", None)
    users = {"pam_permit": "asmith", "loaded": "asmith", "root": "root",
             "pam_staffgate": "asmith", "pam_unix": me.pw_name}
    return services, users, env, agent


def run_login(service, user, env):
    """One pamtester acct_mgmt; returns (rc, wall ms, own CPU ms, minor faults)."""
    with open(os.devnull, "wb") as devnull:
        actions = [(os.POSIX_SPAWN_DUP2, devnull.fileno(), fd) for fd in (0, 1, 2)]
        start = time.perf_counter()
        pid = os.posix_spawnp("pamtester", ["pamtester", service, user, "acct_mgmt"], env,
                              file_actions=actions)
        _, status, usage = os.wait4(pid, 0)
        wall = time.perf_counter() - start
    return (os.waitstatus_to_exitcode(status), wall * 1000.0,
            (usage.ru_utime + usage.ru_stime) * 1000.0, usage.ru_minflt)


def count_instructions(service, user, env, tmp):
    """Instructions one pamtester acct_mgmt executes, counted by valgrind
    (callgrind); None when valgrind is missing or the login failed."""
    if not shutil.which("valgrind"):
        return None
    out = os.path.join(tmp, "callgrind.out")
    proc = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out,
                           "pamtester", service, user, "acct_mgmt"],
                          env=env, capture_output=True, text=True, timeout=120)
    found = re.search(r"Collected : (\d+)", proc.stderr)
    return int(found.group(1)) if proc.returncode == 0 and found else None


def figures(line):
    """The `name=number` pairs agent_roundtrip_bench prints, as floats."""
    return dict((k, float(v)) for k, v in re.findall(r"(\w+)=(-?[\d.]+)", line))


def roundtrip_argv(args, sock, account, agent_uid, *extra):
    """The agent_roundtrip_bench command line against `sock`, plus `extra`."""
    return [args.roundtrip, "--socket", sock, "--account", account,
            "--agent-uid", str(agent_uid)] + list(extra)


def agent_cpu_ms(pid):
    """CPU time the agent's threads have run so far, in ms (schedstat: ns
    resolution, unlike the clock ticks of /proc/PID/stat)."""
    total = 0
    for task in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/schedstat" % (pid, task)) as f:
                total += int(f.read().split()[0])
        except OSError:
            pass  # a thread that just ended
    return total / 1e6


def round_trip(args, agent, account, agent_uid, env):
    """The socket exchange alone (bench/agent_roundtrip.cc), with the agent's
    CPU per call measured over the same calls; None without the binary."""
    if not args.roundtrip or not os.path.exists(args.roundtrip):
        return None
    calls = args.rounds * 4
    cpu0 = agent_cpu_ms(agent.proc.pid)
    proc = subprocess.run(roundtrip_argv(args, agent.socket_path, account, agent_uid,
                                         "--calls", str(calls)),
                          env=env, capture_output=True, text=True, timeout=600, check=True)
    found = figures(proc.stdout)
    # 20 warm-up calls come first; idle background work is counted too.
    found["agent_cpu_us"] = (agent_cpu_ms(agent.proc.pid) - cpu0) * 1000.0 / (calls + 20)
    return found


def pin_agent(pid, cpus):
    """Sets the CPUs of every thread the agent has now; returns the old set."""
    old = os.sched_getaffinity(pid)
    for task in os.listdir("/proc/%d/task" % pid):
        try:
            os.sched_setaffinity(int(task), cpus)
        except OSError:
            pass  # a thread that just ended
    return old


def placement(args, agent, account, agent_uid, env):
    """The exchange after a 10 ms idle gap (as a login's always is), with
    the agent's threads on CPU 0 and the client on CPU 0, then on CPU 1,
    then both left to the scheduler: what waking the other CPU costs here.
    None without the binary or with fewer than two CPUs."""
    if not args.roundtrip or not os.path.exists(args.roundtrip):
        return None
    if len(os.sched_getaffinity(0)) < 2:
        return None
    cpus = sorted(os.sched_getaffinity(0))
    found = {}
    for name, agent_cpus, client_cpus in (("one CPU", {cpus[0]}, {cpus[0]}),
                                          ("two CPUs", {cpus[0]}, {cpus[1]}),
                                          ("scheduler", None, None)):
        old = pin_agent(agent.proc.pid, agent_cpus) if agent_cpus else None
        try:
            proc = subprocess.run(
                roundtrip_argv(args, agent.socket_path, account, agent_uid,
                               "--calls", "150", "--gap-us", "10000"),
                env=env, capture_output=True, text=True, timeout=120, check=True,
                preexec_fn=(lambda c=client_cpus: os.sched_setaffinity(0, c))
                if client_cpus else None)
        finally:
            if old:
                pin_agent(agent.proc.pid, old)
        found[name] = figures(proc.stdout)["median_us"]
    return found


def cold_parts(args, sock, account, agent_uid, env):
    """One `agent_roundtrip_bench --cold` (a fresh process): its first
    getpwnam_r, first and second agent call, and one page fault, in us.
    None without the binary; "failed" when the run failed or printed less
    (counted, not fatal: the logins' samples are kept)."""
    if not args.roundtrip or not os.path.exists(args.roundtrip):
        return None
    proc = subprocess.run(roundtrip_argv(args, sock, account, agent_uid, "--cold"),
                          env=env, capture_output=True, text=True, timeout=60)
    found = figures(proc.stdout)
    keys = ("lookup_us", "call_us", "warm_call_us", "fault_us")
    if proc.returncode != 0 or any(k not in found for k in keys):
        return "failed"
    return found


def measure(args, services, users, env, cold):
    """Every round runs each stack once, in a rotating order, then `cold()`
    (a dict of figures, None, or "failed") once."""
    names = list(services)
    samples = {name: {"wall": [], "cpu": [], "faults": []} for name in names}
    failures = {name: 0 for name in names}
    colds = []
    for i in range(args.rounds):
        order = names[i % len(names):] + names[:i % len(names)]
        for name in order:
            rc, wall, cpu, faults = run_login(services[name], users[name], env)
            for key, value in (("wall", wall), ("cpu", cpu), ("faults", faults)):
                samples[name][key].append(value)
            failures[name] += rc != 0
        found = cold()
        if found == "failed":
            failures["cold parts"] = failures.get("cold parts", 0) + 1
        elif found:
            colds.append(found)
    return samples, failures, colds


def report(args, samples, failures, trip, colds, instructions, loads, placed=None):
    names = list(samples)

    def med(name, key):
        return statistics.median(samples[name][key])
    floor, floor_cpu = med("pam_permit", "wall"), med("pam_permit", "cpu")
    print("login cost: pamtester acct_mgmt, %d interleaved rounds, mode %s"
          % (args.rounds, args.mode))
    print("load average before/after: %.2f / %.2f (on %d cores; idle is < 0.3)"
          % (loads[0], loads[1], os.cpu_count()))
    print("%-14s %9s %8s %9s %9s %9s %8s %8s %6s" % (
        "stack", "median ms", "p90 ms", "+wall us", "ratio", "CPU ms", "+CPU us", "faults",
        "fail"))
    for name in names:
        print("%-14s %9.3f %8.3f %9.0f %8.3fx %9.3f %8.0f %8.0f %6d" % (
            name, med(name, "wall"), percentile(samples[name]["wall"], 90),
            (med(name, "wall") - floor) * 1000, med(name, "wall") / floor, med(name, "cpu"),
            (med(name, "cpu") - floor_cpu) * 1000, med(name, "faults"), failures[name]))
    if trip:
        print("round trip alone (module's client in a loop, %d calls): median %.0f us, p90 %.0f"
              " us; CPU per call: client %.0f us, agent %.0f us (schedstat)" % (
                  trip["calls"], trip["median_us"], trip["p90_us"], trip["client_cpu_us"],
                  trip["agent_cpu_us"]))
    if placed:
        print("the exchange after a 10 ms idle gap (150 calls each, medians): agent and client"
              " on one CPU %.0f us, on two CPUs %.0f us, left to the scheduler %.0f us" % (
                  placed["one CPU"], placed["two CPUs"], placed["scheduler"]))
    if instructions:
        base = instructions.get("pam_permit")
        print("instructions per login (valgrind callgrind, one login each; load-independent):")
        for name in names:
            if instructions.get(name) is not None and base:
                print("  %-14s %10d  (+%d)" % (name, instructions[name], instructions[name] - base))
    if colds:
        cold = dict((key, statistics.median(c[key] for c in colds)) for key in colds[0])
        print("first in a fresh process (%d runs, %d failed, medians): getpwnam_r %.0f us%s,"
              " agent call %.0f us (the second call %.0f us); a minor fault on a fresh"
              " anonymous page costs %.1f us here" % (
                  len(colds), failures.get("cold parts", 0), cold["lookup_us"],
                  " (nss_wrapper)" if args.mode == "wrapper" else "", cold["call_us"],
                  cold["warm_call_us"], cold["fault_us"]))
    if "unix+staffgate" in samples:
        unix, both = med("pam_unix", "wall"), med("unix+staffgate", "wall")
        print("in Debian's account stack (after pam_unix, NSS already set up): +%.0f us wall,"
              " +%.0f us CPU over pam_unix alone (%.3fx)" % (
                  (both - unix) * 1000,
                  (med("unix+staffgate", "cpu") - med("pam_unix", "cpu")) * 1000, both / unix))
    ratio = med("pam_staffgate", "wall") / floor
    print("module added over pam_permit: loaded +%.0f us, root +%.0f us, asking the agent"
          " +%.0f us (wall); CPU +%.0f / +%.0f / +%.0f us" % tuple(
              [(med(n, "wall") - floor) * 1000 for n in ("loaded", "root", "pam_staffgate")] +
              [(med(n, "cpu") - floor_cpu) * 1000 for n in ("loaded", "root", "pam_staffgate")]))
    added_us = (med("pam_staffgate", "wall") - floor) * 1000
    verdict = "meets" if ratio <= 1.04 and added_us <= 150 else "MISSES"
    print("staffgate / permit = %.3fx, +%.0f us (%s the target: <= 1.04x and <= 150 us added,"
          " on an idle machine)" % (ratio, added_us, verdict))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", default="build", help="CMake build directory")
    parser.add_argument("--module")
    parser.add_argument("--staffgated")
    parser.add_argument("--roundtrip", help="agent_roundtrip_bench binary")
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--mode", choices=("real", "wrapper"),
                        default="real" if os.getuid() == 0 else "wrapper")
    parser.add_argument("--instructions", action="store_true",
                        help="also count instructions per login with valgrind")
    parser.add_argument("--pam-wrapper", default="libpam_wrapper.so")
    parser.add_argument("--nss-wrapper", default="libnss_wrapper.so")
    args = parser.parse_args()
    args.module = os.path.abspath(
        args.module or os.path.join(args.build, "pam_module", "pam_staffgate.so"))
    args.staffgated = args.staffgated or os.path.join(args.build, "agent", "staffgated")
    args.roundtrip = args.roundtrip or os.path.join(args.build, "bench", "agent_roundtrip_bench")
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
        services, users, env, agent = setup(args, tmp, cleanup)
        for name in services:  # warm-up, and each stack must actually succeed
            rc, out, err, _ = sgtest.pamtester(services[name], users[name], ["acct_mgmt"], env)
            if rc != 0:
                raise RuntimeError("%s: pamtester failed:\n%s%s" % (name, out, err))
        loads = [os.getloadavg()[0]]
        agent_uid = 0 if args.mode == "real" else os.getuid()
        samples, failures, colds = measure(
            args, services, users, env,
            lambda: cold_parts(args, agent.socket_path, users["pam_staffgate"], agent_uid, env))
        trip = round_trip(args, agent, users["pam_staffgate"], agent_uid, env)
        placed = placement(args, agent, users["pam_staffgate"], agent_uid, env)
        instructions = None
        if args.instructions:
            instructions = {name: count_instructions(services[name], users[name], env, tmp)
                            for name in services}
        loads.append(os.getloadavg()[0])
        report(args, samples, failures, trip, colds, instructions, loads, placed)
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
