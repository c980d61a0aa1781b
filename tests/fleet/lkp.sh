#!/usr/bin/env bash
# guard-bench in lkp-tests, against lkp-tests' own code (the snapshot in
# ../shared/third_party): scripts/fleet/lkp/install.sh into an unpacked
# lkp-tests, its programs/guard-bench/run on this kernel with LKP's
# environment, `parse` on that output (the keys and values of the run's
# `guard-bench primary` and lock path), parse failing loudly on a changed
# format, run failing on a kernel without guard install
# (tests/helpers/no-guard), and sbin/split-job expanding the job.
# Needs: ruby ruby-activesupport ruby-tty-command ruby-git.
set -uo pipefail
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

snap=$(third_party 'lkp-tests-*.tar.xz') || exit 1
make -s build tests/helpers/no-guard >/dev/null || { echo "make build failed"; exit 1; }
tar -xJf "$snap" -C "$T"
LKP=$T/lkp-tests
check "install.sh installs guard-bench into an lkp-tests checkout" \
	scripts/fleet/lkp/install.sh "$LKP"
prog=$LKP/programs/guard-bench

# LKP's environment for a program: its source, the benchmark installed
# where PKGBUILD puts it, a result root, and the job's parameters.
mkdir -p "$T/bench/guard-bench" "$T/res"
cp bench/guard-bench "$T/bench/guard-bench/"
lkp_run() {
	env LKP_SRC="$LKP" BENCHMARK_ROOT="$T/bench" TMP_RESULT_ROOT="$T/res" \
		suite=guard-bench scenario=install,faults quick=1 trials=3 nr_threads=100% \
		args="--backing anon --pages 1 --share same-vma" "$@"
}
rc=0
lkp_run "$prog/run" >"$T/stdout" 2>"$T/stderr" || rc=$?
check "programs/guard-bench/run: a real run on this kernel (exit $rc)" [ "$rc" -eq 0 ]
[ "$rc" -eq 0 ] || show "$T/stderr"
run=$(find "$T/res/guard-bench" -mindepth 2 -maxdepth 2 -type d | head -n 1)

rc=0
LKP_SRC=$LKP "$prog/parse" <"$T/stdout" >"$T/stats" 2>"$T/parse.err" || rc=$?
# Expected: one stat per primary row, the value as `guard-bench primary` prints it.
bench/guard-bench primary "$run" | awk -F'\t' 'NR > 1 {
	c = $2; gsub(/ /, "_", c); gsub(/=/, "-", c); print $1 "." c "." $3 ": " $4 }' >"$T/want"
if [ "$rc" -eq 0 ] && [ -s "$T/want" ] && grep -vE '^(guard_path\.|mmap_lock_)' "$T/stats" | cmp -s - "$T/want"; then
	ok "parse: one stat per primary row, scenario.cell.metric: median"
else
	show "$T/parse.err"
	diff "$T/want" "$T/stats" | sed 's/^/#   /'
	not_ok "parse: one stat per primary row, scenario.cell.metric: median (exit $rc)"
fi
path=$(sed -n 's/^guard_path: //p' "$run/meta.txt")
if grep -qx "guard_path.$path: 1" "$T/stats" &&
	[ "$(grep -c '^mmap_lock_\(read\|write\)_per_\(install\|remove\): [0-9.]*$' "$T/stats")" -eq 4 ]; then
	ok "parse: the lock path ($path) and its four lock counts"
else
	not_ok "parse: the lock path ($path) and its four lock counts"
fi
check "parse: install.backing-anon_pages-1.install_latency_p50_ns is there" \
	grep -q '^install\.backing-anon_pages-1\.install_latency_p50_ns: [0-9.]*$' "$T/stats"

# A changed output format fails loudly, never empty stats.
breaks=(
	"header renamed|s/^scenario\tcell/scen\tcell/|before the header"
	"a field more|s/\tlower\t/\tlower\tx\t/|8 fields, not 7"
	"value not a number|s/\(faulters=1\t[a-z_]*\t\)[0-9.]*/\1n\/a/|is not a number"
	"lock counts reworded|s/per install:/per madvise:/|without lock counts"
	"no rows|/^[a-z]*\t/d|no primary row"
)
for b in "${breaks[@]}"; do
	IFS='|' read -r what expr msg <<<"$b"
	rc=0
	sed "$expr" "$T/stdout" | LKP_SRC=$LKP "$prog/parse" >/dev/null 2>"$T/bad.err" || rc=$?
	if [ "$rc" -ne 0 ] && grep -q "error: .*$msg" "$T/bad.err"; then
		ok "parse fails loudly on a changed format: $what"
	else
		show "$T/bad.err"
		not_ok "parse fails loudly on a changed format: $what (exit $rc)"
	fi
done

# A kernel without MADV_GUARD_INSTALL: run fails, naming the kernel.
rc=0
lkp_run tests/helpers/no-guard "$prog/run" >/dev/null 2>"$T/noguard.err" || rc=$?
if [ "$rc" -ne 0 ] && grep -q "kernel $(uname -r) lacks MADV_GUARD_INSTALL" "$T/noguard.err"; then
	ok "run fails on a kernel without guard install, naming it (exit $rc)"
else
	show "$T/noguard.err"
	not_ok "run fails on a kernel without guard install, naming it (exit $rc)"
fi

# split-job: the job expands into one job per scenario for a host.
cp "$LKP/hosts/vm-snb" "$LKP/hosts/fleet-test"
mkdir -p "$T/jobs"
(cd "$LKP" && LKP_SRC=$LKP ruby sbin/split-job -t fleet-test -o "$T/jobs" jobs/guard-bench.yaml) \
	>"$T/split.out" 2>&1
njobs=$(find "$T/jobs" -name 'guard-bench-*.yaml' | wc -l)
if [ "$njobs" -eq 8 ] && grep -q '^  scenario: faults$' "$T"/jobs/*-faults.yaml &&
	grep -q '^runtime: 300s$' "$T"/jobs/*-faults.yaml &&
	grep -q '^testbox: fleet-test$' "$T"/jobs/*-faults.yaml; then
	ok "sbin/split-job expands jobs/guard-bench.yaml into 8 jobs, one per scenario"
else
	show "$T/split.out"
	not_ok "sbin/split-job expands jobs/guard-bench.yaml into 8 jobs ($njobs)"
fi
check "pkg/PKGBUILD is valid shell naming the 'make dist' tarball" \
	bash -c ". /dev/null; bash -n '$prog/pkg/PKGBUILD' && grep -q '^source=(\"guardbench-\$pkgver.tar.gz\")' '$prog/pkg/PKGBUILD'"

echo "# parse output:"
sed 's/^/#   /' "$T/stats"
finish
