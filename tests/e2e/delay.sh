#!/usr/bin/env bash
# An injected delay appears in full (issue 12), the tolerant version
# that make test runs on any machine.  tests/helpers/delay-shim.so
# busy-waits before every guard install; tests/helpers/delay-probe
# measures what that really adds to a call.  guard-bench's install p50
# must move by the probe's figure, its remove p50 must not.
#
# Runs without and with the delay alternate (A B A B ...), so load
# falls on both.  The host also switches between speed states that
# move install and remove together by 50-190 ns from one run to the
# next (METHODOLOGY.md, "An injected delay, in full"), so install is
# read against remove of the same run, which the shim does not touch:
# per run the median over trials of install p50 - remove p50, per round
# B - A, the median over rounds.  Remove itself is read by each side's
# fastest trial.
#
#	tests/e2e/delay.sh [DELAY_NS [ROUNDS [TRIALS [RUNS]]]]
#
# TRIALS a run (default 5); RUNS a side per round (default 1): with 2,
# a round runs A B B A, which cancels a drift of the host's speed that
# is linear over the round, and each side is the median over both of
# its runs' trials.
#
# Tolerance: install within max(25% of the probe's delta, 20 ns) of it;
# remove must move less than install by max(50% of it, 20 ns): a state
# change moves both (remove by up to ~320 ns here), a remove delayed too
# would not.  The validation the
# issue asks for (+-10% or 5 ns, four quiet rounds at 50 and 100 ns) is
# the same measurement with DELAY_NS and ROUNDS given.
set -u
cd "$(dirname "$0")/../.."
. tests/lib.sh
GB=bench/guard-bench
SHIM=$PWD/tests/helpers/delay-shim.so
PROBE=tests/helpers/delay-probe
DELAY=${1:-400}
ROUNDS=${2:-3}
NTRIALS=${3:-5}
RUNS=${4:-1}
for a in "$DELAY" "$ROUNDS" "$NTRIALS" "$RUNS"; do
	case $a in
	'' | *[!0-9]* | 0)
		echo "delay.sh: '$a': give whole numbers above 0:" \
			"DELAY_NS ROUNDS TRIALS RUNS, e.g. 50 4 12 1" >&2
		exit 2
		;;
	esac
done
T=$(mktemp -d /tmp/guard-bench-delay.XXXXXX)
trap 'rm -rf "$T"' EXIT

if [ -n "${GB_SANITIZE:-}" ]; then
	# a sanitizer's runtime must come first in the preload order
	echo "# SANITIZE=$GB_SANITIZE: delay shim not preloaded"
	echo "0 passed, 0 failed"
	exit 0
fi

# guard-bench's subject CPU by default: the first this process may use
cpu=$(awk '/^Cpus_allowed_list/ { split($2, a, "[-,]"); print a[1] }' \
	/proc/self/status)

# The probe checks itself: without the shim it must see nothing.
out=$($PROBE "$cpu" 400 2>&1 | sed -n 's/^added_ns: //p')
check_num "probe without the shim sees no delay (${out:-?} ns)" \
	"\"$out\" != \"\" && $out > -15 && $out < 15"

added=$(GB_DELAY_NS=$DELAY LD_PRELOAD=$SHIM $PROBE "$cpu" 1000 |
	sed -n 's/^added_ns: //p')
check_num "probe sees the shim's delay ($DELAY ns asked, ${added:-?} ns added)" \
	"\"$added\" != \"\" && $added > $DELAY * 0.8"

# min over trials of a metric, over every run of one side; columns by
# the header's names, so a new column does not shift them
minof() {
	for f in "$T"/$1-*/*/*/*/trials.tsv; do
		awk -F'\t' -v m="$2" 'FNR == 1 { for (i = 1; i <= NF; i++)
				c[$i] = i; next }
			$c["metric"] == m { print $c["value"] }' "$f"
	done | sort -g | head -1
}

# the median of the numbers on stdin, one a line
median() {
	sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]
		else if (NR) print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# one side of a round: median over its trials of install p50 - remove p50
gap() {
	awk -F'\t' 'FNR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		{ t = FILENAME SUBSEP $c["replicate"] SUBSEP $c["trial"] }
		$c["metric"] == "install_latency_p50_ns" { a[t] = $c["value"] }
		$c["metric"] == "remove_latency_p50_ns" { b[t] = $c["value"] }
		END { for (t in a) if (t in b) print a[t] - b[t] }' \
		"$1"/*/*/*/trials.tsv | median
}

# one side of a round: median over its trials of a metric
medof() {
	awk -F'\t' -v m="$2" 'FNR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		$c["metric"] == m { print $c["value"] }' "$1"/*/*/*/trials.tsv | median
}

probe() {
	GB_DELAY_NS=$DELAY LD_PRELOAD=$SHIM $PROBE "$cpu" 1000 |
		sed -n 's/^added_ns: //p'
}

# Each round: a probe, the run without the delay (A), the run with it
# (B), a probe; the round's reference is the mean of its two probes, so
# a round is judged against what the shim added while it ran.
deltas=() rounds=()
for r in $(seq 1 "$ROUNDS"); do
	p1=$(probe)
	for k in $(seq 1 "$RUNS"); do
		order="a b"
		[ $((k % 2)) = 0 ] && order="b a"
		for side in $order; do
			d=0
			[ $side = b ] && d=$DELAY
			GB_DELAY_NS=$d LD_PRELOAD=$SHIM $GB run \
				-o "$T/$side-$r/$k" -s install --backing anon \
				--pages 1 -n $NTRIALS -d 0.2 -w 0.05 -e none \
				>/dev/null 2>"$T/err" ||
				{ not_ok "run $side-$r"; sed 's/^/#   /' "$T/err"; }
		done
	done
	p2=$(probe)
	ga=$(gap "$T/a-$r")
	gb=$(gap "$T/b-$r")
	deltas+=("$(awk -v a="${ga:-0}" -v b="${gb:-0}" 'BEGIN { print b - a }')")
	rounds+=("${p1:-0} ${p2:-0} $(medof "$T/a-$r" install_latency_p50_ns) \
$(medof "$T/b-$r" install_latency_p50_ns) \
$(medof "$T/a-$r" remove_latency_p50_ns) $(medof "$T/b-$r" remove_latency_p50_ns) \
$(medof "$T/a-$r" ref_syscall_ns) $(medof "$T/b-$r" ref_syscall_ns) ${deltas[-1]}")
done
di=$(printf '%s\n' "${deltas[@]}" | sort -g |
	awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
ra=$(minof a remove_latency_p50_ns)
rb=$(minof b remove_latency_p50_ns)
echo "# install - remove, B - A per round: ${deltas[*]} ns (median $di);" \
	"remove p50 (fastest trial): $ra -> $rb ns; probe: +$added ns"
# The issue's own bar, per round: install p50 (median over trials) of B
# minus A within max(10% of the round's probe, 5 ns) of the probe.  A
# round's remove p50, which the shim does not touch, and both runs'
# ref_syscall_ns medians are printed beside it: a change of the host's
# speed state between A and B moves install and remove together by
# 50-190 ns, more than the delay.  A round is quiet when its remove p50
# moved by less than max(10 ns, 1.5%): the issue's "remove p50
# unchanged", the control that says the round tested the delay and not
# the host.  (ref_syscall_ns alone does not tell the state here: on
# 2026-12-08 it read 190-221 ns in rounds whose remove p50 moved by
# less than 5 ns.)
printf '%s\n' "${rounds[@]}" | awk -v ask="$DELAY" '
	{ p = ($1 + $2) / 2; t = p * 0.1; if (t < 5) t = 5
	  raw = $4 - $3; rem = $6 - $5; dr = raw - p; if (dr < 0) dr = -dr
	  dd = $9 - p; if (dd < 0) dd = -dd
	  q = rem < 0 ? -rem : rem; lim = $5 * 0.015; if (lim < 10) lim = 10
	  q = q < lim
	  printf "# round %d: probe %.1f/%.1f ns; install p50 %+.1f ns (%s), " \
		"install - remove %+.1f ns (%s); remove p50 %+.1f ns; " \
		"ref_syscall_ns %.0f -> %.0f%s\n", NR, $1, $2, raw,
		dr <= t ? "held" : "missed", $9, dd <= t ? "held" : "missed",
		rem, $7, $8, q ? "" : " (not quiet: the host changed speed)"
	  n++; hr += dr <= t; hd += dd <= t
	  if (q) { m++; mr += dr <= t; md += dd <= t } }
	END { printf "# rounds within +-10%% (or 5 ns) of their probe, %d ns asked " \
		"(issue 12'"'"'s bar): install p50 %d of %d, install - remove %d of %d; " \
		"quiet rounds: install p50 %d of %d, install - remove %d of %d\n",
		ask, hr, n, hd, n, mr, m, md, m }'
tol=$(awk -v a="$added" 'BEGIN { t = a * 0.25; print (t > 20 ? t : 20) }')
rtol=$(awk -v a="$added" 'BEGIN { t = a * 0.5; print (t > 20 ? t : 20) }')
check_num "install p50 moves by the probe's delta ($di against +$added +- $tol ns)" \
	"\"$di\" != \"\" && $di - $added < $tol && $added - $di < $tol"
# Remove, untouched by the shim, moves by the host's speed state only
# (+323 ns between fastest trials in one quiet make test): it must move
# less than install, by at least half the probe's delta, and stay within
# that delta plus the state change install shows too.
ia=$(minof a install_latency_p50_ns)
ib=$(minof b install_latency_p50_ns)
check_num "remove p50 moves less than install ($ra -> $rb against $ia -> $ib, by > $rtol ns)" \
	"\"$rb\" != \"\" && \"$ra\" != \"\" && \"$ib\" != \"\" && \"$ia\" != \"\" && \
	 ($ib - $ia) - ($rb - $ra) > $rtol"

finish
