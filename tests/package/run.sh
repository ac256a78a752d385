#!/usr/bin/env bash
# Package install tests (issue: Debian packages). Root only: builds a
# throwaway Debian 12 root with mmdebstrap, installs the three .debs with
# apt, starts the packaged staffgate-central as its system user, enrolls the
# agent with `staffgatectl enroll`, and checks the generated PAM stack, real
# logins through the `login` service with pamtester, a live revocation by
# staffgate-admin, audit events at the central, an OpenSSH server with UsePAM,
# libpam-sss beside us, that an upgrade keeps config and state, and that purge
# restores the PAM stack byte for byte.
#
# Usage: run.sh DIST_DIR        Exit 0 pass, 1 fail, 77 skipped.
set -uo pipefail
dist=$(cd "${1:?usage: run.sh DIST_DIR}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)

if [ "$(id -u)" != 0 ]; then echo "SKIP: package tests need root"; exit 77; fi
for tool in mmdebstrap chroot mount; do
  command -v "$tool" >/dev/null || { echo "SKIP: $tool missing"; exit 77; }
done
ls "$dist"/libpam-staffgate_*.deb "$dist"/staffgate-agent_*.deb "$dist"/staffgate-central_*.deb >/dev/null || {
  echo "FAIL: packages missing in $dist"; exit 1; }

if command -v lintian >/dev/null; then
  if lintian --fail-on error --suppress-tags-from-file "$here/lintian-overrides" "$dist"/*.deb >"$dist/lintian.txt" 2>&1; then
    echo "PASS: lintian reports no errors ($(grep -c '^W:' "$dist/lintian.txt") warnings, see $dist/lintian.txt)"
  else
    echo "FAIL: lintian reports errors:"; grep '^E:' "$dist/lintian.txt"; lintian_failed=1
  fi
fi

cache=${STAFFGATE_TEST_CACHE:-/var/cache/staffgate-tests}
mkdir -p "$cache"
includes=pamtester,logrotate,libpam-runtime,passwd,procps,openssh-server,openssh-client,adduser,openssl,ca-certificates
base="$cache/bookworm-$(echo "$includes" | md5sum | cut -c1-8).tar"
if [ ! -s "$base" ]; then
  echo "building the Debian 12 base root (cached in $base)"
  if ! mmdebstrap --variant=apt --format=tar --include="$includes" bookworm "$base.tmp" >"$cache/mmdebstrap.log" 2>&1; then
    echo "SKIP: mmdebstrap could not build a Debian root (no mirror?); see $cache/mmdebstrap.log"
    rm -f "$base.tmp"; exit 77
  fi
  mv "$base.tmp" "$base"
fi

# repack_newer SRC DEST SUFFIX: the same packages under version VERSION+SUFFIX
# (no recompiling; Depends on "(= VERSION)" follow), for the upgrade test.
repack_newer() {
  local src=$1 dest=$2 suffix=$3 deb work pkg ver arch
  mkdir -p "$dest"
  for deb in "$src"/*.deb; do
    pkg=$(dpkg-deb -f "$deb" Package) ver=$(dpkg-deb -f "$deb" Version) arch=$(dpkg-deb -f "$deb" Architecture)
    work=$(mktemp -d)
    dpkg-deb -R "$deb" "$work/pkg" &&
      sed -i -e "s/^Version: .*/Version: $ver$suffix/" -e "s/(= ${ver//./\\.})/(= $ver$suffix)/g" \
        "$work/pkg/DEBIAN/control" &&
      dpkg-deb -Zxz --root-owner-group --build "$work/pkg" "$dest/${pkg}_$ver${suffix}_$arch.deb" >/dev/null
    local rc=$?
    rm -rf "$work"
    [ "$rc" = 0 ] || return 1
  done
}

root=$(mktemp -d /tmp/staffgate-pkgroot.XXXXXX)
cleanup() {
  pkill -KILL -f "$root" 2>/dev/null || true
  for m in dev/pts dev proc; do umount -l "$root/$m" 2>/dev/null || true; done
  rm -rf --one-file-system "$root"
}
trap cleanup EXIT
tar -C "$root" -xf "$base"
mount -t proc proc "$root/proc"
mount --bind /dev "$root/dev"
mount --bind /dev/pts "$root/dev/pts"
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
mkdir -p "$root/tmp/debs" && cp "$dist"/*.deb "$root/tmp/debs/"
cp "$here/in_root.sh" "$root/tmp/in_root.sh"
# A missing /tmp/debs-new counts as a failure inside the root.
repack_newer "$dist" "$root/tmp/debs-new" +upgradetest1 ||
  { echo "FAIL: repacking the packages under a newer version"; rm -rf "$root/tmp/debs-new"; }

chroot "$root" /bin/bash /tmp/in_root.sh
rc=$?
[ "${lintian_failed:-0}" = 1 ] && rc=1
exit $rc
