#!/usr/bin/env bash
# Lock accounting where / is not a mount point (a chroot, many
# containers): guard-bench alone with its libraries in a directory, /proc
# /sys /dev bind-mounted (so tracefs is not mounted inside), run through
# chroot in a private mount namespace.  The tracepoint ids must come from
# a detached tracefs mount (fsmount): `detect` names a lock path and a run
# counts lock acquisitions.  tests/lab/chroot.sh does the same with a
# whole Debian and `make test`.  TAP-style lines, then "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
. tests/lib.sh
on_fail() { sed 's/^/#   /' "$T/out" | grep -E 'guard_path|tracefs|lock|error' | head -8; }
GB=bench/guard-bench
T=$(mktemp -d /tmp/guard-bench-chroot.XXXXXX)
trap 'rm -rf "$T"' EXIT
skip() { echo "# chroot tests skipped: $1"; echo "$pass passed, $fail failed"; exit 0; }

[ "$(id -u)" -eq 0 ] || skip "not root (chroot and mount need it)"
for tool in unshare chroot mount ldd; do
	command -v $tool >/dev/null || skip "$tool missing (apt-get install util-linux libc-bin)"
done
# A private namespace needs / to be a mount point: inside a chroot (this
# test run by tests/lab/chroot.sh) it is not, and that run is the test.
unshare -m --propagation private true 2>/dev/null ||
	skip "no private mount namespace here (already in a chroot?): tests/lab/chroot.sh covers it"

R=$T/root
mkdir -p "$R/proc" "$R/sys" "$R/dev" "$R/tmp" "$R/gb"
cp $GB "$R/gb/guard-bench"
ldd $GB | awk '/=> \// { print $3 } /^\t\// { print $1 }' | while read -r lib; do
	mkdir -p "$R$(dirname "$lib")"
	cp -L "$lib" "$R$lib"
done

# in_chroot CMD...: run CMD inside, output in $T/out, its status returned.
in_chroot() {
	unshare -m --propagation private sh -c '
		r=$1; shift
		mount --bind /proc "$r/proc" && mount --bind /sys "$r/sys" &&
		mount --bind /dev "$r/dev" && exec chroot "$r" "$@"' \
		sh "$R" "$@" >"$T/out" 2>&1
}

in_chroot /gb/guard-bench detect
rc=$?
if [ $rc -eq 0 ] && grep -qE '^guard_path: +(mmap-read|mmap-write|vma-read) \(mmap_lock acquisitions' "$T/out" &&
   grep -q '^tracefs: .*detached tracefs mount (fsmount)' "$T/out"; then
	ok "detect in a chroot: lock path measured through a detached tracefs mount"
else
	not_ok "detect in a chroot: lock path measured through a detached tracefs mount (exit $rc)"
fi
# Trials long enough that the lock phase sees ops on a loaded machine.
in_chroot /gb/guard-bench run -o /tmp/res -s install --backing anon \
	--pages 1 -n 2 -d 0.3 -w 0.01 -e none
rc=$?
sum=$(find "$R/tmp/res" -name summary.tsv 2>/dev/null | head -n 1)
if [ $rc -eq 0 ] && [ -n "$sum" ] &&
   awk -F'\t' '$3 == "mmap_lock_read_per_pair" && $6 > 0 { f = 1 } END { exit !f }' "$sum"; then
	ok "run in a chroot: mmap_lock acquisitions counted"
else
	not_ok "run in a chroot: mmap_lock acquisitions counted (exit $rc)"
	grep -h 'lock accounting' "$sum" "${sum%.tsv}.txt" 2>/dev/null | sed 's/^/#   /' | head -3
fi
if grep -q " $R/" /proc/self/mountinfo; then
	: >"$T/out"
	not_ok "nothing stays mounted after the chroot runs"
else
	ok "nothing stays mounted after the chroot runs"
fi

finish
