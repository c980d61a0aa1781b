#!/usr/bin/env bash
# A dead or stuck worker never hangs a run: a contender process killed
# (kill -9, the OOM killer) or stopped ends the run promptly with
# complete: no, exit 8, the reason in meta.txt and every finished cell
# kept; SIGINT still ends it within a trial or two.
# TAP-style lines, then "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
. tests/lib.sh
GB=bench/guard-bench
CHECK=tests/e2e/check-run
T=$(mktemp -d /tmp/guard-bench-lost.XXXXXX)
trap 'rm -rf "$T"' EXIT
now() { date +%s.%N; }
secs() { awk -v a="$(now)" -v b="$1" 'BEGIN { printf "%.2f\n", a - b }'; }

# Cells run in a random order; a seed that runs the plan's first cell
# first (share=none threads=1, no contender) gives a cell to keep.
seed=
for s in 1 2 3 4 5 6 7 8 9 10; do
	rm -rf "$T/probe"
	$GB run -o "$T/probe" -s scaling --share own-process -t 2 \
		--oversubscribe -n 1 -d 0.01 -w 0.01 -e none --order-seed $s \
		>/dev/null 2>&1
	if grep -q '^cell_order: 1,' "$T"/probe/*/*/meta.txt 2>/dev/null; then
		seed=$s
		break
	fi
done
echo "# order seed $seed runs share=none threads=1 first"

# Start a run whose second cell has one contender process; once it is
# a second into that cell, send it signal $1 (and SIGINT to the run
# $2 s later, if given).  Sets rc, took (s from the first signal), dir.
attack() {
	local sig=$1 int=${2:-} pid child i t0
	rm -rf "$T/res"
	$GB run -o "$T/res" -s scaling --share own-process -t 2 \
		--oversubscribe -n 20 -d 0.2 -w 0.05 -e none \
		${seed:+--order-seed $seed} >"$T/out" 2>"$T/err" &
	pid=$!
	child=
	for i in $(seq 300); do
		child=$(pgrep -P $pid | head -1)
		[ -n "$child" ] && break
		sleep 0.05
	done
	sleep 1
	t0=$(now)
	kill -"$sig" "$child"
	[ -n "$int" ] && { sleep "$int"; kill -INT $pid; }
	for i in $(seq 300); do
		kill -0 $pid 2>/dev/null || break
		sleep 0.05
	done
	if kill -0 $pid 2>/dev/null; then
		echo "# still running 15 s after SIG$sig: $(cat /proc/$pid/wchan)"
		kill -9 $pid "$child"
	fi
	wait $pid
	rc=$?
	took=$(secs "$t0")
	kill -CONT "$child" 2>/dev/null
	dir=$(find "$T/res" -mindepth 2 -maxdepth 2 -type d -not -name '.*')
	echo "# SIG$sig${int:+ then SIGINT}: exit $rc after $took s"
	sed 's/^/#   /' "$T/err" | grep -v 'trial [0-9]'
}
meta() { sed -n "s/^$1: //p" "$dir/meta.txt"; }
# distinct trials of the first cell (the column named "trial")
first_cell_trials() {
	awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "trial") c = i; next }
		$2 == "share=none threads=1" { print $c }' "$dir/trials.tsv" | sort -un | wc -l
}

attack KILL
check "contender killed: exit 8" '[ $rc -eq 8 ]'
check "contender killed: the run ends within 5 s ($took s)" \
	'[ -n "$took" ] && awk -v t="$took" "BEGIN { exit !(t < 5) }"'
check "contender killed: complete: no" '[ "$(meta complete)" = no ]'
check "contender killed: meta.txt says which process and how" \
	'meta stopped_by | grep -q "lost worker: .*contender process [0-9]* on CPU [0-9]* was killed by signal 9"'
check "contender killed: the finished cell is kept, all 20 trials" \
	'grep -q "share=none threads=1	done" "$dir/cells.tsv" && [ "$(first_cell_trials)" = 20 ]'
check "contender killed: the abandoned cell is partial with the reason" \
	'grep -q "share=own-process threads=2	partial.*killed by signal 9" "$dir/cells.tsv"'
check "contender killed: the run reads back as incomplete" \
	'$CHECK "$dir" incomplete >"$T/check" 2>&1 || { sed "s/^/# /" "$T/check"; false; }'
check "contender killed: no process of the run left" \
	'! pgrep -f "guard-bench run -o $T/res" >/dev/null'

attack STOP
check "contender stopped: exit 8" '[ $rc -eq 8 ]'
check "contender stopped: the run ends within the 5 s margin ($took s)" \
	'[ -n "$took" ] && awk -v t="$took" "BEGIN { exit !(t < 7) }"'
check "contender stopped: meta.txt says it did not reach the barrier" \
	'meta stopped_by | grep -q "contender process [0-9]* on CPU [0-9]* did not reach the phase barrier"'
check "contender stopped: the finished cell is kept" \
	'[ "$(first_cell_trials)" = 20 ]'
check "contender stopped: no process of the run left" \
	'! pgrep -f "guard-bench run -o $T/res" >/dev/null'

attack STOP 0.3
check "contender stopped, then SIGINT: exit 5" '[ $rc -eq 5 ]'
check "contender stopped, then SIGINT: ends within 3 s ($took s)" \
	'[ -n "$took" ] && awk -v t="$took" "BEGIN { exit !(t < 3) }"'
check "contender stopped, then SIGINT: stopped_by the signal" \
	'[ "$(meta stopped_by)" = "signal 2" ]'

finish
