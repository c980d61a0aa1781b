#!/usr/bin/env bash
# Two kernels compared the way drift cannot bias: boots alternate, base,
# new, base, new..., each boot one replicate, then `guard-bench compare`
# pools each side's boots.
#
#   scripts/vm/lab-compare.sh [-r ROUNDS] [-a ARCH] BASE NEW [RUN ARGS...]
#
#   scripts/vm/lab-compare.sh -r 3 \
#       .lab/kernels/linux-source-7.2-*/x86_64-stock/bzImage \
#       .lab/kernels/linux-source-7.2-*/x86_64-mmap-write/bzImage
#
# BASE and NEW are kernel images scripts/vm/run.sh boots (ARCH x86_64 by
# default); ROUNDS (default 3) boots of each, alternating; RUN ARGS go
# to `guard-bench run` inside (default: LAB_RUN_ARGS of lab.sh).  The
# runs land under $LAB_DIR/compare/<UTC time>/ (RESULTS_DIR overrides);
# the compare table, with --all, is printed and kept there as
# compare.txt; `BASE_RUNS:` and `NEW_RUNS:` lines give the pooled sides
# for other tools.  Under TCG the timing rows are functional only: the
# intervals include boot-to-boot variance, but no TCG time is a
# bare-metal time; the lock-count rows are what the lab can tell apart.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR/../kernel
. "$(dirname "$0")/../kernel/lib.sh"

usage() {
	sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2
	exit 2
}

ROUNDS=3
ARCH=x86_64
while getopts r:a:h opt; do
	case $opt in
	r) ROUNDS=$OPTARG ;;
	a) ARCH=$(arch_norm "$OPTARG") ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 2 ] || usage
BASE=$1 NEW=$2
shift 2
case $ROUNDS in
'' | *[!0-9]*) die "-r $ROUNDS: give a number of rounds, 2 or more" ;;
esac
[ "$ROUNDS" -ge 2 ] || die "-r $ROUNDS: a side needs 2 boots or more to measure how boots differ"
[ -f "$BASE" ] || die "$BASE: no such kernel image"
[ -f "$NEW" ] || die "$NEW: no such kernel image"
if [ $# -eq 0 ]; then
	# shellcheck disable=SC2206
	set -- ${LAB_RUN_ARGS:---quick -s install,faults --backing anon --pages 1 --share same-vma -n 3}
fi

out=${RESULTS_DIR:-$LAB_DIR/compare/$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$out"
export RESULTS_DIR=$out
V=$GB_ROOT/scripts/vm
base_runs=() new_runs=()
start=$(now)

# boot SIDE IMAGE ROUND: one replicate; its run directory on stdout
boot() {
	local side=$1 img=$2 round=$3 log rdir rc=0
	shift 3
	log=$out/$side-$round.log
	say "round $round/$ROUNDS: booting $side ($(basename "$(dirname "$img")")), $(elapsed "$start") s so far"
	"$V/run.sh" "$img" "$ARCH" run "$@" >"$log" 2>&1 || rc=$?
	rdir=$(sed -n 's/^run.sh: results: //p' "$log" | tail -n 1)
	if [ $rc -ne 0 ] || [ -z "$rdir" ]; then
		say "round $round: $side boot failed (status $rc): see $log"
		return 1
	fi
	echo "$rdir"
}

for round in $(seq 1 "$ROUNDS"); do
	base_runs+=("$(boot base "$BASE" "$round" "$@")") ||
		die "a base boot failed: nothing compared (logs in $out)"
	new_runs+=("$(boot new "$NEW" "$round" "$@")") ||
		die "a new boot failed: nothing compared (logs in $out)"
done

b=$(IFS=,; echo "${base_runs[*]}")
n=$(IFS=,; echo "${new_runs[*]}")
echo "BASE_RUNS: $b"
echo "NEW_RUNS: $n"
say "$ROUNDS rounds in $(elapsed "$start") s; comparing (TCG timings are functional only)"
make -s -C "$GB_ROOT" build >&2
"$GB_ROOT/bench/guard-bench" compare --all "$b" "$n" | tee "$out/compare.txt"
