#!/usr/bin/env bash
# make validate: can this machine tell a kernel change from noise?  Run
# it before trusting a compare (METHODOLOGY.md, "Validating a machine").
#
#   scripts/validate.sh [-r ROUNDS] [-b BUDGET] [-d DELAY_NS] [-s SCENARIOS]
#                       [-o DIR]
#
# (a) A/A: ROUNDS rounds (default 3) of two runs of the same kernel,
#     A and A' alternating, each `guard-bench run --budget BUDGET`
#     (default 60 s) of SCENARIOS (default: all); compare pools the A
#     runs against the A' runs.  Printed: the rows called better or
#     worse (false alarms) per row class.  Nothing should be.
# (b) A known delay: ROUNDS rounds alternating `-s install --backing
#     anon --pages 1` without and with tests/helpers/delay-shim.so
#     (DELAY_NS before every guard install, default 50), the delay the
#     shim really adds measured in each round by tests/helpers/delay-
#     probe, a program that shares no code with guard-bench.  Printed:
#     the install p50 change compare reports, with its interval, beside
#     the probe's figure; remove p50, which the shim does not touch.
# (c) The noise floor: from (a), per primary row, how much runs of this
#     kernel differ (sd of log replicate medians, pooled over A and A'),
#     written as DIR/noise-floor.tsv for `compare --noise-floor`, and
#     what it means: the change a compare of ROUNDS replicates a side
#     could detect, and whether this machine resolves 3%.
#
# Everything lands in DIR (default results/validate/<host>-<UTC time>/);
# the last line of the report is the answer.  Exit status: 0 the checks
# ran (read the answer), 1 a check found the suite wrong (a false alarm
# in (a), or (b) not seeing the delay), 2 usage, 3 a run failed.
set -uo pipefail
cd "$(dirname "$0")/.."
GB=bench/guard-bench
SHIM=$PWD/tests/helpers/delay-shim.so
PROBE=tests/helpers/delay-probe

say() { printf 'validate: %s\n' "$*" >&2; }
die() { say "error: $1"; exit "${2:-3}"; }
usage() { sed -n '2,/^set -uo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2; exit 2; }

ROUNDS=3 BUDGET=60 DELAY=50 SCEN="" OUT=""
while getopts r:b:d:s:o:h opt; do
	case $opt in
	r) ROUNDS=$OPTARG ;;
	b) BUDGET=$OPTARG ;;
	d) DELAY=$OPTARG ;;
	s) SCEN=$OPTARG ;;
	o) OUT=$OPTARG ;;
	*) usage ;;
	esac
done
case $ROUNDS in '' | *[!0-9]*) die "-r '$ROUNDS': give a number of rounds, 2 or more" 2 ;; esac
[ "$ROUNDS" -ge 2 ] || die "-r $ROUNDS: each side needs 2 runs or more to see how runs differ" 2
case $BUDGET in '' | *[!0-9.]*) die "-b '$BUDGET': give seconds per run, e.g. 60" 2 ;; esac
case $DELAY in '' | *[!0-9]*) die "-d '$DELAY': give the delay in ns, e.g. 50" 2 ;; esac
for f in "$GB" "$SHIM" "$PROBE"; do
	[ -e "$f" ] || die "$f is missing: run make validate (it builds it)" 3
done
OUT=${OUT:-results/validate/$(hostname)-$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$OUT" || die "cannot create $OUT: give -o a writable place" 3
start=$(date +%s)

# run SIDE ROUND ARGS...: one run into $OUT/SIDE/; its directory on stdout
run() {
	local side=$1 round=$2 log dir
	shift 2
	log=$OUT/$side-$round.log
	say "$(( $(date +%s) - start )) s: round $round/$ROUNDS, $side"
	"$@" -o "$OUT/$side" >"$log" 2>&1 ||
		die "round $round, $side failed: see $log" 3
	dir=$(sed -n 's/^results: \([^ ]*\).*/\1/p' "$log" | tail -n 1)
	[ -d "$dir" ] || die "round $round, $side: no results directory in $log" 3
	echo "$dir"
}

join() { local IFS=,; echo "$*"; }

# ---- (a) A/A ----------------------------------------------------------
aa=() ab=()
args=(run --budget "$BUDGET")
[ -n "$SCEN" ] && args+=(-s "$SCEN")
for r in $(seq 1 "$ROUNDS"); do
	aa+=("$(run A "$r" "$GB" "${args[@]}")") || exit 3
	ab+=("$(run A2 "$r" "$GB" "${args[@]}")") || exit 3
done
"$GB" compare --all --format tsv "$(join "${aa[@]}")" "$(join "${ab[@]}")" \
	>"$OUT/aa.tsv" 2>"$OUT/aa.err" || die "compare A/A failed: $(cat "$OUT/aa.err")" 3
"$GB" compare "$(join "${aa[@]}")" "$(join "${ab[@]}")" >"$OUT/aa.txt" 2>&1

# ---- (b) a known delay ------------------------------------------------
da=() db=() probe=()
dargs=(run -s install --backing anon --pages 1 --budget 10)
for r in $(seq 1 "$ROUNDS"); do
	da+=("$(run D0 "$r" "$GB" "${dargs[@]}")") || exit 3
	db+=("$(run D1 "$r" env GB_DELAY_NS="$DELAY" LD_PRELOAD="$SHIM" "$GB" "${dargs[@]}")") || exit 3
	p=$(GB_DELAY_NS="$DELAY" LD_PRELOAD="$SHIM" "$PROBE" | sed -n 's/^added_ns: //p')
	[ -n "$p" ] || die "the probe printed no added_ns" 3
	probe+=("$p")
done
"$GB" compare --all --format tsv "$(join "${da[@]}")" "$(join "${db[@]}")" \
	>"$OUT/delay.tsv" 2>"$OUT/delay.err" || die "compare of the delay failed: $(cat "$OUT/delay.err")" 3

# ---- (c) the noise floor, and the report --------------------------------
awk -F'\t' -v cpu="$(sed -n 's/^cpu_model: //p' "${aa[0]}/meta.txt")" '
	NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i
		  print "scenario\tcell\tmetric\tlog_sd\tdf\tcpu_model"; next }
	$c["primary"] != "yes" || $c["base_spread"] ~ /nan/ || $c["new_spread"] ~ /nan/ { next }
	{
		nb = $c["base_replicates"]; nn = $c["new_replicates"]
		if (nb < 2 || nn < 2) next
		v = ((nb - 1) * $c["base_spread"] ^ 2 + (nn - 1) * $c["new_spread"] ^ 2) / (nb + nn - 2)
		printf "%s\t%s\t%s\t%.6g\t%d\t%s\n", $c["scenario"], $c["cell"], $c["metric"], sqrt(v), nb + nn - 2, cpu
	}' "$OUT/aa.tsv" >"$OUT/noise-floor.tsv"

report() {
	local probe_med
	probe_med=$(printf '%s\n' "${probe[@]}" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }')
	echo "guard-bench validate: $(uname -r), $(nproc) CPUs, $ROUNDS rounds, $(( $(date +%s) - start )) s"
	echo
	echo "(a) A/A, same kernel both sides, $ROUNDS runs a side alternating:"
	awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		{
			cls = $c["primary"] == "yes" ? "primary" : ($c["direction"] == "none" ? "counts" : "descriptive")
			n[cls]++
			v = $c["verdict"]
			if (v == "better" || v == "worse" || v == "changed" || v == "differs") alarm[cls]++
			if (cls == "descriptive" && $c["ci_lo"] !~ /nan/ && ($c["ci_lo"] > 1.02 || $c["ci_hi"] < 0.98)) ci[cls]++
		}
		END {
			printf "    primary rows:     %d of %d called better/worse (false alarms)\n", alarm["primary"], n["primary"]
			printf "    lock-count rows:  %d of %d differ\n", alarm["counts"], n["counts"]
			printf "    descriptive rows: %d of %d with a 95%% CI beyond +-2%% (no verdict is given on them)\n", ci["descriptive"], n["descriptive"]
		}' "$OUT/aa.tsv"
	echo
	echo "(b) ${DELAY} ns asked before every guard install; the probe measured +${probe_med} ns (median of: ${probe[*]}):"
	awk -F'\t' -v probe="$probe_med" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		$c["metric"] == "install_latency_p50_ns" || $c["metric"] == "remove_latency_p50_ns" {
			d = $c["new_centre"] - $c["base_centre"]
			lo = $c["base_centre"] * ($c["ci_lo"] - 1); hi = $c["base_centre"] * ($c["ci_hi"] - 1)
			printf "    %-22s %+7.1f ns  95%% CI [%+.1f, %+.1f] ns  %s (det %.1f%%)\n",
				$c["metric"], d, lo, hi, $c["verdict"], $c["mde"] * 100
			if ($c["metric"] == "install_latency_p50_ns")
				inside = lo <= probe && probe <= hi
		}
		END {
			printf "    the probe'"'"'s +%.1f ns is %s the install interval\n", probe,
				inside ? "inside" : "OUTSIDE"
		}' "$OUT/delay.tsv"
	echo
	echo "(c) noise floor: $OUT/noise-floor.tsv (use: guard-bench compare --noise-floor FILE ...)"
	local med
	med=$(awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		$c["primary"] == "yes" && $c["mde"] !~ /nan/ { print $c["mde"] }' "$OUT/aa.tsv" |
		sort -g | awk '{ v[NR] = $1 } END { print NR ? v[int((NR + 1) / 2)] : "nan" }')
	awk -F'\t' -v rounds="$ROUNDS" -v med="$med" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		$c["primary"] == "yes" && $c["mde"] !~ /nan/ {
			n++; m = $c["mde"]
			if (m <= 0.03) ok++
			if ($c["metric"] == "install_latency_p50_ns" && $c["cell"] == "backing=anon pages=1") inst = m
		}
		END {
			printf "    between runs, per primary row: median %.1f%% detectable with %d replicates a side\n", med * 100, rounds
			if (inst != "") {
				# det shrinks about as 1 / sqrt(replicates)
				need = rounds * (inst / 0.03) ^ 2
				if (need > 1000)
					printf "    install p50 (anon, 1 page): %.1f%% detectable; over 1000 replicates a side would be needed for 3%%\n", inst * 100
				else
					printf "    install p50 (anon, 1 page): %.1f%% detectable; about %d replicates a side would resolve 3%%\n", inst * 100, need < rounds ? rounds : int(need + 0.999)
			}
			printf "Answer: this machine %s a 3%% change with %d replicates a side (%d of %d primary rows could).\n",
				ok == n ? "resolves" : (ok ? "resolves only some rows at" : "cannot resolve"), rounds, ok, n
		}' "$OUT/aa.tsv"
}
report | tee "$OUT/validate.txt"
# the suite itself wrong: a false alarm, or a delay not seen in full
bad=$(awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
	$c["primary"] == "yes" && ($c["verdict"] == "better" || $c["verdict"] == "worse") { n++ }
	END { print n + 0 }' "$OUT/aa.tsv")
[ "$bad" -eq 0 ] || { say "A/A raised $bad false alarm(s) on primary rows"; exit 1; }
exit 0
