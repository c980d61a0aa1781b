#!/usr/bin/env bash
# End-to-end tests of compare, trend and the plots: on real short runs
# of this kernel and on synthetic run directories whose answer is known
# (identical, shifted +10% with little noise, very noisy).  TAP-style
# lines, then "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
. tests/lib.sh
on_fail() { show "$T/err" 5 head; }
GB=${GUARD_BENCH:-bench/guard-bench}
T=$(mktemp -d /tmp/guard-bench-compare.XXXXXX)
trap 'rm -rf "$T"' EXIT

# A TSV column by name, every row: col FILE NAME
col() {
	awk -F'\t' -v name="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == name) c = i; next }
		{ print $c }' "$1"
}

# At most 72 columns ("±" is one column, two bytes).
fits_72() { sed 's/±/+/g' "$1" | awk 'length > 72 { bad = 1 } END { exit bad }'; }

# ---- synthetic runs ----------------------------------------------------
# synth DIR SCALE NOISE SEED [KEY=VALUE...]: a run directory with two
# install cells, REPS replicates (default 5) of 10 trials each (TRIALS=
# to change), values base * SCALE * off[r] * (1 + NOISE * u): the u are
# evenly spaced over [-1, 1] in an order SEED shuffles; the replicate
# offsets off[r] are evenly spaced over [1 - REPNOISE, 1 + REPNOISE]
# (default 0.004, as a quiet machine), also shuffled, so every answer
# is known exactly (the ratio of centres is SCALE) and no seed can be
# lucky; one lock count per cell (n = 1).  KEY=VALUE lines replace
# meta.txt defaults; CELLS= adds cells ("a,b").
synth() {
	local dir=$1 scale=$2 noise=$3 seed=$4 trials=10 cells="" kv
	local reps=5 repnoise=0.004 ref=0
	shift 4
	mkdir -p "$dir"
	{
		echo "format_version: 1"
		echo "host: synthetic"
		echo "kernel_release: 6.19"
		echo "guard_path: mmap-read"
		echo "emulation: none"
		echo "cpu_model: Synthetic CPU"
		echo "governor: performance"
		echo "trials: 10"
		echo "duration_s: 1"
		echo "tool_version: test"
		echo "started: 2026-01-01T00:00:00Z"
		echo "complete: yes"
	} >"$dir/meta.txt"
	for kv in "$@"; do
		case $kv in
		TRIALS=*) trials=${kv#TRIALS=} ;;
		CELLS=*) cells=${kv#CELLS=} ;;
		REPS=*) reps=${kv#REPS=} ;;
		REPNOISE=*) repnoise=${kv#REPNOISE=} ;;
		REF=*) ref=${kv#REF=} ;;
		*)
			sed -i "/^${kv%%=*}: /d" "$dir/meta.txt"
			echo "${kv%%=*}: ${kv#*=}" >>"$dir/meta.txt"
			;;
		esac
	done
	awk -v scale="$scale" -v noise="$noise" -v seed="$seed" \
		-v trials="$trials" -v extra="$cells" -v dir="$dir" \
		-v reps="$reps" -v repnoise="$repnoise" -v ref="$ref" '
	function stats(key, unit,   i, j, k, x, s, m, sd, v) {
		k = n[key]
		for (i = 1; i <= k; i++) v[i] = val[key, i]
		for (i = 2; i <= k; i++)	# insertion sort, k is small
			for (j = i; j > 1 && v[j - 1] > v[j]; j--) {
				x = v[j]; v[j] = v[j - 1]; v[j - 1] = x
			}
		s = 0
		for (i = 1; i <= k; i++) s += v[i]
		m = s / k; sd = 0
		for (i = 1; i <= k; i++) sd += (v[i] - m) ^ 2
		sd = k > 1 ? sqrt(sd / (k - 1)) : 0
		x = k % 2 ? v[(k + 1) / 2] : (v[k / 2] + v[k / 2 + 1]) / 2
		split(key, p, SUBSEP)
		printf "%s\t%s\t%s\t%s\t%d\t%.10g\t%.10g\t%.10g\t%.10g\t%.10g\t%.10g\n",
			p[1], p[2], p[3], unit, k, x, v[1], v[k], m, sd, sd / m > (dir "/summary.tsv")
	}
	BEGIN {
		nc = split("backing=anon pages=1,backing=anon pages=16" (extra ? "," extra : ""), cell, ",")
		metric[1] = "install_latency_p50_ns"; unit[1] = "ns"; base[1] = 700
		metric[2] = "pairs_per_sec"; unit[2] = "ops/s"; base[2] = 1e6
		# REF=1: the speed reference, moving with the replicate
		nm = ref ? 3 : 2
		metric[3] = "ref_syscall_ns"; unit[3] = "ns"; base[3] = 200
		print "scenario\tcell\treplicate\ttrial\tmetric\tvalue\tunit" > (dir "/trials.tsv")
		for (c = 1; c <= nc; c++)
			for (r = 1; r <= reps; r++) {
				# 3 and 7 are prime to 5 and 10: each visits
				# every grid point once
				o = reps > 1 ? 1 + repnoise * (2 * ((3 * r + seed) % reps) / (reps - 1) - 1) : 1
				for (t = 1; t <= trials; t++)
					for (m = 1; m <= nm; m++) {
						u = trials > 1 ? 2 * ((7 * t + seed) % trials) / (trials - 1) - 1 : 0
						v = base[m] * c * scale * o * (1 + noise * u)
						key = "install" SUBSEP cell[c] SUBSEP metric[m]
						val[key, ++n[key]] = v
						printf "install\t%s\t%d\t%d\t%s\t%.10g\t%s\n", cell[c], r, t,
							metric[m], v, unit[m] > (dir "/trials.tsv")
					}
			}
		print "scenario\tcell\tmetric\tunit\tn\tmedian\tmin\tmax\tmean\tstddev\tcv" > (dir "/summary.tsv")
		for (c = 1; c <= nc; c++) {
			for (m = 1; m <= nm; m++)
				stats("install" SUBSEP cell[c] SUBSEP metric[m], unit[m])
			printf "install\t%s\tmmap_lock_read_per_pair\tper pair\t1\t2\t2\t2\t2\t0\t0\n",
				cell[c] > (dir "/summary.tsv")
		}
	}'
}

# A TSV column of the rows whose metric is M: mcol FILE M NAME
mcol() {
	awk -F'\t' -v m="$2" -v name="$3" 'NR == 1 { for (i = 1; i <= NF; i++) { if ($i == name) c = i; if ($i == "metric") k = i }; next }
		$k == m { print $c }' "$1"
}

S=$T/synth
synth "$S/base" 1 0.005 1
cp -r "$S/base" "$S/same"
synth "$S/base2" 1 0.005 21
synth "$S/shifted" 1.10 0.005 2
synth "$S/noisy_a" 1 0.005 3 REPNOISE=0.15
synth "$S/noisy_b" 1.03 0.005 4 REPNOISE=0.15

# ---- identical runs: equivalent everywhere ---------------------------
expect 0 "install_latency_p50_ns" "compare of two identical runs" -- \
	$GB compare --all --format tsv "$S/base" "$S/same"
cp "$T/out" "$T/same.tsv"
check "identical: primary rows equivalent, counts equal, the rest descriptive" \
	'[ "$(mcol "$T/same.tsv" install_latency_p50_ns verdict | grep -cx equivalent)" -eq 2 ] &&
	 [ "$(mcol "$T/same.tsv" mmap_lock_read_per_pair verdict | grep -cx equal)" -eq 2 ] &&
	 [ "$(mcol "$T/same.tsv" pairs_per_sec verdict | grep -cx -- -)" -eq 2 ]'
check "identical: ratio 1 and nothing significant" \
	'[ -z "$(col "$T/same.tsv" significant | grep -vx no)" ] &&
	 [ "$(col "$T/same.tsv" ratio | grep -vcx 1)" -eq 0 ]'

# ---- +10% with 0.5% noise: worse latency, CI excludes 1 ---------------
expect 0 "pairs_per_sec" "compare against a run shifted +10%" -- \
	$GB compare --all --format tsv "$S/base" "$S/shifted"
cp "$T/out" "$T/shift.tsv"
check "shifted: primary latency rows worse with ci_lo > 1, p_holm < 0.05" \
	'[ "$(mcol "$T/shift.tsv" install_latency_p50_ns verdict | grep -cx worse)" -eq 2 ] &&
	 [ -z "$(mcol "$T/shift.tsv" install_latency_p50_ns ci_lo | awk "\$1 <= 1")" ] &&
	 [ -z "$(mcol "$T/shift.tsv" install_latency_p50_ns p_holm | awk "\$1 >= 0.05")" ]'
check "shifted: ops/s rows descriptive, ratio 1.1 with an interval" \
	'[ "$(mcol "$T/shift.tsv" pairs_per_sec verdict | grep -cx -- -)" -eq 2 ] &&
	 [ -z "$(mcol "$T/shift.tsv" pairs_per_sec ratio | awk "\$1 < 1.0999 || \$1 > 1.1001")" ] &&
	 [ -z "$(mcol "$T/shift.tsv" pairs_per_sec ci_lo | awk "\$1 <= 1")" ]'
expect 0 "\+10\.0% +[0-9.]+% worse$" "text: the shift as +10.0%, its det, worse" -- \
	$GB compare "$S/base" "$S/shifted"
check "text: at most 72 columns, primary rows only" \
	'fits_72 "$T/out" && ! grep -q pairs_per_sec "$T/out"'
check "text: header names kernel, lock path and the replicates" \
	'grep -q "^base  6.19 mmap-read (5 replicates x 10 trials x 1 s)" "$T/out" &&
	 grep -q "^How to read:" "$T/out"'
expect 0 "^mmap_lock_read_per_pair +2.000 +2.000 +\+0.0%  equal$" \
	"--all: the lock count row says equal, without a test" -- \
	$GB compare --all "$S/base" "$S/shifted"
check "--all: at most 72 columns, descriptive rows with their CI" \
	'fits_72 "$T/out" && grep -q "^pairs_per_sec " "$T/out"'
expect 2 "unknown option '--seed'" "--seed is gone (no bootstrap): exit 2" -- \
	$GB compare --seed 7 "$S/base" "$S/shifted"
expect 0 "threshold 15%" "--threshold 15 is used and printed" -- \
	$GB compare --threshold 15 "$S/base" "$S/shifted"
check "--threshold 15: the +10% is no longer a change" \
	'! grep -qE "(worse|better)$" "$T/out"'
expect 0 "^\| install backing=anon pages=1 \| install_latency_p50_ns \(ns\) \|" \
	"markdown: one table row per primary metric" -- \
	$GB compare --format markdown "$S/base" "$S/shifted"

# ---- pooling runs of one kernel on a side -------------------------------
expect 0 "^base  6.19 mmap-read \(10 replicates" "two runs pooled: 10 replicates" -- \
	$GB compare "$S/base,$S/base2" "$S/shifted"
synth "$S/other_kernel" 1 0.005 22 kernel_release=6.20
expect 3 "cannot pool .*other_kernel.*: kernel_release differs \('6.20' and '6.19'\)" \
	"pooling two kernels on a side: refused, naming the key" -- \
	$GB compare "$S/base,$S/other_kernel" "$S/shifted"
expect 0 "base pools runs that differ in kernel_release" \
	"--force-pool: pooled, and the report says so" -- \
	$GB compare --force-pool "$S/base,$S/other_kernel" "$S/shifted"

synth "$S/t5" 1 0.005 3 TRIALS=5 trials=5
expect 0 "base pools runs of 10 and 5 trials a cell" \
	"pooled runs with other trial counts: named" -- \
	$GB compare "$S/base,$S/t5" "$S/shifted"
synth "$S/withfile" 1 0.005 23 "CELLS=backing=file pages=1"
expect 0 "base run .*base lacks 1 of the compared primary rows" \
	"a pooled run that lacks a cell: named, compared on the others" -- \
	$GB compare "$S/withfile,$S/base" "$S/withfile"

# ---- noise: inconclusive, never equivalent, and the det says why ------
check "noisy replicates: every primary row inconclusive, det above 10%" \
	'$GB compare --format tsv "$S/noisy_a" "$S/noisy_b" 2>/dev/null >"$T/noisy.tsv" &&
	 [ "$(mcol "$T/noisy.tsv" install_latency_p50_ns verdict | grep -cx inconclusive)" -eq 2 ] &&
	 [ -z "$(mcol "$T/noisy.tsv" install_latency_p50_ns mde | awk "\$1 <= 0.10")" ]'

# ---- the speed reference: a host whose speed moves the whole replicate --
synth "$S/speed_a" 1 0.005 3 REPNOISE=0.15 REF=1
synth "$S/speed_b" 1.05 0.005 4 REPNOISE=0.15 REF=1
sed -i '/^install\t[^\t]*\t[0-9]*\t[0-9]*\tref_syscall_ns\t/ s/\t\([0-9.]*\)\tns$/\t\1\tns/' "$S/speed_b/trials.tsv"
awk -F'\t' -v OFS='\t' '$5 == "ref_syscall_ns" { $6 = $6 / 1.05 } 1' "$S/speed_b/trials.tsv" >"$T/t" &&
	mv "$T/t" "$S/speed_b/trials.tsv"
awk -F'\t' -v OFS='\t' '$3 == "ref_syscall_ns" { $6 /= 1.05; $7 /= 1.05; $8 /= 1.05; $9 /= 1.05; $10 /= 1.05 } 1' \
	"$S/speed_b/summary.tsv" >"$T/t" && mv "$T/t" "$S/speed_b/summary.tsv"
check "speed moving whole replicates: raw, +5% hides in 15% noise" \
	'$GB compare --normalise none --format tsv "$S/speed_a" "$S/speed_b" 2>/dev/null >"$T/raw.tsv" &&
	 [ "$(mcol "$T/raw.tsv" install_latency_p50_ns verdict | grep -cx inconclusive)" -eq 2 ]'
check "normalised by the reference (the default): +5% found, worse" \
	'$GB compare --format tsv "$S/speed_a" "$S/speed_b" 2>/dev/null >"$T/norm.tsv" &&
	 [ "$(mcol "$T/norm.tsv" install_latency_p50_ns verdict | grep -cx worse)" -eq 2 ]'
expect 0 "latencies over the trial.s getppid time," \
	"the text says in its how-to-read that the latencies are normalised" -- \
	$GB compare "$S/speed_a" "$S/speed_b"
expect 0 "latencies over the same trial.s getppid time \(ref_syscall_ns\)" \
	"--format tsv warns that the latencies are normalised" -- \
	$GB compare --format tsv "$S/speed_a" "$S/speed_b"
check "... and --normalise none does not" \
	'! $GB compare --normalise none --format tsv "$S/speed_a" "$S/speed_b" 2>&1 >/dev/null |
	 grep -q "latencies over the same trial"'
expect 0 "^Verdicts on [0-9]+ primary rows: [0-9]+ better, [0-9]+ worse, [0-9]+ equiv., [0-9]+ incon." \
	"the verdicts on one line" -- $GB compare "$S/speed_a" "$S/speed_b"
expect 2 "--normalise: 'cycles': use syscall or none" "--normalise cycles: exit 2" -- \
	$GB compare --normalise cycles "$S/speed_a" "$S/speed_b"

# ---- one replicate a side: no verdict without a noise floor ------------
synth "$S/one_a" 1 0.005 5 REPS=1
synth "$S/one_b" 1.10 0.005 6 REPS=1
expect 0 "one replicate on a side and no noise floor" \
	"one replicate a side: warned, no verdict" -- $GB compare "$S/one_a" "$S/one_b"
check "... every primary row inconclusive though +10%" \
	'grep -qE "\+10\.0% +\? incon\.$" "$T/out" && ! grep -qE "worse$" "$T/out"'
printf 'scenario\tcell\tmetric\tlog_sd\tdf\tcpu_model\n' >"$T/floor.tsv"
printf 'install\tbacking=anon pages=%s\tinstall_latency_p50_ns\t0.01\t8\tSynthetic CPU\n' 1 16 >>"$T/floor.tsv"
expect 0 "judged with the noise floor" "--noise-floor: one replicate judged" -- \
	$GB compare --noise-floor "$T/floor.tsv" "$S/one_a" "$S/one_b"
check "... and called worse" 'grep -qE "\+10\.0% .* worse$" "$T/out"'
printf 'scenario\tcell\tmetric\tlog_sd\tdf\tcpu_model\ninstall\tc\tm\t-1\t8\tx\n' >"$T/badfloor.tsv"
expect 3 "--noise-floor: .*badfloor.tsv:2: log_sd must be >= 0" \
	"a bad noise floor: exit 3, file:line" -- \
	$GB compare --noise-floor "$T/badfloor.tsv" "$S/one_a" "$S/one_b"

# ---- warnings: one-sided cells, settings, complete: no ----------------
synth "$S/extra" 1 0.005 6 "CELLS=backing=file pages=1"
expect 0 "cell install backing=file pages=1 is in new only" \
	"a cell on one side only: warned" -- $GB compare "$S/base" "$S/extra"
synth "$S/settings" 1 0.005 7 governor=powersave smt=off
expect 0 "governor differs: base 'performance', new 'powersave'" \
	"a setting that skews numbers differs: warned" -- $GB compare "$S/base" "$S/settings"
synth "$S/partial" 1 0.005 8 complete=no
expect 3 "partial is incomplete \(complete: no\).*--allow-incomplete" \
	"complete: no is refused, with the fix" -- $GB compare "$S/base" "$S/partial"
expect 0 "new run .* is INCOMPLETE \(complete: no" \
	"--allow-incomplete: compared, marked INCOMPLETE" -- \
	$GB compare --allow-incomplete "$S/base" "$S/partial"
check "... and its name in the side's header says INCOMPLETE" \
	'grep -qE "^new +.*INCOMPLETE" "$T/out"'
expect 0 "INCOMPLETE" "--allow-incomplete --format markdown: marked in the table" -- \
	$GB compare --allow-incomplete --format markdown "$S/base" "$S/partial"
expect 0 "INCOMPLETE" "--allow-incomplete --format tsv: marked on every row" -- \
	$GB compare --allow-incomplete --format tsv "$S/base" "$S/partial"
# every row: new_label ends INCOMPLETE, base_label does not
new_marked() {
	awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		$c["new_label"] !~ /INCOMPLETE$/ || $c["base_label"] ~ /INCOMPLETE/ { bad++ }
		END { exit !(NR > 1 && !bad) }' "$1"
}
check "... in the new_label column, not in base_label" 'new_marked "$T/out"'
expect 0 "INCOMPLETE" "--allow-incomplete trend --format tsv: the label says so" -- \
	$GB trend --allow-incomplete --format tsv "$S/base" "$S/partial"
synth "$S/emulated" 1.5 0.005 9 "emulation=write-lock (proxy: test)"
expect 0 "^new +6.19 mmap-read EMULATED write-lock" \
	"an emulated side says EMULATED in the header" -- $GB compare "$S/base" "$S/emulated"

# ---- bad input ---------------------------------------------------------
expect 3 "$T/nope: no such directory: give a run directory" \
	"missing directory: exit 3 and the fix" -- $GB compare "$T/nope" "$S/base"
mkdir -p "$T/empty"
expect 3 "no meta.txt: not a guard-bench run directory" \
	"a directory without results: exit 3" -- $GB compare "$S/base" "$T/empty"
mkdir -p "$T/root/6.19" && cp -r "$S/base" "$T/root/6.19/box-1"
expect 3 "holds runs, it is not one: give $T/root/<kernel-release>" \
	"a results root instead of a run: exit 3 and the fix" -- $GB compare "$T/root" "$S/base"
cp -r "$S/base" "$S/bad_summary"
sed -i '3s/\t50\t/\tten\t/' "$S/bad_summary/summary.tsv"
expect 3 "bad_summary/summary.tsv:3: column 5: 'ten' is not a finite number" \
	"malformed summary.tsv line: file:line and what is wrong" -- \
	$GB compare "$S/base" "$S/bad_summary"
cp -r "$S/base" "$S/bad_trials"
sed -i '4s/\t[^\t]*\tns$/\t12abc\tns/' "$S/bad_trials/trials.tsv"
expect 3 "bad_trials/trials.tsv:4: column 6: '12abc' is not a finite number" \
	"malformed trials.tsv line: file:line and what is wrong" -- \
	$GB compare "$S/bad_trials" "$S/base"
cp -r "$S/base" "$S/short_trials"
sed -i '$d' "$S/short_trials/trials.tsv"
expect 3 "has 49 trials of install backing=anon pages=16 .* summary.tsv says n = 50" \
	"trials.tsv and summary.tsv disagree: exit 3" -- $GB compare "$S/base" "$S/short_trials"
cp -r "$S/base" "$S/edited_trials"
awk -F'\t' -v OFS='\t' 'NR > 1 && $5 == "install_latency_p50_ns" && $2 ~ /pages=1$/ { $6 *= 1.05 } 1' \
	"$S/base/trials.tsv" >"$S/edited_trials/trials.tsv"
expect 3 "summary.tsv says the median of install backing=anon pages=1 install_latency_p50_ns is .*: one file was edited" \
	"trials.tsv edited, summary.tsv not: refused, naming cell and metric" -- \
	$GB compare "$S/base" "$S/edited_trials"
cp -r "$S/base" "$S/dup_summary"
sed -n 2p "$S/base/summary.tsv" >>"$S/dup_summary/summary.tsv"
expect 3 "" "a summary row listed twice: refused" -- $GB compare "$S/base" "$S/dup_summary"
synth "$S/other" 1 0.005 10 kernel_release=6.18
sed -i 's/^install\t/faults\t/' "$S/other/trials.tsv" "$S/other/summary.tsv"
expect 6 "share no cell: nothing to compare" "no cell in common: exit 6" -- \
	$GB compare "$S/base" "$S/other"
synth "$S/noprimary" 1 0.005 10
sed -i 's/install_latency_p50_ns/install_latency_p90_ns/' "$S/noprimary/trials.tsv" "$S/noprimary/summary.tsv"
expect 6 "share no primary row" "no primary row in common: exit 6" -- \
	$GB compare "$S/noprimary" "$S/noprimary"
expect 2 "compare takes two sides" "one run: usage, exit 2" -- \
	$GB compare "$S/base"
expect 2 "unknown option '--bogus'" "unknown option: exit 2" -- \
	$GB compare --bogus "$S/base" "$S/same"
expect 2 "--threshold: '0' is out of range" "threshold 0: exit 2" -- \
	$GB compare --threshold 0 "$S/base" "$S/same"
expect 2 "--format: unknown format 'html'" "unknown format: exit 2" -- \
	$GB compare --format html "$S/base" "$S/same"
expect 2 "--format: unknown format 'markdown': use text or tsv" \
	"trend has no markdown: exit 2" -- $GB trend --format markdown "$S/base"
expect 0 "6  compare, trend: the runs share no cell" "--help documents exit 6" -- \
	$GB --help

# ---- cost: 10,000 trials a row (issue 15: was 20 s and 255 MB at 4000)
synth "$S/big_a" 1 0.01 1 REPS=10 TRIALS=1000
synth "$S/big_b" 1.05 0.01 2 REPS=10 TRIALS=1000
check "10,000 trials a row a side: compared in under 5 s within 64 MB" \
	'/usr/bin/time -f "%e %M" -o "$T/time" $GB compare "$S/big_a" "$S/big_b" >/dev/null 2>&1 &&
	 awk "{ exit !(\$1 < 5 && \$2 < 65536) }" "$T/time"'

# ---- trend: version order, pooled kernels, marked steps -----------------
R=$T/trend
synth "$R/a" 1 0.005 11 kernel_release=6.19
synth "$R/a2" 1 0.005 16 kernel_release=6.19 started=2026-01-02T00:00:00Z
synth "$R/b" 1 0.005 12 kernel_release=6.19-rc2
synth "$R/c" 1 0.005 13 kernel_release=6.19-rc1
synth "$R/d" 1.10 0.005 14 kernel_release=6.19.1
synth "$R/e" 1 0.005 15 kernel_release=6.18.44-fc-v595
expect 0 "guard-bench trend: 5 kernels \(6 runs\)" "trend over five kernels, two runs of one pooled" -- \
	$GB trend "$R/a" "$R/b" "$R/c" "$R/d" "$R/e" "$R/a2"
check "trend: kernel-version order, local build after its base" \
	'[ "$(grep -E "^ +[1-5]  [0-9]" "$T/out" | head -5 | awk "{ print \$2 }" | tr "\n" " ")" = \
	   "6.18.44-fc-v595 6.19-rc1 6.19-rc2 6.19 6.19.1 " ]'
check "trend: the pooled kernel has 10 replicates" \
	'grep -qE "^  4  6\.19 mmap-read 10 replicates" "$T/out"'
check "trend: the +10% step to 6.19.1 is marked worse" \
	'grep -qE "^  5  6\.19\.1 +[0-9.]+±[0-9.]+% +\+10\.0%\* worse" "$T/out"'
check "trend: steps between equal kernels are not marked" \
	'[ "$(grep -cE "^  [2-4]  .*\*" "$T/out")" -eq 0 ]'
check "trend: at most 72 columns" 'fits_72 "$T/out"'
expect 0 "step_verdict" "trend --format tsv" -- \
	$GB trend --format tsv "$R/a" "$R/b" "$R/c" "$R/d" "$R/e"
check "trend tsv: order 1..5 follows the version sort" \
	'[ "$(awk -F"\t" "NR > 1 && \$2 ~ /pages=1\$/ { print \$7 \":\" \$8 }" "$T/out" | tr "\n" " ")" = \
	   "1:6.18.44-fc-v595 2:6.19-rc1 3:6.19-rc2 4:6.19 5:6.19.1 " ]'
expect 0 "not shown \(--changed\)" "trend --changed hides unmarked rows" -- \
	$GB trend --changed --all "$R/a" "$R/b" "$R/c" "$R/d" "$R/e"
expect 6 "share no" "trend of runs with no cell in common: exit 6" -- \
	$GB trend "$S/base" "$S/other"

# ten kernels, a clean +5% step between the 6th and the 7th: marked,
# and nothing else (Holm within each step, not over the whole trend)
for i in 1 2 3 4 5 6 7 8 9 10; do
	sc=1; [ $i -ge 7 ] && sc=1.05
	synth "$R/ten/$i" $sc 0.005 $((30 + i)) kernel_release=7.$i
done
expect 0 "guard-bench trend: 10 kernels" "trend over ten kernels" -- \
	$GB trend "$R"/ten/*
check "ten kernels: the +5% step to 7.7 is marked worse, nothing else" \
	'[ "$(grep -cE "%\* worse" "$T/out")" -eq 2 ] &&
	 [ "$(grep -cE "%\*" "$T/out")" -eq 2 ] &&
	 [ "$(grep -E "%\* worse" "$T/out" | awk "{ print \$2 }" | sort -u)" = 7.7 ]'

# ---- real short runs on this kernel ------------------------------------
RUN=(run -s install,faults --backing anon --pages 1 -n 10 -d 0.05 -w 0.01)
$GB "${RUN[@]}" -o "$T/real/a" >/dev/null 2>"$T/err"
$GB "${RUN[@]}" -o "$T/real/b" >/dev/null 2>"$T/err"
$GB "${RUN[@]}" -o "$T/real/w" --emulate write-lock >/dev/null 2>"$T/err"
A=$(rundir "$T/real/a") B=$(rundir "$T/real/b") W=$(rundir "$T/real/w")
check "three real short runs (two plain, one --emulate write-lock)" \
	'[ -n "$A" ] && [ -n "$B" ] && [ -n "$W" ]'
expect 0 "^base  $(uname -r) mmap-read \(1 replicate x 10 trials" "compare two real runs" -- $GB compare "$A" "$B"
check "real: text fits 72 columns, one replicate a side: no verdict" \
	'fits_72 "$T/out" && grep -q "one replicate on a side" "$T/out" &&
	 ! grep -qE "(worse|better)$" "$T/out"'
nolocks=$(sed -n 's/^lock_accounting: \(.*tracefs.*\)/\1/p' "$A/meta.txt" 2>/dev/null)
if [ -n "$nolocks" ]; then
	echo "# lock counts unavailable here, lock rows not checked: $nolocks"
else
	expect 0 "^mmap_lock_read_per_pair " "real --all: lock counts shown without a test" -- \
		$GB compare --all "$A" "$B"
	expect 0 "mmap_lock_write_per_pair" "compare a real run with an emulated one" -- \
		$GB compare --all --format tsv "$A" "$W"
	check "real emulated: one more mmap_lock write per pair, seen as differs" \
		'awk -F"\t" "NR == 1 { for (i = 1; i <= NF; i++) c[\$i] = i; next }
			\$3 == \"mmap_lock_write_per_pair\" && \$2 ~ /same-vma/ && \$c[\"verdict\"] == \"differs\" { f = 1 } END { exit !f }" "$T/out"'
fi
expect 0 "guard-bench trend: 2 kernels \(3 runs\)" "trend over the real runs: the two plain runs pool" -- \
	$GB trend "$A" "$B" "$W"

# ---- plots: every script draws a non-empty PNG and SVG -----------------
png_svg() {	# png_svg PATTERN: every match exists as a real PNG and SVG
	local f found=0
	for f in "$T/plots"/$1.png; do
		[ -s "$f" ] && [ -s "${f%.png}.svg" ] || return 1
		[ "$(head -c 4 "$f" | tail -c 3)" = PNG ] || return 1
		grep -q "<svg" "${f%.png}.svg" || return 1
		found=1
	done
	[ $found -eq 1 ]
}
if command -v gnuplot >/dev/null 2>&1; then
	export PLOTS_DIR=$T/plots
	expect 0 "plots \(PNG and SVG\)" "plot.sh run" -- scripts/plot.sh run "$A"
	check "cdf.gp: latency CDFs" 'png_svg "run-cdf-*"'
	check "sweep.gp: contender sweeps" 'png_svg "run-sweep-*"'
	expect 0 "plots \(PNG and SVG\)" "plot.sh compare" -- scripts/plot.sh compare "$A" "$W"
	check "compare.gp: ratio charts" 'png_svg "compare-install_latency_p50_ns"'
	check "compare: CDFs with both runs" 'png_svg "compare-cdf-*"'
	expect 0 "plots \(PNG and SVG\)" "plot.sh trend" -- scripts/plot.sh trend "$A" "$B" "$W"
	check "trend.gp: trend lines" 'png_svg "trend-install.*"'
	check "trend: with an emulated run among them the title says (E: emulated)" \
		'grep -q "(E: emulated)" "$T/plots/trend-install.install_latency_p50_ns.svg"'
	check "survival.gp: install and remove tails on one log-log plot" \
		'png_svg "run-tail-*" && grep -q "install: " "$T/plots/compare-tail-install.backing-anon_pages-1.svg" &&
		 grep -q "remove: " "$T/plots/compare-tail-install.backing-anon_pages-1.svg"'
	check "plots say which data they draw: hist/ or trials.tsv" \
		'grep -q "data: hist/install.backing-anon_pages-1.install.tsv" "$T/plots/run-cdf-install.backing-anon_pages-1.install.svg" &&
		 grep -q "data: trials.tsv" "$T/plots/trend-install.install_latency_p50_ns.svg"'
	# faults sweeps 0, 1, 2, 4, ...: 0 and 1 only where one CPU is left
	if [ "$(sed -n "s/^max_contenders: //p" "$A/meta.txt")" -lt 2 ]; then
		check "a sweep of two contender counts: bars, and it says why" \
			'grep -q "bars, not a line" "$T/plots/run-sweep-install_latency_p99_ns-same-vma.svg"'
	else
		check "a sweep of three or more contender counts: a line" \
			'! grep -q "bars, not a line" "$T/plots/run-sweep-install_latency_p99_ns-same-vma.svg"'
	fi
	check "one overview PNG per drawing and an index.html of every PNG" \
		'png_svg "run-cdf-*" && [ -s "$T/plots/run-overview.png" ] && [ -s "$T/plots/trend-overview.png" ] &&
		 [ "$(grep -c "<img" "$T/plots/index.html")" -eq "$(ls "$T/plots"/*.png | wc -l)" ]'
	rm -rf "$T/plots"
	expect 0 "plots \(PNG and SVG\)" "plot.sh compare --allow-incomplete" -- \
		scripts/plot.sh compare --allow-incomplete "$S/base" "$S/partial"
	check "... the incomplete run is marked INCOMPLETE on the plot" \
		'grep -l "INCOMPLETE" "$T/plots"/compare-*.svg | grep -q .'
	rm -rf "$T/plots"
	expect 0 "plots \(PNG and SVG\)" "plot.sh compare of two runs of one release" -- \
		scripts/plot.sh compare "$A" "$B"
	check "... their CDF curves are told apart by run name" \
		'grep -q "\[${A##*/}\]" "$T/plots/compare-cdf-install.backing-anon_pages-1.install.svg" &&
		 grep -q "\[${B##*/}\]" "$T/plots/compare-cdf-install.backing-anon_pages-1.install.svg"'
	expect 0 "plots \(PNG and SVG\)" "plot.sh trend of two plain runs" -- \
		scripts/plot.sh trend "$A" "$B"
	check "... no (E: emulated) where no run was" \
		'! grep -q "(E: emulated)" "$T/plots/trend-install.install_latency_p50_ns.svg"'
	unset PLOTS_DIR
else
	echo "# gnuplot not installed: plot scripts not exercised"
fi

# ---- gnuplot missing: the table still prints, the plot step says how --
expect 7 "apt-get install gnuplot-nox" "plot.sh without gnuplot: exit 7 and how to install" -- \
	env GNUPLOT=/nonexistent/gnuplot scripts/plot.sh compare "$S/base" "$S/shifted"
expect 0 "apt-get install gnuplot-nox" "make compare without gnuplot: the hint ..." -- \
	make -s compare BASE="$S/base" NEW="$S/shifted" GNUPLOT=/nonexistent/gnuplot
check "... and the table" 'grep -q "^guard-bench compare: new against base" "$T/out"'
# make itself exits 2 when a recipe fails; the message is runs.sh's
expect 2 "need 2 complete runs of host .* under $T/empty/" \
	"make compare with no runs: says what to do" -- make -s compare RESULTS="$T/empty"

finish
