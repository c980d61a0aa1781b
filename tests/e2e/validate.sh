#!/usr/bin/env bash
# make validate's script end to end, small: an A/A, the injected delay
# and the noise floor on the install scenario, its bad input, and the
# floor it writes read back by compare --noise-floor.  TAP-style lines,
# then "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
. tests/lib.sh
on_fail() { show "$T/err" 5; }
GB=bench/guard-bench
T=$(mktemp -d /tmp/guard-bench-validate.XXXXXX)
trap 'rm -rf "$T"' EXIT

if [ -n "${GB_SANITIZE:-}" ]; then
	# the delay shim cannot be preloaded ahead of a sanitizer's runtime
	echo "# SANITIZE=$GB_SANITIZE: validate needs the delay shim preloaded; not run"
	echo "0 passed, 0 failed"
	exit 0
fi

scripts/validate.sh -r 1 >"$T/out" 2>"$T/err"
check "-r 1: usage, exit 2, says why" '[ $? -eq 2 ] && grep -q "needs 2 runs or more" "$T/err"'
scripts/validate.sh -d fast >"$T/out" 2>"$T/err"
check "-d fast: usage, exit 2" '[ $? -eq 2 ] && grep -q "give the delay in ns" "$T/err"'

scripts/validate.sh -r 2 -b 4 -s install -d 200 -o "$T/v" >"$T/out" 2>"$T/err"
rc=$?
check "validate -r 2 -b 4 -s install: exit 0 or 1 (1: the suite saw a false alarm)" \
	'[ $rc -eq 0 ] || [ $rc -eq 1 ]'
check "report: the A/A, the delay beside the probe, the floor, the answer" \
	'grep -q "^(a) A/A" "$T/out" && grep -q "the probe measured +" "$T/out" &&
	 grep -qE "^    install_latency_p50_ns +[-+][0-9.]+ ns  95% CI" "$T/out" &&
	 grep -q "^(c) noise floor: " "$T/out" && grep -q "^Answer: this machine " "$T/out"'
check "progress lines on stderr, one per run" '[ "$(grep -c "round [12]/2" "$T/err")" -eq 8 ]'
check "noise-floor.tsv: header and a row per primary install row" \
	'head -1 "$T/v/noise-floor.tsv" | grep -qx "scenario	cell	metric	log_sd	df	cpu_model" &&
	 [ "$(grep -c "^install	" "$T/v/noise-floor.tsv")" -ge 2 ]'
one=$(find "$T/v/A" -mindepth 2 -maxdepth 2 -type d | head -1)
two=$(find "$T/v/A2" -mindepth 2 -maxdepth 2 -type d | head -1)
$GB compare --noise-floor "$T/v/noise-floor.tsv" "$one" "$two" >"$T/out" 2>"$T/err"
check "compare --noise-floor reads it: one replicate a side judged with the floor" \
	'[ $? -eq 0 ] && grep -q "judged with the noise floor" "$T/out"'

finish
