#!/usr/bin/env bash
# Names from the machine go into result paths only as safe components:
# a host name of ../../evil/x (set in a UTS namespace of our own) must
# give one run directory inside the results root, the original kept in
# meta.txt.  TAP-style lines, then "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
. tests/lib.sh
GB=$PWD/bench/guard-bench
T=$(mktemp -d /tmp/guard-bench-names.XXXXXX)
trap 'rm -rf "$T"' EXIT

if ! unshare -u true 2>/dev/null; then
	echo "# no UTS namespace here (not root?): host name test skipped"
	echo "0 passed, 0 failed"
	exit 0
fi
mkdir -p "$T/a/b/res"
unshare -u sh -c "printf '%s' '../../evil/x' >/proc/sys/kernel/hostname &&
	exec '$GB' run -o '$T/a/b/res' -s install --backing anon --pages 1 \
	-n 2 -d 0.05 -w 0.01 -e none" >/dev/null 2>"$T/err"
rc=$?
run=$(find "$T/a/b/res" -mindepth 2 -maxdepth 2 -type d)
check "host ../../evil/x: the run succeeds (exit $rc)" '[ $rc -eq 0 ]'
check "host ../../evil/x: nothing outside the results root" \
	'[ -z "$(find "$T" -path "$T/a/b/res" -prune -o -path "$T/a/b" -o -path "$T/a" -o -path "$T" -o -name err -o -print)" ]'
check "host ../../evil/x: one run directory named _._.._evil_x-<time>" \
	'[ "$(echo "$run" | wc -l)" = 1 ] && case "${run##*/}" in _._.._evil_x-*) true ;; *) false ;; esac'
check "host ../../evil/x: meta.txt keeps the original and says how it was written" \
	'grep -qxF "host: ../../evil/x" "$run/meta.txt" && grep -q "^path_names: host and release written as _._.._evil_x" "$run/meta.txt"'
[ $fail -eq 0 ] || sed 's/^/# /' "$T/err"

finish
