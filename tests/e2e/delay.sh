#!/usr/bin/env bash
# An injected delay appears in full (issue 12), the tolerant version
# that make test runs on any machine.  tests/helpers/delay-shim.so
# busy-waits before every guard install; tests/helpers/delay-probe
# measures what that really adds to a call.  guard-bench's install p50
# must move by the probe's figure, its remove p50 must not.
#
# Runs without and with the delay alternate (A B A B ...), so load and
# the host's speed changes fall on both.  Each side is read by its
# fastest trial (the minimum of the per-trial p50s, robust for
# single-thread timings: noise only adds): on a host that switches
# between speeds, both minima then come from the fast state.
#
#	tests/e2e/delay.sh [DELAY_NS [ROUNDS]]
#
# Tolerance: the delta within max(25% of the probe's, 20 ns) of it;
# remove within max(25% of the probe's delta, 20 ns) of 0.  The
# validation the issue asks for (+-10% or 5 ns, four quiet rounds at 50
# and 100 ns) is the same measurement with DELAY_NS and ROUNDS given.
set -u
cd "$(dirname "$0")/../.."
GB=bench/guard-bench
SHIM=$PWD/tests/helpers/delay-shim.so
PROBE=tests/helpers/delay-probe
DELAY=${1:-200}
ROUNDS=${2:-3}
T=$(mktemp -d /tmp/guard-bench-delay.XXXXXX)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0 n=0

ok() { n=$((n + 1)); pass=$((pass + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n - $1"; }
check() { if awk "BEGIN { exit !($2) }"; then ok "$1"; else not_ok "$1"; fi; }

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
check "probe without the shim sees no delay (${out:-?} ns)" \
	"\"$out\" != \"\" && $out > -15 && $out < 15"

added=$(GB_DELAY_NS=$DELAY LD_PRELOAD=$SHIM $PROBE "$cpu" 1000 |
	sed -n 's/^added_ns: //p')
check "probe sees the shim's delay ($DELAY ns asked, ${added:-?} ns added)" \
	"\"$added\" != \"\" && $added > $DELAY * 0.8"

# min over trials of a metric, over every run of one side; columns by
# the header's names, so a new column does not shift them
minof() {
	for f in "$T"/$1-*/*/*/trials.tsv; do
		awk -F'\t' -v m="$2" 'FNR == 1 { for (i = 1; i <= NF; i++)
				c[$i] = i; next }
			$c["metric"] == m { print $c["value"] }' "$f"
	done | sort -g | head -1
}

for r in $(seq 1 "$ROUNDS"); do
	for side in a b; do
		d=0
		[ $side = b ] && d=$DELAY
		GB_DELAY_NS=$d LD_PRELOAD=$SHIM $GB run -o "$T/$side-$r" \
			-s install --backing anon --pages 1 -n 5 -d 0.2 -w 0.05 \
			-e none >/dev/null 2>"$T/err" ||
			{ not_ok "run $side-$r"; sed 's/^/#   /' "$T/err"; }
	done
done
ia=$(minof a install_latency_p50_ns)
ib=$(minof b install_latency_p50_ns)
ra=$(minof a remove_latency_p50_ns)
rb=$(minof b remove_latency_p50_ns)
echo "# install p50 (fastest trial): $ia -> $ib ns; remove p50: $ra -> $rb ns;" \
	"probe: +$added ns"
tol=$(awk -v a="$added" 'BEGIN { t = a * 0.25; print (t > 20 ? t : 20) }')
check "install p50 moves by the probe's delta (+$added +- $tol ns)" \
	"\"$ib\" != \"\" && \"$ia\" != \"\" && \
	 ($ib - $ia) - $added < $tol && $added - ($ib - $ia) < $tol"
check "remove p50 does not move (within +- $tol ns)" \
	"\"$rb\" != \"\" && \"$ra\" != \"\" && \
	 ($rb - $ra) < $tol && ($ra - $rb) < $tol"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
