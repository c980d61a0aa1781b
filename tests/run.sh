#!/usr/bin/env bash
# make test: every unit test binary, then the end-to-end tests; one
# closing line "N passed, N failed" over all of them.
set -u
cd "$(dirname "$0")/.."
pass=0 fail=0

for t in tests/unit/test_*; do
	case "$t" in *.c | *.d) continue ;; esac
	[ -x "$t" ] || continue
	echo "== $t"
	out=$("$t" 2>&1)
	rc=$?
	echo "$out"
	p=$(echo "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -1)
	f=$(echo "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -1)
	pass=$((pass + ${p:-0}))
	fail=$((fail + ${f:-0}))
	# a crash reports no count: count it as one failure
	if [ $rc -ne 0 ] && [ "${f:-0}" -eq 0 ]; then
		fail=$((fail + 1))
	fi
done

# every end-to-end script: each closes with "N passed, N failed"
for script in tests/e2e/*.sh; do
	echo "== $script"
	out=$("$script" 2>&1)
	rc=$?
	echo "$out" | sed '$d'
	last=$(echo "$out" | tail -1)
	p=$(echo "$last" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p')
	f=$(echo "$last" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\2/p')
	pass=$((pass + ${p:-0}))
	fail=$((fail + ${f:-0}))
	if [ $rc -ne 0 ] && [ "${f:-0}" -eq 0 ]; then
		fail=$((fail + 1))
	fi
done

echo
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
