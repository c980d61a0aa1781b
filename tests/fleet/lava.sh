#!/usr/bin/env bash
# guard-bench in LAVA, for real: Debian's lava-dispatcher runs the job
# templates of scripts/fleet/lava/ with `lava-run` on a qemu device
# rendered from lava-server's device-type templates (TCG, -cpu max),
# booting the lab's tinyconfig 7.2 kernels (scripts/kernel/build.sh) and
# Debian 12's 6.1 (no MADV_GUARD_INSTALL) with the ramdisk of
# scripts/fleet/lava/ramdisk.sh, deployed to tmpfs with LAVA's overlay.
# Checks: every job and test definition valid by lava_common's schemas
# and broken ones refused; the job passes with every primary row as a
# measurement equal to the collected run's; collect gives a run
# directory that compare reads, and refuses a log without a stream, a
# truncated stream and a wrong sha256, writing nothing; the 6.1 job ends
# with a failing case naming the kernel; and the fleet loop: the stock
# and mmap-write kernels through LAVA, collected, then `guard-bench
# trend` over them.
#
# Needs: lava-dispatcher lava-common (Debian), qemu-system-x86, git, and
# what scripts/kernel/build.sh needs; LAB_DIR caches kernels as for the
# lab.  Call with Debian's /usr/bin/python3 first in mind: the LAVA
# scripts use it whatever PATH says.
set -uo pipefail
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR/../../scripts/kernel
. scripts/kernel/lib.sh

L=scripts/fleet/lava
RUN_ARGS="--quick -s install,faults --backing anon --pages 1 --share same-vma -n 3"
for t in lava-run qemu-system-x86_64 git dpkg-deb; do
	command -v "$t" >/dev/null || { echo "$t not found: apt-get install --no-install-recommends lava-dispatcher lava-common qemu-system-x86 git"; exit 1; }
done
/usr/bin/python3 -c 'import lava_common.schemas, lava_dispatcher' 2>/dev/null ||
	{ echo "Debian's python3 lacks lava_common: apt-get install --no-install-recommends lava-dispatcher lava-common"; exit 1; }
make -s build >/dev/null || { echo "make build failed"; exit 1; }

# ---- every job and test definition, by LAVA's schemas ---------------------
vrc=0
out=$("$L/validate" "$L/guard-bench.yaml" "$L"/jobs/*.yaml 2>&1) || vrc=$?
if [ "$vrc" -eq 0 ] && [ "$(grep -c '^ok ' <<<"$out")" -eq 4 ]; then
	ok "lava_common.schemas: the test definition and the x86_64, arm64 and board jobs are valid"
else
	sed 's/^/#   /' <<<"$out"
	not_ok "lava_common.schemas: the test definition and the x86_64, arm64 and board jobs are valid"
fi
mkdir -p "$T/broken"
sed '/^  format: /d' "$L/guard-bench.yaml" >"$T/broken/no-format.yaml"
sed 's/^    to: tmpfs$/    to: floppy/' "$L/jobs/qemu-x86_64.yaml" >"$T/broken/deploy-to.yaml"
sed 's/^    method: qemu$/    method: qemu\n    spurious: 1/' "$L/jobs/qemu-x86_64.yaml" >"$T/broken/boot-key.yaml"
sed 's/^      from: git$/      from: nowhere/' "$L/jobs/board.yaml" >"$T/broken/from.yaml"
for f in "$T"/broken/*.yaml; do
	if "$L/validate" "$f" >"$T/v.out" 2>&1; then
		not_ok "validate refuses a broken definition: $(basename "$f")"
	else
		ok "validate refuses a broken definition: $(basename "$f"): $(sed "s|^invalid $f: ||" "$T/v.out" | cut -c1-60)"
	fi
done

# ---- the device script built from source (SOURCE), here on the host ------
# Outside LAVA it prints the cases it would send; the binary named is
# missing, so it must build guard-bench from a `make dist` tarball.
tarball=$(make -s dist DIST_VERSION=lava-test) || { echo "make dist failed"; exit 1; }
GB_OUT=$T/dut "$L/guard-bench-dut.sh" no-such-guard-bench "$ROOT/$tarball" \
	"--quick -s install --backing anon --pages 1 -n 3" >"$T/dut.out" 2>&1
if grep -qx 'lava-test-case guard-bench-build pass' "$T/dut.out" &&
	grep -q '^lava-test-case install\.backing-anon_pages-1\.install_latency_p50_ns pass [0-9.]* ns$' "$T/dut.out" &&
	grep -q '^GB-RESULTS-END$' "$T/dut.out"; then
	ok "guard-bench-dut.sh without a binary builds it from a 'make dist' tarball (SOURCE) and reports"
else
	show "$T/dut.out"
	not_ok "guard-bench-dut.sh without a binary builds it from a 'make dist' tarball (SOURCE) and reports"
fi
rm -f "$tarball"

# ---- the pieces a job needs -----------------------------------------------
types=$LAB_DIR/fleet/lava-server/usr/share/lava-server/device-types
if [ ! -f "$types/qemu.jinja2" ]; then
	rm -rf "$LAB_DIR/fleet/lava-server" && mkdir -p "$LAB_DIR/fleet/lava-server"
	(cd "$LAB_DIR/fleet" && apt-get download lava-server >/dev/null 2>&1 &&
		dpkg-deb -x lava-server_*.deb lava-server && rm -f lava-server_*.deb) ||
		{ echo "apt-get download lava-server failed: run apt-get update"; exit 1; }
fi
"$L/render-device" "$L/devices/qemu-tcg.jinja2" "$types" arch=amd64 >"$T/device.yaml" ||
	{ echo "rendering the qemu device failed"; exit 1; }
"$L/ramdisk.sh" "$T/ramdisk.cpio.gz" 2>"$T/ramdisk.err" || { cat "$T/ramdisk.err"; exit 1; }
src=$(scripts/kernel/debian.sh source 7.2) || exit 1
k_stock=$(scripts/kernel/build.sh "$src" stock x86_64) || exit 1
k_61=$(scripts/kernel/debian.sh image x86_64 bookworm) || exit 1
# The definition as LAVA clones it: this tree's, committed in a scratch repo.
mkdir -p "$T/defs/$L"
cp "$L/guard-bench.yaml" "$L/guard-bench-dut.sh" "$T/defs/$L/"
git -C "$T/defs" init -q && git -C "$T/defs" add -A &&
	git -C "$T/defs" -c user.name=ci -c user.email=ci@localhost commit -qm definition
rev=$(git -C "$T/defs" rev-parse HEAD)

# lava_job NAME KERNEL: render the x86_64 template, validate, run it;
# the log is $T/NAME/job.log, the status LAVA_RC.
lava_job() {
	local name=$1 kernel=$2 job=$T/$1/job.yaml start
	mkdir -p "$T/$name"
	sed -e "s|{{ KERNEL_URL }}|file://$kernel|" -e "s|{{ RAMDISK_URL }}|file://$T/ramdisk.cpio.gz|" \
		-e "s|{{ REPO }}|$T/defs|" -e "s|{{ REVISION }}|$rev|" -e "s|{{ RUN_ARGS }}|$RUN_ARGS|" \
		-e "s|{{ KERNEL_NAME }}|$name|" "$L/jobs/qemu-x86_64.yaml" >"$job"
	"$L/validate" "$job" >/dev/null || { LAVA_RC=99; return; }
	start=$(now)
	LAVA_RC=0
	timeout 900 lava-run --job-id "gb-$$-$name" --output-dir "$T/$name/out" \
		--device "$T/device.yaml" "$job" >"$T/$name/job.log" 2>&1 || LAVA_RC=$?
	LAVA_SECS=$(elapsed "$start")
}
# results NAME: the job's test cases, "case result measurement units".
results() {
	/usr/bin/python3 - "$T/$1/job.log" <<'PY'
import sys, yaml
for line in open(sys.argv[1], encoding="utf-8"):
    if '"lvl": "results"' not in line:
        continue
    msg = yaml.safe_load(line)["msg"]
    if msg.get("definition") == "0_guard-bench":
        print(msg["case"], msg["result"], msg.get("measurement", "-"), msg.get("units", "-"))
PY
}

# ---- the stock 7.2 kernel, end to end ---------------------------------------
lava_job stock "$k_stock"
rel=$(cat "$(dirname "$k_stock")/kernelrelease")
if [ "$LAVA_RC" -eq 0 ] && grep -q '"msg": "Job finished correctly"' "$T/stock/job.log" &&
	grep -q '"case": "job", "definition": "lava", "result": "pass"' "$T/stock/job.log"; then
	ok "lava-run: the qemu x86_64 job on Linux $rel passes (${LAVA_SECS} s)"
else
	show "$T/stock/job.log" 30
	not_ok "lava-run: the qemu x86_64 job on Linux $rel passes (exit $LAVA_RC)"
fi
results stock >"$T/stock/cases"
if grep -qx "guard-install-$rel pass - -" "$T/stock/cases" &&
	grep -qx 'guard-bench-run pass - -' "$T/stock/cases" &&
	grep -qx 'guard-path-vma-read pass - -' "$T/stock/cases"; then
	ok "cases guard-install-$rel, guard-bench-run and guard-path-vma-read pass"
else
	sed 's/^/#   /' "$T/stock/cases" | head -n 20
	not_ok "cases guard-install-$rel, guard-bench-run and guard-path-vma-read pass"
fi
check "the lock counts are measurements (mmap_lock_{read,write}_per_{install,remove})" \
	[ "$(grep -c '^mmap_lock_[a-z_]* pass [0-9.]* acquisitions$' "$T/stock/cases")" -eq 4 ]
R=$T/results
mkdir -p "$R"
run_stock=$("$L/collect" -o "$R" "$T/stock/job.log" 2>"$T/collect.err")
if [ -n "$run_stock" ] && [ -s "$run_stock/summary.tsv" ] &&
	grep -q '^complete: yes$' "$run_stock/meta.txt"; then
	ok "collect: the job's log gives a complete run directory ($(basename "$(dirname "$run_stock")"))"
else
	show "$T/collect.err"
	not_ok "collect: the job's log gives a complete run directory"
fi
# Every primary row is a LAVA measurement equal to the collected run's.
bench/guard-bench primary "$run_stock" >"$T/primary.tsv" 2>/dev/null
rows=$(tail -n +2 "$T/primary.tsv" | wc -l)
bad=$(tail -n +2 "$T/primary.tsv" | while IFS=$'\t' read -r s c m v u _; do
	name=$(printf '%s' "$s.$c.$m" | tr ' =' '_-')
	awk -v n="$name" -v v="$v" -v u="$(tr ' ' _ <<<"$u")" '
	$1 == n && $2 == "pass" && $4 == u { d = $3 - v; if (d < 0) d = -d; if (d <= 1e-6 * (v < 0 ? -v : v) + 1e-9) found = 1 }
	END { if (!found) print n }' "$T/stock/cases"
done)
if [ "$rows" -gt 0 ] && [ -z "$bad" ]; then
	ok "each of the run's $rows primary rows is a LAVA measurement with its unit, equal to the collected run's"
else
	not_ok "each primary row is a LAVA measurement equal to the collected run's; missing or different: $bad"
fi

# ---- collect refuses bad logs, writing nothing ---------------------------
before=$(find "$R" | sort | md5sum)
cut=$(grep -n 'GB-RESULTS-END' "$T/stock/job.log" | head -n 1 | cut -d: -f1)
head -n $((cut - 3)) "$T/stock/job.log" >"$T/truncated.log"
sed 's/\(GB-RESULTS-BEGIN [0-9]* \)[0-9a-f]\{8\}/\1deadbeef/' "$T/stock/job.log" >"$T/badsum.log"
sed 's/\(GB-RESULTS-BEGIN \)\([0-9]*\)/\1\21/' "$T/stock/job.log" >"$T/badsize.log"
for c in "truncated stream|truncated.log|truncated" "wrong sha256|badsum.log|sha256" \
	"wrong size|badsize.log|truncated: .* bytes, header says" "file that is no LAVA log|primary.tsv|no console output"; do
	IFS='|' read -r what file msg <<<"$c"
	rc=0
	"$L/collect" -o "$R" "$T/$file" >/dev/null 2>"$T/c.err" || rc=$?
	if [ "$rc" -ne 0 ] && grep -q "error: .*$msg" "$T/c.err" && [ "$(find "$R" | sort | md5sum)" = "$before" ]; then
		ok "collect refuses a log with a $what, says why, writes nothing"
	else
		show "$T/c.err"
		not_ok "collect refuses a log with a $what, says why, writes nothing (exit $rc)"
	fi
done
rc=0
"$L/collect" -o "$R" "$T/stock/job.log" >/dev/null 2>"$T/c.err" || rc=$?
check "collect refuses to collect the same run twice" grep -q 'already exists' "$T/c.err"

# ---- a kernel without MADV_GUARD_INSTALL: a failing case, not a hang -----
lava_job debian61 "$k_61"
results debian61 >"$T/debian61/cases"
rel61=$(grep -o '"msg": "gb-lava-init: [^ ]*' "$T/debian61/job.log" | sed 's/.*init: //' | head -n 1)
if [ "$LAVA_RC" -eq 0 ] && [ -n "$rel61" ] && grep -qx "guard-install-$rel61 fail - -" "$T/debian61/cases" &&
	grep -qx 'guard-bench-run fail - -' "$T/debian61/cases"; then
	ok "Linux $rel61 (no guard install): the job ends in ${LAVA_SECS} s with a failing case guard-install-$rel61"
else
	show "$T/debian61/job.log" 20
	not_ok "Linux ${rel61:-6.1} (no guard install): a failing case naming the kernel (exit $LAVA_RC)"
fi
rc=0
"$L/collect" -o "$R" "$T/debian61/job.log" >/dev/null 2>"$T/c.err" || rc=$?
if [ "$rc" -ne 0 ] && grep -q 'no results stream' "$T/c.err" && [ "$(find "$R" | sort | md5sum)" = "$before" ]; then
	ok "collect refuses a log without a results stream, writes nothing"
else
	not_ok "collect refuses a log without a results stream, writes nothing (exit $rc)"
fi

# ---- the fleet loop: kernels through LAVA, collected, trended ------------
k_write=$(scripts/kernel/build.sh "$src" mmap-write x86_64) || exit 1
lava_job mmap-write "$k_write"
run_write=$("$L/collect" -o "$R" "$T/mmap-write/job.log" 2>"$T/collect.err")
if [ "$LAVA_RC" -eq 0 ] && [ -n "$run_write" ] && grep -q '^guard_path: mmap-write$' "$run_write/meta.txt"; then
	ok "the mmap-write kernel through LAVA, collected: guard_path mmap-write"
else
	show "$T/collect.err"
	not_ok "the mmap-write kernel through LAVA, collected (exit $LAVA_RC)"
fi
rc=0
bench/guard-bench compare "$run_write" "$run_stock" >"$T/compare.txt" 2>&1 || rc=$?
check "guard-bench compare reads the collected runs (exit $rc)" [ "$rc" -eq 0 ]
rc=0
bench/guard-bench trend "$run_stock" "$run_write" >"$T/trend.txt" 2>&1 || rc=$?
if [ "$rc" -eq 0 ] && grep -q "gb-stock" "$T/trend.txt" && grep -q "gb-mmap-write" "$T/trend.txt"; then
	ok "guard-bench trend over the kernels collected through LAVA"
else
	show "$T/trend.txt"
	not_ok "guard-bench trend over the kernels collected through LAVA (exit $rc)"
fi

echo "# LAVA's measurements (stock $rel) next to the run's summary.tsv medians:"
tail -n +2 "$T/primary.tsv" | while IFS=$'\t' read -r s c m _ u _; do
	name=$(printf '%s' "$s.$c.$m" | tr ' =' '_-')
	lava=$(awk -v n="$name" '$1 == n { print $3 " " $4 }' "$T/stock/cases")
	med=$(awk -F'\t' -v s="$s" -v c="$c" -v m="$m" '$1 == s && $2 == c && $3 == m { print $6 }' "$run_stock/summary.tsv")
	printf '#   %-58s LAVA %-24s summary.tsv %s %s\n' "$name" "$lava" "$med" "$u"
done
echo "# trend over the kernels collected through LAVA:"
sed 's/^/#   /' "$T/trend.txt"
finish
