"""A real staffgate-central for the benchmarks: tests/lib/centraltest's
Central, run from the binaries named on the benchmark's command line."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "lib"))


def start_central(central_bin, admin_bin, root, **conf):
    """Initialises a central in ROOT/central, sets each `conf` key of its
    central.conf (values as TOML text), serves it on a free port of
    127.0.0.1 and returns it (stop it with .stop()). Raises AssertionError
    when it does not come up."""
    os.environ["STAFFGATE_CENTRAL_BIN"] = central_bin
    os.environ["STAFFGATE_ADMIN_BIN"] = admin_bin
    import centraltest  # noqa: E402  (reads the binaries from the environment)
    central = centraltest.Central(root)
    for key, value in conf.items():
        central.set_conf(key, value)
    central.start()
    return central
