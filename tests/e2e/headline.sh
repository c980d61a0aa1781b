#!/usr/bin/env bash
# End-to-end tests of what a run prints at its end (the headline, or
# the whole table with --verbose), --label, and `guard-bench report`.
# TAP-style lines, then "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
. tests/lib.sh
on_fail() { show "$T/err" 5 head; }
GB=${GUARD_BENCH:-bench/guard-bench}
T=$(mktemp -d /tmp/guard-bench-headline.XXXXXX)
trap 'rm -rf "$T"' EXIT
SHORT=(-n 3 -d 0.05 -w 0.01)

# at most LINES lines of at most COLS columns (characters, not bytes)
fits() {
	LC_ALL=C.UTF-8 awk -v lines="$2" -v cols="$3" '
		{ if (length($0) > cols) { print "line " NR " has " length($0) " columns" > "/dev/stderr"; bad = 1 } }
		END { if (NR > lines) { print NR " lines" > "/dev/stderr"; bad = 1 }; exit bad || !NR }' "$1"
}

# ---- the headline ---------------------------------------------------
expect 0 "^full table: .*/summary.txt$" "run ends with the headline and both paths" -- \
	$GB run "${SHORT[@]}" -s install,faults,scaling,fork -o "$T/a" --label "base try-1"
cp "$T/out" "$T/headline"
A=$(rundir "$T/a")
# the two path lines come on top and are as long as the path
check "headline: at most 40 lines, 80 columns but for the paths" \
	'fits "$T/headline" 40 9999 2>"$T/err" &&
	 grep -v "^results: \|^full table: " "$T/headline" >"$T/hl" && fits "$T/hl" 38 80 2>"$T/err"'
check "headline: names the run by its label and its lock path" \
	'grep -q "^base try-1 (.* $(sed -n "s/^guard_path: //p" "$A/meta.txt"))" "$T/headline" &&
	 grep -q "^lock path: " "$T/headline"'
check "headline: the uncontended install and remove p50 with a CI" \
	'tr "\n" " " <"$T/headline" | grep -qE "install, uncontended \(backing=anon pages=1\): install_latency_p50 [0-9.k]+ ns +\[[0-9.k]+, [0-9.k]+\]" &&
	 grep -q "remove_latency_p50" "$T/headline"'
check "headline: a ratio line per faults share, with a within-run interval" \
	'grep -qE "^  same-vma +faulters=[0-9]+ +x[0-9.]+ \[[0-9.]+, [0-9.]+\] +[0-9.]+ \[" "$T/headline" &&
	 grep -q "95% CI, this run" "$T/headline"'
check "headline: fork with guards against without" \
	'grep -qE "^  anon +guards=1024 +x[0-9.]+ (\[|\(no CI\))" "$T/headline" ||
	 { sed -n "/^fork/,/^  file/p" "$T/headline" >"$T/err"; false; }'
check "headline: a VM is warned about, only on one" \
	'[ "$(sed -n "s/^virt: //p" "$A/meta.txt")" = none ] && ! grep -q "^warning: a VM" "$T/headline" ||
	 grep -q "^warning: a VM ($(sed -n "s/^virt: //p" "$A/meta.txt"))" "$T/headline"'
check "headline: the results path is the run" \
	'[ "$(sed -n "s/^results: //p" "$T/headline")" = "$A" ]'
check "headline: not the whole table" '! grep -q "Each row: median" "$T/headline"'
check "meta.txt: label" 'grep -qx "label: base try-1" "$A/meta.txt"'

expect 0 "^  metric +median unit" "--verbose prints the whole table" -- \
	$GB run "${SHORT[@]}" -s install -o "$T/v" --verbose
check "--verbose: the table is summary.txt's, then both paths" \
	'V=$(rundir "$T/v"); head -n -3 "$T/out" | cmp -s - "$V/summary.txt" &&
	 grep -q "^results: $V$" "$T/out"'

# replicates (-R) merge into one run: its headline, not its table
expect 0 "^full table: .*/summary.txt$" "run -R 2: the merged run's headline and paths" -- \
	$GB run "${SHORT[@]}" -s install,faults -R 2 -o "$T/r" --label reps
check "run -R 2: at most 40 lines, 2 replicates named, no table" \
	'fits "$T/out" 40 9999 2>"$T/err" && tr "\n" " " <"$T/out" | grep -q "^reps (.*; 2 replicates *x 3 trials" &&
	 ! grep -q "Each row: median" "$T/out" &&
	 [ "$(sed -n "s/^results: //p" "$T/out")" = "$(rundir "$T/r")" ]'

# ---- --label: refused when it would break a file name or TSV --------
label_refused() {	# label_refused LABEL NAME-IN-MESSAGE
	rm -rf "$T/bad"
	expect 2 "--label: $2 at byte" "--label with $2: refused, named" -- \
		$GB run "${SHORT[@]}" -s install -o "$T/bad" --label "$1"
	[ -e "$T/bad" ] && not_ok "--label with $2: wrote $T/bad"
}
label_refused "$(printf 'a\tb')" "TAB"
label_refused "$(printf 'a\nb')" "newline"
label_refused "a/b" "'/'"
label_refused "$(printf 'a\033b')" "control character 0x1b"
expect 2 "--label: empty value" "--label '': refused" -- $GB run -s install -o "$T/bad" --label ""

# ---- report: the block under a cover letter --------------------------
V=$(rundir "$T/v")
mkdir -p "$T/plots"
expect 0 "^Test setup" "report BASE NEW: text" -- \
	env PLOTS_DIR="$T/plots" $GB report "$A" "$V"
cp "$T/out" "$T/report"
check "report: setup, compare's table, commands, plots, in that order" \
	'grep -n "^Test setup\|^guard-bench compare: \|^Reproduce$\|^Plots " "$T/report" |
	 cut -d: -f2 | cut -c1-6 | tr "\n" " " | grep -qx "Test s guard- Reprod Plots  "'
# a line may be wider only when it is one word (a path) that cannot break
check "report: the setup and commands fit 72 columns" \
	'sed "/^guard-bench compare: /,/^Reproduce$/d" "$T/report" |
	 grep -vE "^ *[^ ]+( \\\\)?$" >"$T/rest"; fits "$T/rest" 200 72 2>"$T/err"'
check "report: the base run named by its label, lock path, tool version" \
	'grep -q "^  base  *base try-1 (" "$T/report" && grep -q "^  guard_path_detail " "$T/report" &&
	 grep -q "^  tool_version " "$T/report"'
# shell continuations joined: each command as meta.txt has it
sed -e :a -e '/ \\$/N; s/ \\\n */ /; ta' "$T/report" >"$T/joined"
check "report: each run's command from meta.txt" \
	'grep -qxF "  $(sed -n "s/^command: //p" "$A/meta.txt")" "$T/joined" &&
	 grep -qxF "  guard-bench run -n 3 -d 0.05 -w 0.01 -s install -o $T/v --verbose" "$T/joined"'
check "report: says where the plots would be when there are none" \
	'grep -q "no compare plots in $T/plots/" "$T/report"'
touch "$T/plots/compare-install_latency_p50_ns.png" "$T/plots/compare-pmu_x.png"
expect 0 "^- \`$T/plots/compare-install_latency_p50_ns.png\`" \
	"report --format markdown: lists the primary metric's plot" -- \
	$GB report --format markdown --plots "$T/plots" "$A" "$V"
check "report markdown: setup table, compare's markdown, a code block" \
	'grep -q "^| kernel_release | " "$T/out" && grep -q "^\*\*guard-bench compare\*\*: .*base try-1" "$T/out" &&
	 [ "$(grep -c "^\`\`\`" "$T/out")" -eq 2 ] && grep -q "^and 1 more compare-" "$T/out"'

# the same cells, but no primary metric: nothing to report
cp -r "$A" "$T/noprimary"
$GB primary "$A" | awk -F'\t' 'NR > 1 { print $3 }' | sort -u >"$T/primary"
for f in summary.tsv trials.tsv; do
	awk -F'\t' 'NR == FNR { p[$1] = 1; next }
		FNR == 1 { for (i = 1; i <= NF; i++) if ($i == "metric") col = i }
		!($col in p)' "$T/primary" "$A/$f" >"$T/noprimary/$f"
done
expect 6 "share no primary row" "report: no shared primary row: exit 6" -- \
	$GB report "$A" "$T/noprimary"
expect 3 "" "report: a missing run: exit 3" -- $GB report "$A" "$T/nonexistent"
expect 2 "report takes two run directories" "report with one run: exit 2" -- $GB report "$A"
expect 2 "a report is text or markdown" "report --format tsv: exit 2" -- $GB report --format tsv "$A" "$V"
expect 2 "--plots needs a value" "report --plots without a directory: exit 2" -- \
	$GB report "$A" "$V" --plots

finish
