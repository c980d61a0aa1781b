#!/usr/bin/env bash
# What a run killed outright leaves is found, reported and kept or
# removed on request; a live run is never taken for a leftover; errors
# inside a run keep every finished cell; two runs on the same CPUs are
# told about each other.  TAP-style lines, then "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
. tests/lib.sh
GB=bench/guard-bench
CHECK=tests/e2e/check-run
T=$(mktemp -d /tmp/guard-bench-leftovers.XXXXXX)
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/tmp"
export TMPDIR=$T/tmp

# Wait until the run $1 writing under $2 has flushed a trial.
wait_trial() {
	local i f
	for i in $(seq 400); do
		f=$(find "$2" -name trials.tsv 2>/dev/null | head -1)
		[ -n "$f" ] && [ "$(wc -l <"$f")" -gt 1 ] && return 0
		kill -0 "$1" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}

# ---- kill -9 of a run with file-backed mappings ------------------------
$GB run -o "$T/res" -s fork --backing file --guards 0 -n 20 -d 0.2 \
	-w 0.01 -e none >/dev/null 2>&1 &
pid=$!
wait_trial $pid "$T/res"
kill -9 $pid
wait $pid 2>/dev/null
check "killed: its \$TMPDIR holds no backing file (unlinked once mapped)" \
	'[ -z "$(find "$T/tmp" -type f)" ]'
left=$(tmpdirs "$T/res")
check "killed: its results dot-dir is there with its trials" \
	'[ -n "$left" ] && [ "$(wc -l <"$left/trials.tsv")" -gt 1 ]'
trials_left=$(($(wc -l <"$left/trials.tsv") - 1))

$GB list -o "$T/res" >"$T/list" 2>&1
rc=$?
check "list: exit 0 and names both leftovers with the killed PID" \
	'[ $rc -eq 0 ] && grep -qF "$left  (PID $pid, gone)" "$T/list" && grep -q "$T/tmp/guard-bench.$pid.*(PID $pid, gone)" "$T/list"'

$GB run -o "$T/res" -s install --backing anon --pages 1 -n 2 -d 0.05 \
	-w 0.01 -e none >/dev/null 2>"$T/err"
rc=$?
check "next run: exit 0" '[ $rc -eq 0 ]'
check "next run: reports the results leftover and how to keep or remove it" \
	'grep -qF "$left: left by guard-bench PID $pid, which is gone" "$T/err" && grep -q "guard-bench clean -o $T/res" "$T/err"'
check "next run: removes the killed run's \$TMPDIR directory, saying so" \
	'grep -q "removed $T/tmp/guard-bench.$pid" "$T/err"'
check "next run: nothing of the killed run remains in \$TMPDIR" \
	'[ -z "$(ls -A "$T/tmp")" ]'

$GB clean -o "$T/res" >"$T/out" 2>&1
rc=$?
# its own name, or <name>-2 if the next run started in the same second
kept=$(sed -n "s|^kept $left as \([^ ]*\) (complete: no.*|\1|p" "$T/out")
name=${left%.tmp.*}
name=${name%/*}/${name##*/.}
check "clean: exit 0, keeps the leftover under its name ($(basename "$kept"))" \
	'[ $rc -eq 0 ] && [ -d "$kept" ] && [ ! -e "$left" ] && case $kept in "$name" | "$name"-[0-9]*) true ;; *) false ;; esac'
check "clean: the kept run says complete: no and why" \
	'grep -q "^complete: no" "$kept/meta.txt" && grep -q "^stopped_by: killed: PID $pid was gone" "$kept/meta.txt"'
check "clean: every flushed trial kept ($trials_left rows)" \
	'[ "$(($(wc -l <"$kept/trials.tsv") - 1))" = "$trials_left" ]'
check "clean: the kept run reads back as an incomplete run" \
	'$CHECK "$kept" incomplete >"$T/check" 2>&1 || { sed "s/^/# /" "$T/check"; false; }'
$GB clean -o "$T/res" >"$T/out" 2>&1
check "clean again: nothing left" 'grep -q "^nothing left by killed runs" "$T/out"'

# ---- clean --remove ------------------------------------------------------
$GB run -o "$T/res2" -s install --backing file --pages 1 -n 40 -d 0.1 \
	-w 0.01 -e none >/dev/null 2>&1 &
pid=$!
wait_trial $pid "$T/res2"
kill -9 $pid
wait $pid 2>/dev/null
$GB clean --remove -o "$T/res2" >"$T/out" 2>&1
rc=$?
check "clean --remove: exit 0, the leftovers are gone" \
	'[ $rc -eq 0 ] && [ -z "$(tmpdirs "$T/res2")" ] && [ -z "$(rundirs "$T/res2")" ] && [ -z "$(ls -A "$T/tmp")" ]'

# ---- a live run is never a leftover; two runs on the same CPUs ------------
$GB run -o "$T/live" -s install --backing anon --pages 1 -n 12 -d 0.25 \
	-w 0.01 -e none >/dev/null 2>"$T/err-live" &
pid=$!
wait_trial $pid "$T/live"
live=$(tmpdirs "$T/live")
$GB clean -o "$T/live" >"$T/out" 2>&1
$GB list -o "$T/live" >"$T/list" 2>&1
$GB run -o "$T/other" -s install --backing anon --pages 1 -n 2 -d 0.05 \
	-w 0.01 -e none >/dev/null 2>"$T/err-other"
wait $pid
rc=$?
check "live run: clean and list leave it alone" \
	'grep -q "^nothing left" "$T/out" && ! grep -q "gone" "$T/list"'
check "live run: it finishes complete" \
	'[ $rc -eq 0 ] && [ -n "$(rundirs "$T/live")" ] && grep -q "^complete: yes" "$(rundirs "$T/live")/meta.txt"'
check "a second run on the same CPUs is warned, and meta.txt says so" \
	'grep -q "another guard-bench run is measuring on CPU" "$T/err-other" && grep -q "^concurrent_run: " "$(rundirs "$T/other")/meta.txt"'

# ---- an error inside a run keeps every finished cell ---------------------
# With 256 MiB thread stacks, 1.15 GB of address space holds 3 threads
# (measured: 3 fit in 1.0 GB, 4 need 1.5 GB): the 4-thread cell cannot
# start its last worker, which was a gb_die() that wrote nothing.
if [ -n "${GB_SANITIZE:-}" ]; then
	echo "# SANITIZE=$GB_SANITIZE: shadow memory needs the address space: ulimit test skipped"
else
	# cells run in a random order: a seed that does not run threads=4 first
	seed=
	for s in 1 2 3 4 5 6 7 8; do
		rm -rf "$T/probe"
		$GB run -o "$T/probe" -s scaling --share own-vma -t 4 \
			--oversubscribe -n 1 -d 0.01 -w 0.01 -e none \
			--order-seed $s >/dev/null 2>&1
		if ! grep -q '^cell_order: 4,' "$T"/probe/*/*/meta.txt; then
			seed=$s
			break
		fi
	done
	(ulimit -s 262144; ulimit -v 1150000
	 exec $GB run -o "$T/fail" -s scaling --share own-vma -t 4 \
		--oversubscribe -n 2 -d 0.05 -w 0.01 -e none --order-seed $seed) \
		>/dev/null 2>"$T/err.txt"
	rc=$?
	d=$(rundirs "$T/fail")
	check "worker start fails mid-run: exit 1 (got $rc)" '[ $rc -eq 1 ]'
	check "worker start fails mid-run: a final directory, complete: no, the error named" \
		'[ -n "$d" ] && grep -q "^complete: no" "$d/meta.txt" && grep -q "^stopped_by: error: .*threads=4: starting contender thread 3" "$d/meta.txt"'
	check "worker start fails mid-run: the cells before it are kept" \
		'grep -q "	done	" "$d/cells.tsv" && grep -q "threads=4	partial	.*starting contender thread" "$d/cells.tsv"'
	[ $fail -eq 0 ] || sed 's/^/# /' "$T/err.txt" | grep -v 'trial [0-9]'
fi

finish
