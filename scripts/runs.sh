#!/usr/bin/env bash
# This host's runs under a results directory, oldest first, one run
# directory a line: what make compare, make trend and make plots use
# when not told which runs.
#
#	scripts/runs.sh [--complete] [--last N] [RESULTS]
#
# --complete skips runs with "complete: no"; --last N prints the N most
# recent and fails unless there are N.  RESULTS defaults to results.
# "This host" is the meta.txt host key, as guard-bench run wrote it
# from the host name (uname -n).  Order is meta.txt's started time.
# Exit status: 0; 2 usage; 3 no such runs (the message says what to do).
set -u

complete=0 last=0 root=results
while [ $# -gt 0 ]; do
	case $1 in
	--complete) complete=1 ;;
	--last)
		[ $# -ge 2 ] && [ "$2" -ge 1 ] 2>/dev/null ||
			{ echo "runs.sh: --last needs a number >= 1" >&2; exit 2; }
		last=$2
		shift
		;;
	-h | --help) sed -n '2,13s/^# \{0,1\}//p' "$0"; exit 0 ;;
	-*) echo "runs.sh: unknown option '$1' (runs.sh --help)" >&2; exit 2 ;;
	*) root=$1 ;;
	esac
	shift
done

host=$(uname -n)
what="runs"
[ $complete -eq 1 ] && what="complete runs"

# started<TAB>dir for each run of this host; dot directories are runs
# still being written (or killed outright) and never match the glob
list=$(for meta in "$root"/*/*/meta.txt; do
	[ -f "$meta" ] || continue
	grep -qxF "host: $host" "$meta" || continue
	if [ $complete -eq 1 ] && ! grep -qx 'complete: yes' "$meta"; then
		continue
	fi
	printf '%s\t%s\n' "$(sed -n 's/^started: //p' "$meta")" "${meta%/meta.txt}"
done | sort | cut -f2)

n=0
[ -n "$list" ] && n=$(printf '%s\n' "$list" | wc -l)
need=$((last > 0 ? last : 1))
if [ "$n" -lt "$need" ]; then
	echo "guard-bench: need $need $what of host $host under $root/, found $n:" \
	     "run make bench (again), or name the runs (BASE=, NEW=, RUNS=, RUN=)" >&2
	exit 3
fi
if [ $last -gt 0 ]; then
	printf '%s\n' "$list" | tail -n "$last"
else
	printf '%s\n' "$list"
fi
