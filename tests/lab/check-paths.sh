#!/usr/bin/env bash
# The kernel lab as a test: build the 7.2 and 6.19.6 variants (stock,
# mmap-read, mmap-write), boot them and Debian's 7.2 (x86_64, arm64) and
# 6.1 kernels under qemu, and fail unless `guard-bench detect` in each
# reports the lock path that kernel must have.  Then one real run end to
# end on the arm64 kernel: its results come back complete and readable,
# the timer is the arm64 counter, calibrated, and the PMU path counted
# cycles (qemu's emulated PMU counts those for real).  `ok`/`not ok` lines, then
# `N passed, N failed`.
#
# Needs the lab's packages (scripts/packages.txt, group lab: lab.sh
# installs them through scripts/deps.sh, or names them all at once).  Cold cache on 2 CPUs: see README.md ("Comparing against the
# write-lock baseline kernel"); LAB_DIR points at the cache.
set -uo pipefail
cd "$(dirname "$0")/../.."
. tests/lib.sh
T=$(mktemp -d /tmp/guard-bench-lab.XXXXXX)
trap 'rm -rf "$T"' EXIT

scripts/vm/lab.sh --detect-only | tee "$T/lab.out"
last=$(tail -n 1 "$T/lab.out")
pass=$(echo "$last" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p')
fail=$(echo "$last" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\2/p')
pass=${pass:-0}
fail=${fail:-1}
n=$((pass + fail))

# ---- arm64 end to end ---------------------------------------------------
img=$(scripts/kernel/debian.sh image arm64 sid)
make -s tests/e2e/check-run
RESULTS_DIR=$T/res scripts/vm/run.sh "$img" arm64 run -s install \
	--backing anon --pages 1 -n 3 -d 0.1 -w 0.02 -e basic,sw \
	>"$T/arm64.out" 2>&1
rc=$?
d=$(find "$T/res" -mindepth 2 -maxdepth 2 -type d -not -name '.*' | head -1)
if [ "$rc" -eq 0 ] && [ -n "$d" ] && tests/e2e/check-run "$d" complete; then
	ok "arm64 guest: a run's results come back complete and readable"
else
	tail -n 20 "$T/arm64.out" | sed 's/^/#   /'
	not_ok "arm64 guest: a run's results come back complete and readable (exit $rc)"
fi
if [ -n "$d" ] && grep -q '^arch: aarch64$' "$d/meta.txt" &&
   grep -q '^timer: cntvct_el0$' "$d/meta.txt" &&
   awk -F': ' '$1 == "timer_ns_per_tick" && $2 > 0 { ok = 1 } END { exit !ok }' "$d/meta.txt" &&
   [ -s "$d/topology.xml" ]; then
	ok "arm64 guest: cntvct_el0 calibrated, topology exported"
else
	not_ok "arm64 guest: cntvct_el0 calibrated, topology exported"
fi
if [ -n "$d" ] && awk -F'\t' '$3 ~ /^pmu\.(CPU_)?CYCLES_per_pair$/ && $6 > 0 { ok = 1 }
	END { exit !ok }' "$d/summary.tsv"; then
	ok "arm64 guest: cycles counted per install+remove pair through libpfm4"
else
	grep '^pmu' "$d/meta.txt" 2>/dev/null | sed 's/^/#   /'
	not_ok "arm64 guest: cycles counted per install+remove pair through libpfm4"
fi

finish
