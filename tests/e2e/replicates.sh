#!/usr/bin/env bash
# run -R: replicates as re-execs, each in its own cell order, merged;
# a signal during a replicate; --interleave.  TAP-style lines, then
# "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
. tests/lib.sh
GB=bench/guard-bench
T=$(mktemp -d /tmp/guard-bench-rep.XXXXXX)
trap 'rm -rf "$T"' EXIT

meta() { sed -n "s/^$2: //p" "$1/meta.txt"; }

# The cells of a run directory in the order they ran: first appearance
# in trials.tsv (written as trials finish).
ran_order() { awk -F'\t' 'NR > 1 && !seen[$2]++ { print $2 }' "$1/trials.tsv"; }
# The same from meta cell_order (rows of cells.tsv), cells with trials.
meta_order() {
	local d=$1
	meta "$d" cell_order | tr ',' '\n' | while read -r row; do
		label=$(awk -F'\t' -v r=$((row + 1)) 'NR == r { print $2 }' \
			"$d/cells.tsv")
		grep -qF "	$label	" "$d/trials.tsv" && echo "$label"
	done
}

# ---- usage errors: nothing written -------------------------------------
for args in "--interleave -s install" "-R 0 -s install" "-R x -s install"; do
	rm -rf "$T/u"
	$GB run -o "$T/u" $args >"$T/out" 2>"$T/err"
	rc=$?
	check "run $args: usage error, nothing written" \
		'[ $rc -eq 2 ] && [ ! -e "$T/u" ]'
done
check "--interleave without --emulate says what to add" \
	'$GB run --interleave -s install 2>&1 | grep -q "add --emulate write-lock"'
check "--help lists -R and --order-seed, not the internal --replicate" \
	'$GB run --help | grep -q -- "-R, --replicates N" &&
	 $GB run --help | grep -q -- "--order-seed SEED" &&
	 ! $GB run --help | grep -q -- "--replicate K"'

# ---- a plain run: one replicate, the new trials.tsv --------------------
$GB run -s install --backing anon -n 1 -d 0.02 -w 0.01 --order-seed 77 \
	-o "$T/p" >"$T/out" 2>"$T/err"
rc=$?
d=$(rundirs "$T/p")
check "plain run exits 0" '[ $rc -eq 0 ] && [ -n "$d" ]'
check "plain run: trials.tsv has the replicate column, all 1" \
	'[ "$(head -1 "$d/trials.tsv")" = "$(printf "scenario\tcell\treplicate\ttrial\tmetric\tvalue\tunit")" ] &&
	 [ "$(awk -F"\t" "NR > 1 { print \$3 }" "$d/trials.tsv" | sort -u)" = 1 ]'
check "plain run: meta replicates: 1, order_seed: 77, cell_order" \
	'[ "$(meta "$d" replicates)" = 1 ] && [ "$(meta "$d" order_seed)" = 77 ] &&
	 [ -n "$(meta "$d" cell_order)" ]'

# ---- -R 3: three re-execs merged ----------------------------------------
$GB run -s install -R 3 -n 2 -d 0.05 -o "$T/r" >"$T/out" 2>"$T/err"
rc=$?
d=$(rundirs "$T/r")
check "-R 3 exits 0 with one run directory" \
	'[ $rc -eq 0 ] && [ -n "$d" ] && [ $(rundirs "$T/r" | wc -l) -eq 1 ]'
check "a progress line per replicate" \
	'[ $(grep -c "^replicate [123]/3: done" "$T/err") -eq 3 ]'
check "trials.tsv header: scenario cell replicate trial metric value unit" \
	'[ "$(head -1 "$d/trials.tsv")" = "$(printf "scenario\tcell\treplicate\ttrial\tmetric\tvalue\tunit")" ]'
check "trials.tsv replicates are 1, 2 and 3" \
	'[ "$(awk -F"\t" "NR > 1 { print \$3 }" "$d/trials.tsv" | sort -u | tr "\n" " ")" = "1 2 3 " ]'
check "trials 1..2 in every replicate of a timed metric" \
	'[ "$(awk -F"\t" "\$5 == \"install_latency_p50_ns\" { print \$3 \$4 }" "$d/trials.tsv" | sort | uniq -c | awk "{ print \$1 }" | sort -u)" = 9 ]'
# each summary row's n is the count of its rows in trials.tsv: 3 x 2
# trials, or 3 x 1 for lock counts (one value per replicate; fewer where
# a replicate's lock phase saw no op, as on a loaded machine)
awk -F'\t' 'FNR == 1 { next } NR == FNR { c[$1 FS $2 FS $5]++; next }
	{ k = $1 FS $2 FS $3; if (c[k] != $5 || $5 > 6)
	  print "#   " k ": n = " $5 ", " c[k] + 0 " rows in trials.tsv" }' \
	"$d/trials.tsv" "$d/summary.tsv" >"$T/badn"
check "summary n = rows in trials.tsv (6 per timed metric, 3 per lock count)" \
	'[ ! -s "$T/badn" ] &&
	 grep -q "	install_latency_p50_ns	ns	6	" "$d/summary.tsv" &&
	 grep -q "	mmap_lock_read_per_pair	per pair	3	" "$d/summary.tsv"'
head -5 "$T/badn"
check "meta: replicates 3 of 3 planned, order_seed, command, complete" \
	'[ "$(meta "$d" replicates)" = 3 ] && [ "$(meta "$d" replicates_planned)" = 3 ] &&
	 [ -n "$(meta "$d" order_seed)" ] && meta "$d" command | grep -q -- "-R 3" &&
	 [ -n "$(meta "$d" started)" ] && [ "$(meta "$d" finished)" != - ] &&
	 [ "$(meta "$d" complete)" = yes ]'
check "check-run: the merged run parses and is consistent (n = 3 x trials)" \
	'tests/e2e/check-run "$d" >"$T/chk" 2>&1 || { sed "s/^/#   /" "$T/chk"; false; }'
check "replicates/r1..r3 are complete runs of their own" \
	'for k in 1 2 3; do [ "$(meta "$d/replicates/r$k" complete)" = yes ] || exit 1;
	 [ "$(meta "$d/replicates/r$k" replicate)" = $k ] || exit 1; done'
check "the merged run and a replicate load in compare" \
	'$GB compare "$d" "$d/replicates/r2" >/dev/null 2>"$T/cerr" ||
	 ! grep -q "error" "$T/cerr"'
o1=$(meta "$d/replicates/r1" cell_order)
o2=$(meta "$d/replicates/r2" cell_order)
o3=$(meta "$d/replicates/r3" cell_order)
check "each replicate ran its cells in a different order" \
	'[ "$o1" != "$o2" ] && [ "$o1" != "$o3" ] && [ "$o2" != "$o3" ]'
check "the order each ran in is its meta cell_order (seen in its trials.tsv)" \
	'for k in 1 2 3; do r="$d/replicates/r$k";
	 [ "$(ran_order "$r")" = "$(meta_order "$r")" ] || exit 1; done'
check "summary.tsv stays in plan order" \
	'[ "$(awk -F"\t" "NR > 1 && !s[\$2]++ { print \$2 }" "$d/summary.tsv")" = \
	   "$(awk -F"\t" "NR > 1 { print \$2 }" "$d/cells.tsv")" ]'
h=hist/install.backing-anon_pages-1.install.tsv
sum_counts() { awk -F'\t' 'NR > 1 { s += $2 } END { print s }' "$1"; }
check "hist/ counts are the replicates' summed" \
	'[ "$(sum_counts "$d/$h")" -eq $(( $(sum_counts "$d/replicates/r1/$h") +
	   $(sum_counts "$d/replicates/r2/$h") + $(sum_counts "$d/replicates/r3/$h") )) ]'

# ---- SIGINT during replicate 2 -----------------------------------------
rm -f "$T/err"	# the wait below must not read an older run's
$GB run -s install -R 3 -n 2 -d 0.05 -o "$T/i" >"$T/out" 2>"$T/err" &
pid=$!
# replicate 2 has finished trials once its progress reaches its second
# cell (a fixed sleep was too short for a sanitizer build under load)
for _ in $(seq 300); do
	sed -n '/replicate 2\/3: starting/,$p' "$T/err" 2>/dev/null |
		tr '\r' '\n' | grep -q '^\[2/' && break
	sleep 0.1
done
kill -INT $pid
wait $pid
rc=$?
d=$(rundirs "$T/i")
check "SIGINT during replicate 2: exit 5" '[ $rc -eq 5 ]'
check "SIGINT: replicate 1 merged, complete: no, stopped_by signal" \
	'[ -n "$d" ] && [ "$(meta "$d" replicates)" = 1 ] &&
	 [ "$(meta "$d" replicates_merged)" = r1 ] &&
	 [ "$(meta "$d" complete)" = no ] && meta "$d" stopped_by | grep -q signal &&
	 [ "$(awk -F"\t" "NR > 1 { print \$3 }" "$d/trials.tsv" | sort -u)" = 1 ]'
check "SIGINT: replicate 2 kept its finished trials (complete: no), no r3" \
	'[ "$(meta "$d/replicates/r2" complete)" = no ] && [ ! -e "$d/replicates/r3" ]'

# ---- a replicate that dies: the others merged, it is named ------------
rm -f "$T/err"
$GB run -s install --backing anon -R 3 -n 2 -d 0.1 -o "$T/k" >"$T/out" 2>"$T/err" &
pid=$!
for _ in $(seq 300); do
	grep -qs "replicate 2/3: starting" "$T/err" && break
	sleep 0.1
done
sleep 0.3
kill -9 $(pgrep -P $pid) 2>/dev/null
wait $pid
rc=$?
d=$(rundirs "$T/k")
# merged replicates are numbered 1..M in trials.tsv, in the order of
# replicates_merged (r1 is 1, r3 is 2)
check "a killed replicate: exit 1, r1 and r3 merged as 1 and 2, complete: no" \
	'[ $rc -eq 1 ] && [ "$(meta "$d" replicates_merged)" = r1,r3 ] &&
	 [ "$(meta "$d" complete)" = no ] &&
	 [ "$(awk -F"\t" "NR > 1 { print \$3 }" "$d/trials.tsv" | sort -u | tr "\n" " ")" = "1 2 " ]'
check "a killed replicate is named with why, on stderr and in meta.txt" \
	'grep -q "replicate 2/3 failed: killed by signal 9" "$T/err" &&
	 meta "$d" replicate_failures | grep -q "r2: killed by signal 9"'

# ---- --interleave: normal and emulated alternate ------------------------
$GB run -s install --backing anon -R 2 -n 2 -d 0.05 --emulate write-lock \
	--interleave -o "$T/x" >"$T/out" 2>"$T/err"
rc=$?
nd=$(rundirs "$T/x" | grep -v -- '-emulated$')
ed=$(rundirs "$T/x" | grep -- '-emulated$')
check "--interleave exits 0 with two run directories" \
	'[ $rc -eq 0 ] && [ -n "$nd" ] && [ -n "$ed" ] && [ $(rundirs "$T/x" | wc -l) -eq 2 ]'
check "--interleave prints both paths and the compare command" \
	'grep -q "^results normal: $nd" "$T/out" && grep -q "^results emulated: $ed" "$T/out" &&
	 grep -qF "guard-bench compare $nd $ed" "$T/out"'
check "each names the other: interleaved_with" \
	'[ "$(meta "$nd" interleaved_with)" = "$ed" ] && [ "$(meta "$ed" interleaved_with)" = "$nd" ]'
check "the emulated side is emulated, the normal one not" \
	'[ "$(meta "$nd" emulation)" = none ] && meta "$ed" emulation | grep -q "^write-lock" &&
	 meta "$ed/replicates/r2" emulation | grep -q "^write-lock" &&
	 [ "$(meta "$nd/replicates/r2" emulation)" = none ]'
check "replicates alternate: normal r1, emulated r1, normal r2, emulated r2" \
	'[ "$(meta "$nd" replicate_sequence)" = "normal:r1,emulated:r1,normal:r2,emulated:r2" ] &&
	 a=$(meta "$nd/replicates/r1" started) b=$(meta "$ed/replicates/r1" started) &&
	 c=$(meta "$nd/replicates/r2" started) e=$(meta "$ed/replicates/r2" started) &&
	 [[ ! "$b" < "$a" && ! "$c" < "$b" && ! "$e" < "$c" && "$a" < "$e" ]]'

# cells only the normal side runs (fork is not run under --emulate) are
# left out of its merge, said in meta.txt, not an error
$GB run -s install,fork --backing anon --pages 1 --guards 0 -R 2 -n 2 \
	-d 0.05 -w 0.01 --emulate write-lock --interleave -o "$T/xf" \
	>"$T/out" 2>"$T/err"
rc=$?
nd=$(rundirs "$T/xf" | grep -v -- '-emulated$')
check "--interleave with a scenario --emulate skips: both sides land" \
	'[ $rc -eq 0 ] && [ "$(rundirs "$T/xf" | wc -l)" -eq 2 ] &&
	 meta "$nd" rows_not_merged | grep -q "the emulated side does not run"'

# ---- --budget covers all replicates -------------------------------------
$GB run -s install --backing anon -R 2 -n 1 --budget 6 -o "$T/b" \
	>"$T/out" 2>"$T/err"
rc=$?
d=$(rundirs "$T/b")
check "--budget: each replicate runs with a share of it" \
	'[ $rc -eq 0 ] && meta "$d" budget_s | grep -q "^6 over all replicates" &&
	 meta "$d/replicates/r1" command | grep -q -- "--budget" &&
	 grep -q "^replicate 2/2: starting, budget" "$T/err"'

finish
