#!/bin/sh
# Runs on the device under test, from the LAVA test definition
# guard-bench.yaml (POSIX sh: busybox ramdisks have no bash).
#
#   guard-bench-dut.sh GUARD_BENCH SOURCE RUN_ARGS
#
# GUARD_BENCH  the binary to run: a path, or a name looked up in PATH
#              (a prebuilt guard-bench shipped in the rootfs)
# SOURCE       '' or a guard-bench source tarball (`make dist`), a path or
#              an http(s) URL: built on the device with `make build` when
#              GUARD_BENCH is not found (needs gcc, make, pkg-config,
#              libhwloc-dev and libpfm4-dev in the rootfs)
# RUN_ARGS     options for `guard-bench run` (word-split)
#
# Reports, as lava-test-case results: guard-install-<kernel release>
# (fail when the kernel lacks MADV_GUARD_INSTALL), guard-bench-run,
# guard-path-<path> and the lock counts behind it, and every primary row
# of the run (`guard-bench primary`) with its measurement and unit.  The
# whole results directory follows on the console between
# GB-RESULTS-BEGIN <size> <sha256> and GB-RESULTS-END (a base64 gzipped
# tar), for scripts/fleet/lava/collect.  Every failure is a failing test
# case with a line saying why; the script itself exits 0 so that LAVA's
# `set -e` never cuts the report short.

GB=$1
SOURCE=$2
RUN_ARGS=$3
OUT=${GB_OUT:-/tmp/guard-bench-lava}

say() { echo "guard-bench-dut: $*"; }

# case NAME RESULT [MEASUREMENT UNITS]: one result, with LAVA's helper
# when it is there (a dry run on a workstation prints what it would send).
case_result() {
	if command -v lava-test-case >/dev/null 2>&1; then
		if [ $# -ge 4 ]; then
			lava-test-case "$1" --result "$2" --measurement "$3" --units "$4"
		else
			lava-test-case "$1" --result "$2"
		fi
	else
		echo "lava-test-case $*"
	fi
}

# A case name LAVA takes: no spaces, no '=' (its signal is key=value).
case_name() {
	printf '%s' "$1" | tr ' =' '_-' | tr -c 'A-Za-z0-9._,:+-' '_'
}

build_from_source() {
	src=$OUT/src
	rm -rf "$src"
	mkdir -p "$src"
	case $SOURCE in
	http://* | https://*)
		if command -v wget >/dev/null 2>&1; then
			wget -q -O "$OUT/src.tar.gz" "$SOURCE"
		else
			curl -fsSL -o "$OUT/src.tar.gz" "$SOURCE"
		fi || { say "error: cannot download $SOURCE: check the URL and the device's network"; return 1; }
		;;
	*) cp "$SOURCE" "$OUT/src.tar.gz" || { say "error: $SOURCE: no such tarball: give a 'make dist' tarball"; return 1; } ;;
	esac
	tar -xzf "$OUT/src.tar.gz" -C "$src" --strip-components=1 ||
		{ say "error: $SOURCE is not a gzipped tar: give a 'make dist' tarball"; return 1; }
	make -C "$src" -s build >"$OUT/build.log" 2>&1 || {
		tail -n 20 "$OUT/build.log"
		say "error: building guard-bench on the device failed: install gcc make pkg-config libhwloc-dev libpfm4-dev in the rootfs"
		return 1
	}
	GB=$src/bench/guard-bench
}

rm -rf "$OUT"
mkdir -p "$OUT"
if ! command -v "$GB" >/dev/null 2>&1; then
	if [ -z "$SOURCE" ]; then
		say "error: $GB not found: ship guard-bench in the rootfs or give the definition a SOURCE tarball"
		case_result guard-bench-found fail
		exit 0
	fi
	if ! build_from_source; then
		case_result guard-bench-build fail
		exit 0
	fi
	case_result guard-bench-build pass
fi

release=$(uname -r)
say "Linux $release $(uname -m): guard-bench run $RUN_ARGS"
# shellcheck disable=SC2086 # RUN_ARGS is a word list
"$GB" run $RUN_ARGS -o "$OUT/results" >"$OUT/run.log" 2>&1
rc=$?
cat "$OUT/run.log"
if [ "$rc" -eq 4 ]; then
	say "error: Linux $release lacks MADV_GUARD_INSTALL (6.13+): nothing measured; boot a newer kernel"
	case_result "guard-install-$(case_name "$release")" fail
	case_result guard-bench-run fail
	exit 0
fi
case_result "guard-install-$(case_name "$release")" pass
run=$(find "$OUT/results" -mindepth 2 -maxdepth 2 -type d 2>/dev/null | head -n 1)
if [ "$rc" -ne 0 ] || [ -z "$run" ]; then
	say "error: guard-bench run exited $rc (see its output above)"
	case_result guard-bench-run fail
	[ -n "$run" ] || exit 0
else
	case_result guard-bench-run pass
fi

# The lock path and the counts behind it, from the run's meta.txt:
# "mmap-read (mmap_lock acquisitions per install: 1.00 read, 0.00 write;
# per remove: 1.00 read, 0.00 write; over 256 each)".
path=$(sed -n 's/^guard_path: //p' "$run/meta.txt")
detail=$(sed -n 's/^guard_path_detail: //p' "$run/meta.txt")
case_result "guard-path-$(case_name "${path:-missing}")" pass
counts=$(printf '%s\n' "$detail" | sed -n 's/.*per install: \([0-9.]*\) read, \([0-9.]*\) write; per remove: \([0-9.]*\) read, \([0-9.]*\) write.*/\1 \2 \3 \4/p')
if [ -n "$counts" ]; then
	# shellcheck disable=SC2086 # four numbers
	set -- $counts
	case_result mmap_lock_read_per_install pass "$1" acquisitions
	case_result mmap_lock_write_per_install pass "$2" acquisitions
	case_result mmap_lock_read_per_remove pass "$3" acquisitions
	case_result mmap_lock_write_per_remove pass "$4" acquisitions
elif [ "$path" != unknown ]; then
	say "error: guard_path_detail '$detail' is not in the form this script reads: update guard-bench-dut.sh"
	case_result guard-path-counts fail
fi

# Every primary row: scenario cell metric value unit direction n.
if ! "$GB" primary "$run" >"$OUT/primary.tsv" 2>"$OUT/primary.err"; then
	cat "$OUT/primary.err"
	case_result guard-bench-primary fail
elif [ "$(head -n 1 "$OUT/primary.tsv")" != "$(printf 'scenario\tcell\tmetric\tvalue\tunit\tdirection\tn')" ]; then
	say "error: 'guard-bench primary' has another header: update guard-bench-dut.sh"
	case_result guard-bench-primary fail
else
	tail -n +2 "$OUT/primary.tsv" | while IFS='	' read -r scen cell metric value unit _dir _n; do
		case_result "$(case_name "$scen.$cell.$metric")" pass "$value" "$(case_name "$unit")"
	done
fi

# The results directory, whole, on the console.  Kernel messages would
# tear the stream: keep them off the console while it flows.
[ -w /proc/sys/kernel/printk ] && echo 1 >/proc/sys/kernel/printk
tar -C "$OUT/results" -czf "$OUT/results.tgz" .
echo "GB-RESULTS-BEGIN $(wc -c <"$OUT/results.tgz") $(sha256sum <"$OUT/results.tgz" | cut -d' ' -f1)"
base64 "$OUT/results.tgz"
echo "GB-RESULTS-END"
exit 0
