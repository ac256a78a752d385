#!/usr/bin/env python3
"""HR import at scale (docs/design.md §5 `import`).

Starts a real staffgate-central in a temp dir, imports --existing employees
(the seed), then times `staffgate-admin import` of a --rows file: the first
--existing rows of the seed with changed groups, the rest new. Meanwhile a
reader runs `staffgate-admin employee list` in a loop: its worst latency
shows whether an import blocks admin reads. Prints the load average, since
the machine is shared. Target: 50,000 rows into 60,000 in <= 10 s. With
--engines sqlite,postgresql the same runs on each store in turn
(PostgreSQL 15 started by the benchmark, fsync on: docs/design.md §12).

  central_import.py --central BIN --admin BIN [--existing 60000] [--rows 50000]
                    [--engines sqlite]
"""
import argparse
import os
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from benchcentral import engine_database, start_central  # noqa: E402

HEADER = "employee_id,name,accounts,status,groups\n"


def write_csv(path, rows):
    with open(path, "w") as f:
        f.write(HEADER)
        f.writelines(rows)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--central", required=True)
    ap.add_argument("--admin", required=True)
    ap.add_argument("--existing", type=int, default=60000)
    ap.add_argument("--rows", type=int, default=50000)
    ap.add_argument("--engines", default="sqlite",
                    help="sqlite and/or postgresql, comma-separated")
    args = ap.parse_args()
    for engine in args.engines.split(","):
        if engine not in ("sqlite", "postgresql"):
            ap.error("--engines takes sqlite and postgresql")
        print("== %s" % engine)
        with engine_database(engine) as database:
            run(args, database)


def run(args, database):
    with tempfile.TemporaryDirectory(prefix="sg-bench-import-") as tmp:
        # 110,000 accounts need more uids than the default uid_range holds.
        central = start_central(args.central, args.admin, tmp, database=database,
                                uid_range="[100000, 499999]")

        def admin(*a):
            t = time.monotonic()
            r = central.admin("--timeout", "600", *a, timeout=700)
            return time.monotonic() - t, r

        try:
            seed = os.path.join(tmp, "seed.csv")
            write_csv(seed, ("E%d,Person %d,u%d,active,*\n" % (i, i, i) for i in range(args.existing)))
            took, r = admin("import", seed)
            if r.returncode:
                sys.exit("seed import failed: " + r.stderr)
            print("seed: %d employees imported in %.2f s" % (args.existing, took))

            kept = min(args.rows, args.existing)
            big = os.path.join(tmp, "big.csv")
            write_csv(big, ("E%d,Person %d,u%d,active,sales\n" % (i, i, i) for i in range(args.rows)))
            reads, stop = [], threading.Event()

            def reader():
                while not stop.is_set():
                    lat, rr = admin("employee", "list", "--json")
                    reads.append((lat, rr.returncode))

            before = os.getloadavg()
            t = threading.Thread(target=reader)
            t.start()
            took, r = admin("import", big, "--missing", "report")
            stop.set()
            t.join()
            after = os.getloadavg()
            if r.returncode:
                sys.exit("import failed: " + r.stderr)
            print("import: %d rows (%d changed, %d new) into %d employees: %.2f s (client exit %d)"
                  % (args.rows, kept, args.rows - kept, args.existing, took, r.returncode))
            if reads:
                print("  employee list during the import: %d reads, worst %.2f s, all ok: %s"
                      % (len(reads), max(x for x, _ in reads), all(rc == 0 for _, rc in reads)))
            took2, r = admin("import", big)
            print("same file again (no change, no new serial): %.2f s" % took2)
            print("load average before/after the import: %.2f / %.2f (1 min)" % (before[0], after[0]))
            print("target <= 10 s: %s" % ("met" if took <= 10 else "NOT met"))
        finally:
            central.stop()


if __name__ == "__main__":
    main()
