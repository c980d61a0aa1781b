#!/usr/bin/env bash
# `make test` in a fresh Debian 12 chroot, as a new user would on a
# container or build host: debootstrap minbase (cached in
# $LAB_DIR/chroot/), a copy of this tree, /proc /sys /dev bind-mounted,
# then scripts/deps.sh installs the build and test packages and
# `make test` must pass with lock counts available (tracefs is not
# mounted in there and / is not a mount point).  With --arm64 it then
# installs the lab's tools (scripts/deps.sh lab) and boots Debian's arm64
# kernel with guard-bench cross-built against the lab's own sysroot: no
# arm64 package is installed in the chroot.
#
#   tests/lab/chroot.sh [--arm64]
#
# Needs root.  Everything is mounted in a private mount namespace, so
# nothing stays mounted whatever happens; the chroot's copy is removed
# at exit (CHROOT_KEEP=1 keeps it).  Exit status: 0 passed, 1 a check
# failed, 2 usage, 3 not root or debootstrap failed.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source-path=SCRIPTDIR/../../scripts/kernel
. scripts/kernel/lib.sh

ARM64=0
case ${1:-} in
--arm64) ARM64=1 ;;
'') ;;
*) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
[ "$(id -u)" -eq 0 ] || { say "error: needs root (debootstrap, chroot, mount): sudo $0"; exit 3; }
scripts/deps.sh chroot || exit 3

C=$LAB_DIR/chroot
BASE=$C/bookworm
mkdir -p "$C"
exec 8>"$C/lock"
flock 8
if [ ! -f "$BASE/.done" ]; then
	mirror=${DEBIAN_MIRROR:-$(find_mirror)}
	[ -n "$mirror" ] || die "no Debian mirror in /etc/apt/sources*: set DEBIAN_MIRROR=http://deb.debian.org/debian"
	say "debootstrap --variant=minbase bookworm from $mirror (log $C/debootstrap.log)"
	rm -rf "$BASE.tmp"
	debootstrap --variant=minbase bookworm "$BASE.tmp" "$mirror" >"$C/debootstrap.log" 2>&1 || {
		tail -n 5 "$C/debootstrap.log" >&2
		rm -rf "$BASE.tmp"
		say "error: debootstrap failed: see $C/debootstrap.log"
		exit 3
	}
	touch "$BASE.tmp/.done"
	mv "$BASE.tmp" "$BASE"
fi
flock -u 8

R=$(mktemp -d "$C/run-XXXXXX")
cleanup() {
	[ "${CHROOT_KEEP:-0}" = 1 ] && { say "kept $R"; return; }
	rm -rf --one-file-system "$R"
}
trap cleanup EXIT
start=$(now)
cp -a "$BASE/." "$R/"
mkdir -p "$R/gb"
git ls-files -co --exclude-standard -z | xargs -0 cp --parents -t "$R/gb"
# It reaches the mirror as this machine does: name servers, and apt's
# settings (a proxy, a snapshot mirror's expired Valid-Until).
cp -L /etc/resolv.conf "$R/etc/resolv.conf" 2>/dev/null || true
cp -L /etc/apt/apt.conf.d/* "$R/etc/apt/apt.conf.d/" 2>/dev/null || true
[ ! -f /etc/apt/apt.conf ] || cp -L /etc/apt/apt.conf "$R/etc/apt/"

# What runs inside: the README's steps for a machine without make.
cat >"$R/gb/.chroot-test" <<EOF
set -eu
cd /gb
export DEBIAN_FRONTEND=noninteractive
scripts/deps.sh build test
rc=0
make test || rc=\$?
bench/guard-bench detect | grep -E '^(guard_path|tracefs):' || true
if [ $ARM64 = 1 ]; then
	scripts/deps.sh lab
	img=\$(scripts/kernel/debian.sh image arm64 sid)
	VM_TIMEOUT=600 scripts/vm/run.sh "\$img" arm64 detect || rc=\$?
fi
exit \$rc
EOF
say "make test in a fresh Debian 12 chroot ($R)"
rc=0
unshare -m --propagation private sh -c '
	r=$1
	mount --bind /proc "$r/proc" && mount --bind /sys "$r/sys" &&
	mount --bind /dev "$r/dev" &&
	exec chroot "$r" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root LANG=C.UTF-8 /bin/bash /gb/.chroot-test' sh "$R" \
	>"$C/last.log" 2>&1 || rc=$?
last=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$C/last.log" | head -n 1 || true)
path=$(sed -n 's/^guard_path: *\([a-z-]*\).*/\1/p' "$C/last.log" | head -n 1)
say "in $(elapsed "$start") s: make test: ${last:-no result}; guard_path: ${path:-none}; exit $rc (log $C/last.log)"
if [ "$rc" -ne 0 ] || [ -z "$last" ] || [ "${last#* passed, }" != "0 failed" ]; then
	grep -E '^not ok|error' "$C/last.log" | head -n 20 >&2 || true
	tail -n 5 "$C/last.log" >&2
	say "error: make test in the chroot failed"
	exit 1
fi
if [ -z "$path" ] || [ "$path" = unknown ]; then
	grep -m1 '^guard_path' "$C/last.log" >&2 || true
	say "error: no lock counts in the chroot"
	exit 1
fi
if [ "$ARM64" = 1 ] && ! grep -q '^run.sh: guest .* (arm64, .*guard-bench exited 0' "$C/last.log"; then
	tail -n 15 "$C/last.log" >&2
	say "error: the arm64 guest did not run guard-bench (cross-built against the lab's sysroot)"
	exit 1
fi
echo "chroot: ok"
