#!/usr/bin/env bash
# guard-bench in mmtests, against mmtests' own code (the snapshot in
# ../shared/third_party): `make dist`, scripts/fleet/mmtests/install.sh
# into an unpacked mmtests, run-mmtests.sh with the quick config as
# `base` and `new` (mmtests builds guard-bench from the tarball), then
# compare-kernels.sh must show every lower-is-better primary row and
# compare-mmtests.pl -a higher the others; parse-results must fail
# loudly on a changed guard-bench output format, and a kernel without
# guard install (tests/helpers/no-guard) must fail the run with the
# reason.  Needs: libfile-which-perl libyaml-pp-perl (compare-kernels.sh).
set -uo pipefail
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

snap=$(third_party 'mmtests-*.tar.xz') || exit 1
make -s build tests/helpers/no-guard >/dev/null || { echo "make build failed"; exit 1; }
tarball=$(make -s dist DIST_VERSION=fleet-test) || { echo "make dist failed"; exit 1; }
tar -xJf "$snap" -C "$T"
MM=$T/mmtests
check "install.sh installs guard-bench into an mmtests checkout" \
	scripts/fleet/mmtests/install.sh "$MM" "$tarball"

export GUARDBENCH_VERSION=fleet-test AUTO_PACKAGE_INSTALL=yes
cfg=configs/config-workload-guard-bench-quick
for k in base new; do
	rc=0
	(cd "$MM" && ./run-mmtests.sh --no-monitor --config $cfg "$k") >"$T/$k.log" 2>&1 || rc=$?
	logs=$MM/work/log/$k/iter-0/guardbench/logs
	if [ "$rc" -eq 0 ] && [ -s "$logs/primary-1.tsv" ] && [ -s "$logs/primary-2.tsv" ]; then
		ok "run-mmtests.sh $k: guard-bench built from 'make dist', two runs with their primary rows"
	else
		show "$T/$k.log"
		not_ok "run-mmtests.sh $k: guard-bench built from 'make dist', two runs with their primary rows (exit $rc)"
	fi
done

(cd "$MM/work/log" && ASSUME_PACKAGE_INSTALLED=yes ../../compare-kernels.sh \
	--baseline base --compare new) >"$T/compare.txt" 2>"$T/compare.err"
logs=$MM/work/log/base/iter-0/guardbench/logs
# Every lower-is-better primary row, as mmtests labels it, has an Amean line.
missing=$(awk -F'\t' 'NR > 1 && $6 == "lower" { c = $2; gsub(/ /, ",", c); print $3 "-" $1 ":" c }' \
	"$logs/primary-1.tsv" | while read -r label; do
		grep -q "^Amean  *$label  *[0-9.]* (   0.00%)  *[0-9.]*" "$T/compare.txt" || echo "$label"
	done)
if grep -q '^guardbench$' "$T/compare.txt" && [ -z "$missing" ] &&
	[ "$(awk -F'\t' 'NR > 1 && $6 == "lower"' "$logs/primary-1.tsv" | wc -l)" -gt 0 ]; then
	ok "compare-kernels.sh --baseline base --compare new shows each lower-is-better primary row"
else
	show "$T/compare.txt" 40
	echo "#   missing: $missing"
	not_ok "compare-kernels.sh --baseline base --compare new shows each lower-is-better primary row"
fi
(cd "$MM/work/log" && PATH=$PATH:$MM/bin compare-mmtests.pl -d . -b guardbench -a higher \
	-n base,new) >"$T/higher.txt" 2>/dev/null
if grep -q '^Hmean  *fault_rate_vs_control-faults:share=same-vma,faulters=1 ' "$T/higher.txt"; then
	ok "compare-mmtests.pl -a higher shows the higher-is-better rows (Hmean)"
else
	show "$T/higher.txt"
	not_ok "compare-mmtests.pl -a higher shows the higher-is-better rows (Hmean)"
fi

# parse-results: one line per trial of each primary row, values from trials.tsv.
pr=$MM/shellpack_src/src/guardbench/parse-results
"$pr" "$logs" >"$T/parsed.txt" 2>"$T/parsed.err"
run=$(find "$logs/iter-1" -mindepth 2 -maxdepth 2 -type d | head -n 1)
# The first trial's value, by trials.tsv's own header.
want=$(awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
	$col["metric"] == "install_latency_p50_ns" && $2 == "backing=anon pages=1" { print $col["value"]; exit }' \
	"$run/trials.tsv")
got=$(awk -F'\t' '$1 == "install_latency_p50_ns" && $2 == "install:backing=anon,pages=1" && $4 == 1 { print $5 }' \
	"$T/parsed.txt")
if [ -n "$want" ] && [ "$want" = "$got" ] && [ "$(wc -l <"$T/parsed.txt")" -eq 24 ]; then
	ok "parse-results: one line per trial and row (4 rows x 3 trials x 2 runs), values from trials.tsv"
else
	show "$T/parsed.txt"
	not_ok "parse-results: one line per trial and row (want 24 lines, trial 1 = '$want', got '$got')"
fi

# A changed output format fails loudly, never an empty table.
bad=$T/bad
breaks=(
	"primary header|primary-1.tsv|1s/direction/better/|header is not"
	"primary row|primary-2.tsv|2s/\tlower\t/\tdown\t/|not 7 tab-separated"
	"trials column gone|iter-1/*/*/trials.tsv|2s/\t[0-9]*\t/\t/|tab-separated fields with a trial"
	"trials header|iter-1/*/*/trials.tsv|1s/trial/run/|header is not"
	"missing trials|iter-2/*/*/trials.tsv|/install_latency_p50_ns/d|has no trial"
)
for b in "${breaks[@]}"; do
	IFS='|' read -r what file expr msg <<<"$b"
	rm -rf "$bad"
	cp -r "$logs" "$bad"
	# shellcheck disable=SC2086 # a glob
	sed -i "$expr" $bad/$file
	rc=0
	"$pr" "$bad" >"$T/bad.out" 2>"$T/bad.err" || rc=$?
	if [ "$rc" -ne 0 ] && grep -q "error: .*$msg" "$T/bad.err"; then
		ok "parse-results fails loudly on a changed format: $what"
	else
		show "$T/bad.err"
		not_ok "parse-results fails loudly on a changed format: $what (exit $rc)"
	fi
done
rm -rf "$bad"
mkdir -p "$bad"
if ! "$pr" "$bad" >/dev/null 2>"$T/bad.err" && grep -q 'holds no primary-N.tsv' "$T/bad.err"; then
	ok "parse-results fails on a directory without guard-bench runs"
else
	not_ok "parse-results fails on a directory without guard-bench runs"
fi

# A kernel without MADV_GUARD_INSTALL: the run fails, naming the kernel.
rc=0
(cd "$MM" && "$ROOT/tests/helpers/no-guard" ./run-mmtests.sh --no-monitor --config $cfg noguard) \
	>"$T/noguard.log" 2>&1 || rc=$?
if grep -q "kernel $(uname -r) lacks MADV_GUARD_INSTALL" "$T/noguard.log" &&
	[ ! -e "$MM/work/log/noguard/iter-0/guardbench/logs/primary-1.tsv" ]; then
	ok "a kernel without guard install fails the mmtests run, naming the kernel (exit $rc)"
else
	show "$T/noguard.log"
	not_ok "a kernel without guard install fails the mmtests run, naming the kernel (exit $rc)"
fi

echo "# compare-kernels.sh, guardbench:"
sed -n '/^guardbench$/,/^$/p' "$T/compare.txt" | sed 's/^/#   /'
finish
