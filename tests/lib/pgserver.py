#!/usr/bin/env python3
"""A real PostgreSQL 15 for the tests: one server per test run, in a temp
dir, on a unix socket only (listen_addresses = ''), no TCP.

    pgserver.py start DIR    initdb + pg_ctl start; prints the base URI
    pgserver.py stop DIR     pg_ctl stop, then removes DIR

initdb refuses to run as root, so as root the server runs as the
unprivileged `nobody` (through runuser) in a DIR it owns; otherwise as the
caller. Local connections are trusted (the socket directory is the only
way in), as the superuser `staffgate`. Each test makes its own database
(create_database), so tests stay independent and run in parallel on one
server. The tier's CMake makes start/stop a ctest fixture
(FIXTURES_SETUP/FIXTURES_CLEANUP) and hands the URI to the tests in
STAFFGATE_TEST_DATABASE (centraltest.py reads it)."""
import os
import pwd
import shutil
import subprocess
import sys
import time
import uuid

BIN = os.environ.get("STAFFGATE_PG_BIN", "/usr/lib/postgresql/15/bin")
SUPERUSER = "staffgate"


def base_uri(directory):
    return "postgresql:///postgres?host=%s&user=%s" % (directory, SUPERUSER)


def database_uri(base, name):
    """`base` (a URI naming database postgres) with database `name`."""
    return base.replace(":///postgres?", ":///%s?" % name, 1)


def create_database(base, prefix="t"):
    """Makes a new empty database on the server `base` names; returns its URI."""
    name = "%s_%s" % (prefix, uuid.uuid4().hex[:12])
    subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", base, "-c", "CREATE DATABASE " + name],
                   check=True, capture_output=True, timeout=60)
    return database_uri(base, name)


def _as_server_user(args):
    if os.geteuid() != 0:
        return args
    return ["runuser", "-u", "nobody", "--"] + args


def start(directory, durable=False):
    """`durable`: fsync as a production server does (benchmarks); the
    tests' servers skip it."""
    if os.path.exists(directory):
        stop(directory)  # A run killed before its cleanup left it.
    os.makedirs(directory, mode=0o700)
    data = os.path.join(directory, "data")
    if os.geteuid() == 0:
        nobody = pwd.getpwnam("nobody")
        os.chown(directory, nobody.pw_uid, nobody.pw_gid)
    subprocess.run(_as_server_user([os.path.join(BIN, "initdb"), "-D", data, "-U", SUPERUSER,
                                    "--auth=trust", "--no-sync", "-E", "UTF8",
                                    "--locale=C.UTF-8"]),
                   check=True, capture_output=True, timeout=120)
    with open(os.path.join(data, "postgresql.conf"), "a") as f:
        # No TCP at all; the socket in DIR; small and quick for tests
        # (fsync off: a test server holds nothing to keep).
        f.write("listen_addresses = ''\nunix_socket_directories = '%s'\n"
                "max_connections = 200\nshared_buffers = 32MB\n" % directory)
        if not durable:
            f.write("fsync = off\nfull_page_writes = off\n")
    r = subprocess.run(_as_server_user([os.path.join(BIN, "pg_ctl"), "-D", data, "-w", "-t", "60",
                                        "-l", os.path.join(directory, "server.log"), "start"]),
                       capture_output=True, text=True, timeout=90)
    if r.returncode != 0:
        log = os.path.join(directory, "server.log")
        raise SystemExit("pg_ctl start failed: %s %s" % (r.stderr, open(log).read()
                                                          if os.path.exists(log) else ""))
    return base_uri(directory)


def restart(directory):
    """pg_ctl restart (fast shutdown: every connection is closed), waiting
    until the server takes connections again."""
    data = os.path.join(directory, "data")
    subprocess.run(_as_server_user([os.path.join(BIN, "pg_ctl"), "-D", data, "-w", "-t", "60",
                                    "-m", "fast", "-l", os.path.join(directory, "server.log"),
                                    "restart"]),
                   check=True, capture_output=True, timeout=90)


def stop(directory):
    data = os.path.join(directory, "data")
    if os.path.exists(os.path.join(data, "postmaster.pid")):
        subprocess.run(_as_server_user([os.path.join(BIN, "pg_ctl"), "-D", data, "-w", "-m",
                                        "immediate", "stop"]),
                       capture_output=True, timeout=60)
    shutil.rmtree(directory, ignore_errors=True)


def main(argv):
    if len(argv) != 3 or argv[1] not in ("start", "stop"):
        print("usage: pgserver.py start|stop DIR", file=sys.stderr)
        return 2
    if argv[1] == "start":
        print(start(argv[2]))
    else:
        stop(argv[2])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
