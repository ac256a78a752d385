"""A real staffgate-central for the benchmarks: tests/lib/centraltest's
Central, run from the binaries named on the benchmark's command line."""

import contextlib
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "lib"))


@contextlib.contextmanager
def engine_database(engine):
    """The `database` for a central on `engine`: "sqlite", or for
    "postgresql" a new database on a PostgreSQL 15 server started for the
    benchmark in a temp dir (fsync on, as in production; unix socket),
    stopped when the block ends."""
    if engine == "sqlite":
        yield "sqlite"
        return
    import pgserver  # noqa: E402
    pg_dir = tempfile.mkdtemp(prefix="sg-bench-pg-")
    os.chmod(pg_dir, 0o755)  # The server runs as nobody when we are root.
    try:
        yield pgserver.create_database(pgserver.start(os.path.join(pg_dir, "pg"), durable=True),
                                       prefix="bench")
    finally:
        pgserver.stop(os.path.join(pg_dir, "pg"))
        shutil.rmtree(pg_dir, ignore_errors=True)


def start_central(central_bin, admin_bin, root, database="sqlite", **conf):
    """Initialises a central on `database` in ROOT/central, sets each `conf` key of its
    central.conf (values as TOML text), serves it on a free port of
    127.0.0.1 and returns it (stop it with .stop()). Raises AssertionError
    when it does not come up."""
    os.environ["STAFFGATE_CENTRAL_BIN"] = central_bin
    os.environ["STAFFGATE_ADMIN_BIN"] = admin_bin
    import centraltest  # noqa: E402  (reads the binaries from the environment)
    central = centraltest.Central(root, database=database)
    for key, value in conf.items():
        central.set_conf(key, value)
    central.start()
    return central
