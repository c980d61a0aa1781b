#!/usr/bin/env bash
# `make lab`: the whole kernel comparison on real kernels, in qemu.
#
#   scripts/vm/lab.sh [--detect-only]
#
# 1. fetches Debian's linux-source-7.2 and cloud kernel images through a
#    private apt configuration, and Debian's upstream tarball of 6.19.6
#    from the pool, checked against its pinned sha256
#    (scripts/kernel/debian.sh);
# 2. builds the x86_64 variants stock, mmap-read and mmap-write from each
#    of the two trees (scripts/kernel/build.sh);
# 3. boots each kernel (scripts/vm/run.sh) and checks the lock path
#    `guard-bench detect` measures against the one the kernel must have:
#
#      x86_64 7.2 stock (tinyconfig)      vma-read
#      x86_64 7.2 + 7.x/mmap-read.patch   mmap-read
#      x86_64 7.2 + 7.x/mmap-write.patch  mmap-write
#      x86_64 6.19.6 stock (tinyconfig)   vma-read
#      x86_64 6.19.6 + 6.19/mmap-read     mmap-read
#      x86_64 6.19.6 + 6.19/mmap-write    mmap-write
#      x86_64 Debian 7.2 cloud            vma-read
#      x86_64 Debian 6.1 cloud            unsupported
#      arm64  Debian 7.2 cloud            vma-read
#
#    (LAB_SERIES and LAB_619 name other versions; LAB_619= leaves 6.19 out.)
#
# 4. unless --detect-only: a quick `guard-bench run` in each (LAB_RUN_ARGS;
#    LAB_RUN_ARGS_ARM64 adds cycles, the one event qemu's arm64 PMU counts),
#    results landing in results/, then `guard-bench compare` of the
#    mmap-write run against the mmap-read run and `guard-bench trend`.
#
# Ends with one `ok`/`not ok` line per kernel and `N passed, N failed`;
# exits non-zero when a kernel reports another path.  Everything
# downloaded or built is cached in $LAB_DIR (default ~/.cache/guard-bench/lab,
# see scripts/kernel/lib.sh): a second run
# takes minutes.  Timings from TCG are emulation, never bare metal.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR/../kernel
. "$(dirname "$0")/../kernel/lib.sh"

DETECT_ONLY=0
case ${1:-} in
--detect-only) DETECT_ONLY=1 ;;
'') ;;
*) sed -n '2,/^set -eu/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac

# Every tool the lab needs, installed or named all at once (exit 3).
"$GB_ROOT/scripts/deps.sh" lab

LAB_SERIES=${LAB_SERIES:-7.2}
LAB_619=${LAB_619-6.19.6}
LAB_RUN_ARGS=${LAB_RUN_ARGS:---quick -s install,faults --backing anon,shmem --pages 1,16 --share same-vma,other-vma -n 5}
# qemu's emulated arm64 PMU counts cycles only: ask for them (basic).
LAB_RUN_ARGS_ARM64=${LAB_RUN_ARGS_ARM64:-$LAB_RUN_ARGS -e basic,sw}
RESULTS_DIR=${RESULTS_DIR:-$GB_ROOT/results}
export RESULTS_DIR

K=$GB_ROOT/scripts/kernel
V=$GB_ROOT/scripts/vm
LOG=$LAB_DIR/lab
mkdir -p "$LOG"
lab_start=$(now)

# name|arch|image|expected path|build seconds ('-': not built here)
kernels=()

# variants TREE LABEL: the three x86_64 kernels of one tree.  Stock is
# `vma-read` in 6.19 and 7.x alike; each patch names its path.
variants() {
	local tree=$1 label=$2 variant img b want
	for variant in stock mmap-read mmap-write; do
		img=$("$K/build.sh" "$tree" "$variant" x86_64)
		b=$(cat "$(dirname "$img")/build-seconds")
		# A cache hit took no time now; say so, not an old figure.
		if [ "$(find "$(dirname "$img")/build-seconds" -newermt "@${lab_start%.*}" 2>/dev/null)" = "" ]; then
			b="cached ($b)"
		fi
		case $variant in
		stock) want=vma-read ;;
		*) want=$variant ;;
		esac
		kernels+=("x86_64-$label-$variant|x86_64|$img|$want|$b")
	done
}

src=$("$K/debian.sh" source "$LAB_SERIES")
variants "$src" "$LAB_SERIES"
if [ -n "$LAB_619" ]; then
	src=$("$K/debian.sh" orig "$LAB_619")
	variants "$src" "$LAB_619"
fi
kernels+=("x86_64-debian-$LAB_SERIES|x86_64|$("$K/debian.sh" image x86_64 sid)|vma-read|-")
kernels+=("x86_64-debian-6.1|x86_64|$("$K/debian.sh" image x86_64 bookworm)|unsupported|-")
kernels+=("arm64-debian-$LAB_SERIES|arm64|$("$K/debian.sh" image arm64 sid)|vma-read|-")

pass=0 fail=0 n=0
report=()
run_dirs=()
for k in "${kernels[@]}"; do
	IFS='|' read -r name arch img want build <<<"$k"
	n=$((n + 1))
	say "== $name: detect"
	out=$LOG/$name.detect
	rc=0
	"$V/run.sh" "$img" "$arch" detect >"$out" 2>&1 || rc=$?
	boot=$(sed -n 's/.*boot to results \([0-9.]*\) s$/\1/p' "$out" | tail -n 1)
	got=$(sed -n 's/^guard_path: *\([a-z-]*\).*/\1/p' "$out" | tail -n 1)
	grep -E '^(guard_path|virt|maybe_guard_flag):' "$out" | sed 's/^/    /' >&2 || true
	line="$name: expected $want, detected ${got:-none} (detect exit $rc); build ${build} s; boot to results ${boot:-?} s"
	runinfo=''
	if [ "$DETECT_ONLY" = 0 ]; then
		say "== $name: run"
		rout=$LOG/$name.run
		rrc=0
		args=$LAB_RUN_ARGS
		[ "$arch" != arm64 ] || args=$LAB_RUN_ARGS_ARM64
		# shellcheck disable=SC2086 # a word list
		"$V/run.sh" "$img" "$arch" run $args >"$rout" 2>&1 || rrc=$?
		rdir=$(sed -n 's/^run.sh: results: //p' "$rout" | tail -n 1)
		rsecs=$(sed -n 's/.*boot to results \([0-9.]*\) s$/\1/p' "$rout" | tail -n 1)
		runinfo="; run exit $rrc in ${rsecs:-?} s${rdir:+, $rdir}"
		[ -z "$rdir" ] || run_dirs+=("$name|$rdir")
		if [ "$want" = unsupported ] && [ "$rrc" = 4 ]; then
			:
		elif [ "$rrc" != 0 ]; then
			tail -n 15 "$rout" | sed 's/^/    | /' >&2
		fi
	fi
	if [ "$rc" = 0 ] && [ "$got" = "$want" ]; then
		pass=$((pass + 1))
		report+=("ok $n $line$runinfo")
	else
		fail=$((fail + 1))
		report+=("not ok $n $line$runinfo (log: $out)")
	fi
done

# compare and trend on the host, from the runs that came back.
run_of() {
	local r
	for r in "${run_dirs[@]}"; do
		[ "${r%%|*}" != "$1" ] || echo "${r#*|}"
	done
}
if [ "$DETECT_ONLY" = 0 ]; then
	base=$(run_of "x86_64-$LAB_SERIES-mmap-write")
	new=$(run_of "x86_64-$LAB_SERIES-mmap-read")
	make -s -C "$GB_ROOT" build >&2
	if [ -n "$base" ] && [ -n "$new" ]; then
		say "== compare (TCG: functional, not bare-metal timings): mmap-write -> mmap-read"
		"$GB_ROOT/bench/guard-bench" compare "$base" "$new" | tee "$LOG/compare.txt" || true
	fi
	if [ "${#run_dirs[@]}" -gt 1 ]; then
		say "== trend across the lab's kernels"
		dirs=()
		for r in "${run_dirs[@]}"; do dirs+=("${r#*|}"); done
		"$GB_ROOT/bench/guard-bench" trend "${dirs[@]}" | tee "$LOG/trend.txt" || true
	fi
fi

printf '%s\n' "${report[@]}" | tee "$LOG/summary.txt"
echo "lab: $(elapsed "$lab_start") s in all" | tee -a "$LOG/summary.txt"
echo "$pass passed, $fail failed" | tee -a "$LOG/summary.txt"
[ "$fail" = 0 ]
