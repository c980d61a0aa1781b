#!/usr/bin/env bash
# End-to-end tests of the contention scenarios (readers, writers,
# scaling, fork, stacks, allocator): each runs briefly on this kernel and
# its results are checked: they parse (check-run), their metrics are
# there, contenders made progress, latencies are positive and ordered,
# lock counts are whole numbers per op.  Then bad input: exit 2, a
# message naming the problem and the fix, nothing written.
# TAP-style lines, then "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
. tests/lib.sh
on_fail() { show "$T/err" 5 head; }
GB=bench/guard-bench
CHECK=tests/e2e/check-run
T=$(mktemp -d /tmp/guard-bench-scen.XXXXXX)
trap 'rm -rf "$T"' EXIT
SHORT=(-n 3 -d 0.05 -w 0.01)

check() {	# check DESC -- CMD...: ok when CMD succeeds
	local desc=$1
	shift 2
	: >"$T/err"
	if "$@" >/dev/null 2>>"$T/err"; then ok "$desc"; else not_ok "$desc"; fi
}

# run NAME ARGS...: a short run into $T/NAME; sets $d to its directory
run() {
	local name=$1
	shift
	rm -rf "$T/$name"
	expect 0 "results: " "$name: short run" -- \
		$GB run -o "$T/$name" "${SHORT[@]}" --tmpdir "$T" "$@"
	cp "$T/err" "$T/$name.stderr"
	d=$(rundir "$T/$name")
	if [ -n "$d" ] && $CHECK "$d" complete >"$T/out" 2>"$T/err"; then
		ok "$name: results parse, latencies positive and ordered"
	else
		not_ok "$name: results parse, latencies positive and ordered"
	fi
}

# metric DIR SCENARIO CELL-REGEX METRIC: the median, or nothing
metric() {
	awk -F'\t' -v s="$2" -v c="$3" -v m="$4" \
		'$1 == s && $2 ~ c && $3 == m { print $6; exit }' "$1/summary.tsv"
}

# has DIR SCENARIO CELL-REGEX METRIC...: every metric present, > 0
has() {
	local dir=$1 sc=$2 cell=$3 m v
	shift 3
	for m in "$@"; do
		v=$(metric "$dir" "$sc" "$cell" "$m")
		if [ -z "$v" ] || ! awk -v v="$v" 'BEGIN { exit !(v > 0) }'; then
			echo "$sc '$cell' $m = '${v}'" >"$T/err"
			return 1
		fi
	done
}

# ordered DIR SCENARIO CELL-REGEX OP: p50 <= p99 <= max in the summary
ordered() {
	local p50 p99 max
	p50=$(metric "$1" "$2" "$3" "${4}_latency_p50_ns")
	p99=$(metric "$1" "$2" "$3" "${4}_latency_p99_ns")
	max=$(metric "$1" "$2" "$3" "${4}_latency_max_ns")
	awk -v a="$p50" -v b="$p99" -v c="$max" \
		'BEGIN { exit !(a > 0 && a <= b && b <= c) }'
}

cells_done() {	# every cell of the run finished
	awk -F'\t' 'NR > 1 && $3 != "done" { bad = 1 } END { exit bad }' \
		"$1/cells.tsv"
}

nproc=$(nproc)
two=$([ "$nproc" -ge 2 ] && echo yes || echo no)
lockstat=no

# ---- list -------------------------------------------------------------
for s in readers writers scaling fork stacks allocator; do
	expect 0 "^  $s " "list shows $s" -- $GB list
done

# ---- readers ----------------------------------------------------------
run readers -s readers
check "readers: every cell done" -- cells_done "$d"
check "readers: uncontended cell has install and remove latencies" -- \
	has "$d" readers '^op=none readers=0$' install_latency_p50_ns \
	remove_latency_p50_ns pairs_per_sec
check "readers: install latency p50 <= p99 <= max" -- \
	ordered "$d" readers '^op=none readers=0$' install
[ -n "$(metric "$d" readers '^op=none' mmap_lock_read_per_pair)" ] && lockstat=yes
if [ "$lockstat" = no ]; then
	# the lock checks below are skipped: say why, from the run itself
	echo "# readers: no lock counts, so no lock checks:" \
		"$(grep -h -m1 'lock accounting: n/a' "$d/summary.txt" || echo 'no reason given')"
fi
if [ "$two" = yes ]; then
	for op in mincore willneed mempolicy maps; do
		c="^op=$op readers=1\$"
		check "readers: $op: readers made progress, control ran" -- \
			has "$d" readers "$c" reader_ops_per_sec_each \
			contender_rate_vs_control install_latency_p99_ns
		check "readers: $op: control cell has the readers' rate" -- \
			has "$d" readers "^op=$op readers=1 installer=none\$" \
			reader_ops_per_sec_total
		[ "$lockstat" = yes ] || continue
		alone=$(metric "$d" readers "$c" mmap_lock_read_per_reader_op_alone)
		run=$(metric "$d" readers "$c" mmap_lock_read_per_reader_op)
		echo "# readers: $op takes $alone mmap_lock read acquisitions per call alone, $run under contention"
		# a reader op takes a fixed number of locks: whole, and the
		# same alone (set-up probe) as in the accounting phase
		if awk -v a="$alone" -v r="$run" 'BEGIN {
			f = a - int(a + 0.5); g = r - a
			exit !(a != "" && r != "" && f < 0.05 && f > -0.05 &&
			       g < 0.1 && g > -0.1) }'; then
			ok "readers: $op: lock count per op whole, alone = under contention ($alone)"
		else
			not_ok "readers: $op: lock count per op whole, alone = under contention ($alone vs $run)"
		fi
		# an op without the mmap read lock is said so, others are not
		if awk -v a="$alone" 'BEGIN { exit !(a < 0.5) }'; then
			check "readers: $op takes no mmap read lock here: stderr says so" -- \
				grep -q "reader op $op .*takes no mmap read lock" "$T/readers.stderr"
		else
			check "readers: $op takes the mmap read lock: no note" -- \
				bash -c "! grep -q 'reader op $op .*takes no mmap' '$T/readers.stderr'"
		fi
	done
fi

# ---- writers ----------------------------------------------------------
run writers -s writers --writer-op mprotect,dontdump
check "writers: every cell done" -- cells_done "$d"
if [ "$two" = yes ]; then
	for op in mprotect dontdump; do
		check "writers: $op: writers made progress, control ran" -- \
			has "$d" writers "^op=$op writers=1\$" \
			writer_ops_per_sec_each contender_rate_vs_control
		check "writers: $op: install latency p50 <= p99 <= max" -- \
			ordered "$d" writers "^op=$op writers=1\$" install
		[ "$lockstat" = yes ] || continue
		w=$(metric "$d" writers "^op=$op writers=1\$" mmap_lock_write_per_writer_op)
		if awk -v w="$w" 'BEGIN { exit !(w != "" && w >= 0.95) }'; then
			ok "writers: $op takes the mmap write lock ($w per op)"
		else
			not_ok "writers: $op takes the mmap write lock ($w per op)"
		fi
	done
fi

# ---- scaling ----------------------------------------------------------
run scaling -s scaling
check "scaling: every cell done" -- cells_done "$d"
check "scaling: one thread alone" -- \
	has "$d" scaling '^share=none threads=1$' install_latency_p50_ns pairs_per_sec
if [ "$two" = yes ]; then
	for s in same-vma own-vma own-process; do
		c="^share=$s threads=2\$"
		check "scaling: $s: pooled percentiles, total and per-thread rates" -- \
			has "$d" scaling "$c" install_latency_all_p50_ns \
			install_latency_all_p99_ns pairs_per_sec_total \
			installer_ops_per_sec_each pairs_per_sec
		check "scaling: $s: install latency p50 <= p99 <= max" -- \
			ordered "$d" scaling "$c" install
	done
	for s in same-vma own-process; do
		check "scaling: $s carries its ratio to own-vma" -- \
			has "$d" scaling "^share=$s threads=2\$" \
			install_latency_p50_ns_vs_own_vma pairs_per_sec_total_vs_own_vma
	done
	check "scaling: own-process contenders were processes (cells.tsv)" -- \
		grep -qP '^scaling\tshare=own-process threads=2\tdone\t2\t' "$d/cells.tsv"
fi

# ---- fork ---------------------------------------------------------------
# 256 MiB and 0.2 s trials: enough forks per trial, and a page-table copy
# that stands out from fork's fixed cost (an ASan build with 64 MiB and
# 0.05 s trials, about 10 forks each, once saw one guard add only 37%).
run fork -s fork --backing anon,shmem --guards 0,1,64 --fork-mib 256 -d 0.2
check "fork: every cell done" -- cells_done "$d"
for b in anon shmem; do
	for k in 0 1 64; do
		check "fork: $b K=$k: fork latency and rate" -- \
			has "$d" fork "^backing=$b guards=$k\$" fork_latency_p50_ns forks_per_sec
	done
	check "fork: $b K=64: fork latency p50 <= p99 <= max" -- \
		ordered "$d" fork "^backing=$b guards=64\$" fork
done
if [[ ${GB_SANITIZE:-} == *thread* ]]; then
	# TSan's own work at fork varies from 15 to 30 ms a fork here and
	# drowns the page-table copy; the plain and ASan builds check it.
	echo "# SANITIZE=$GB_SANITIZE: fork's page-table copy not timed"
elif grep -q '^maybe_guard_flag: yes' "$d/meta.txt"; then
	# VM_MAYBE_GUARD: one guard makes fork copy a shared VMA's page
	# tables, as it always does for an anon VMA.  Differences against
	# the unguarded shmem fork cancel fork's fixed cost, which the
	# sanitizers inflate (TSan: about 15 ms of 25); what one guard adds
	# must be at least half of what anon's page-table copy adds.
	s0=$(metric "$d" fork '^backing=shmem guards=0$' fork_latency_p50_ns)
	s1=$(metric "$d" fork '^backing=shmem guards=1$' fork_latency_p50_ns)
	a0=$(metric "$d" fork '^backing=anon guards=0$' fork_latency_p50_ns)
	what="shmem K=0 $s0, K=1 $s1, anon K=0 $a0 ns"
	if awk -v s0="$s0" -v s1="$s1" -v a0="$a0" \
		'BEGIN { exit !(a0 > s0 && s1 - s0 >= 0.5 * (a0 - s0)) }'; then
		ok "fork: shmem: one guard makes fork copy page tables ($what)"
	else
		not_ok "fork: shmem: one guard makes fork copy page tables ($what)"
	fi
else
	echo "# kernel without VM_MAYBE_GUARD: fork copies as before"
fi

# ---- stacks -------------------------------------------------------------
run stacks -s stacks
check "stacks: every cell done" -- cells_done "$d"
guard=$(awk -F'\t' '$1 == "stacks" && $2 ~ /^mode=default glibc-guard=/ {
	sub(/^mode=default glibc-guard=/, "", $2); sub(/ .*/, "", $2); print $2; exit }' "$d/cells.tsv")
if [ -n "$guard" ]; then
	ok "stacks: default mode's label names this glibc's stack guard ($guard)"
else
	not_ok "stacks: default mode's label names this glibc's stack guard"
fi
if [ "$guard" != guard-install ]; then
	check "stacks: stderr says default mode does not exercise guard install" -- \
		grep -q "mode=default does not exercise guard install" "$T/stacks.stderr"
fi
for m in "default glibc-guard=$guard" guard-install mprotect-guard; do
	check "stacks: $m: create and join latencies, threads/s" -- \
		has "$d" stacks "^mode=$m faulters=0\$" create_latency_p50_ns \
		join_latency_p50_ns threads_per_sec
	check "stacks: $m: create latency p50 <= p99 <= max" -- \
		ordered "$d" stacks "^mode=$m faulters=0\$" create
	[ "$two" = yes ] && check "stacks: $m: faulters made progress, control ran" -- \
		has "$d" stacks "^mode=$m faulters=1\$" faults_per_sec_per_faulter \
		fault_rate_vs_control
done
if [ "$lockstat" = yes ]; then
	w=$(metric "$d" stacks '^mode=guard-install faulters=0$' mmap_lock_write_per_thread)
	if awk -v w="$w" 'BEGIN { exit !(w != "" && w >= 1.95) }'; then
		ok "stacks: guard-install maps and unmaps each stack ($w mmap_lock writes per thread)"
	else
		not_ok "stacks: guard-install maps and unmaps each stack ($w mmap_lock writes per thread)"
	fi
fi

# ---- allocator ----------------------------------------------------------
run allocator -s allocator --chunk-pages 1,4 --chunks 16
check "allocator: every cell done" -- cells_done "$d"
for k in 1 4; do
	check "allocator: chunk-pages=$k alone: install, remove, touch" -- \
		has "$d" allocator "^chunk-pages=$k threads=1\$" \
		install_latency_p50_ns remove_latency_p50_ns touch_latency_p50_ns \
		cycles_per_sec
	for op in install remove touch; do
		check "allocator: chunk-pages=$k: $op latency p50 <= p99 <= max" -- \
			ordered "$d" allocator "^chunk-pages=$k threads=1\$" $op
	done
	[ "$two" = yes ] && check "allocator: chunk-pages=$k, 2 threads: per-thread and total rates" -- \
		has "$d" allocator "^chunk-pages=$k threads=2\$" cycles_per_sec \
		allocator_ops_per_sec_each cycles_per_sec_total \
		install_latency_all_p99_ns
done

# ---- bad input ------------------------------------------------------------
usage_error "--share: unknown value 'far': use same-vma, other-vma, own-vma, own-process" \
	"unknown --share lists the accepted values" -s scaling --share far
usage_error "--share other-vma: scaling takes same-vma, own-vma or own-process" \
	"--share other-vma for scaling" -s scaling --share other-vma
usage_error "--share own-process: faults takes same-vma or other-vma" \
	"--share own-process for faults" -s faults --share own-process
usage_error "--reader-op: unknown value 'smaps': use mincore, willneed, mempolicy, maps" \
	"unknown reader op lists the accepted values" -s readers --reader-op smaps
usage_error "--writer-op: unknown value 'mmap': use mprotect, dontdump" \
	"unknown writer op" -s writers --writer-op mmap
usage_error "--stack-mode: unknown value 'huge': use default, guard-install, mprotect-guard" \
	"unknown stack mode" -s stacks --stack-mode huge
usage_error "--guards: '-1' is out of range: give an integer from 0 to" \
	"K below what is offered" -s fork --guards -1
usage_error "--guards: '99999999' is out of range: give an integer from 0 to" \
	"K above what is offered" -s fork --guards 99999999
usage_error "--guards 4096 needs 8193 pages .* --fork-mib 1 maps 256: raise --fork-mib or lower --guards" \
	"K beyond the mapping names --fork-mib" -s fork --guards 4096 --fork-mib 1 --backing anon
rm -rf "$T/res"
# ASan reserves terabytes of shadow address space at start-up: under an
# address-space limit it cannot start at all, so these two need a plain
# build (make test SANITIZE=... exports GB_SANITIZE).
case "${GB_SANITIZE:-}" in
*address* | *thread*)
	echo "# RLIMIT_AS/RLIMIT_DATA checks skipped under SANITIZE=$GB_SANITIZE:" \
	     "the sanitizer's shadow memory needs more than the limit"
	;;
*)
	expect 2 "RLIMIT_AS \(ulimit -v, [0-9]+ MiB\): lower --fork-mib or raise the limit" \
		"fork memory beyond RLIMIT_AS names the limit" -- \
		bash -c "ulimit -v 4000000 && exec $GB run -o '$T/res' -s fork --fork-mib 8192 --backing shmem"
	[ -e "$T/res" ] && not_ok "RLIMIT_AS error wrote results"
	expect 2 "RLIMIT_DATA \(ulimit -d, [0-9]+ MiB\)" \
		"fork anon memory beyond RLIMIT_DATA names the limit" -- \
		bash -c "ulimit -d 200000 && exec $GB run -o '$T/res' -s fork --fork-mib 1024 --backing anon"
	;;
esac
usage_error "over half of MemAvailable" "fork memory beyond the machine's" \
	-s fork --fork-mib 1048576 --backing shmem
usage_error "--fork-mib takes one value" "two --fork-mib values" -s fork --fork-mib 1,2
usage_error "--chunks takes one value" "two --chunks values" -s allocator --chunks 1,2
usage_error "--guard-pages takes one value for readers" "two --guard-pages for readers" \
	-s readers --guard-pages 1,2
usage_error "--fault-pages takes one value for stacks" "two --fault-pages for stacks" \
	-s stacks --fault-pages 1,2
usage_error "oversubscribe" "scaling: more threads than the placement's CPUs" \
	-s scaling -t $((nproc + 1))

finish
