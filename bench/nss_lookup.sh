#!/usr/bin/env bash
# NSS lookup benchmark (docs/design.md §9, figures in docs/performance.md):
# getpwnam and initgroups (getgrouplist) through glibc, 10,000 and 100,000
# employees, served by libnss_staffgate.so.2 vs the same accounts in
# /etc/passwd and /etc/group. Each variant runs in a private user+mount
# namespace (unshare -rm) with bind-mounted nsswitch.conf/passwd/group, so
# no root and nothing on the machine changes.
# Usage: nss_lookup.sh BENCH_BINARY MODULE_DIR    (ninja bench_nss_lookup)
set -euo pipefail
bench=$1 module_dir=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
run_in() {  # NSSWITCH PASSWD GROUP N COUNT
  unshare -rm bash -c 'mount --bind "$1" /etc/nsswitch.conf && mount --bind "$2" /etc/passwd &&
    mount --bind "$3" /etc/group && exec "$4" measure "$5" "$6"' _ "$1" "$2" "$3" "$bench" "$4" "$5"
}
for n in 10000 100000; do
  d="$tmp/$n"; mkdir -p "$d"
  "$bench" generate "$n" "$d"
  # `files` reads the whole file per call: fewer samples at 100,000.
  files_count=$(( n >= 100000 ? 300 : 2000 ))
  echo "files ($n accounts in /etc/passwd and /etc/group):"
  run_in "$d/nsswitch-files" "$d/passwd-files" "$d/group-files" "$n" "$files_count"
  echo "staffgate (passwd: files staffgate, snapshot of $n employees):"
  LD_LIBRARY_PATH="$module_dir" STAFFGATE_NSS_DIR="$d/nss" \
    run_in "$d/nsswitch-staffgate" "$d/passwd-small" "$d/group-small" "$n" 20000
done
