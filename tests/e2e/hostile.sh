#!/usr/bin/env bash
# Hostile and odd result files handed to compare and trend: a duplicate
# summary row, a FIFO, a symbolic link, a huge file, a TAB or DEL in a
# meta.txt value, and a run directory whose name holds a TAB (trend's
# TSV must keep its columns).  Each is refused with exit 3 and
# "file:line: what, fix" or, for the name, escaped.  TAP-style lines,
# then "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
. tests/lib.sh
EXPECT_TIMEOUT=10	# a reader blocked on a FIFO would hang for good
on_fail() { show "$T/err" 5 head; }
GB=bench/guard-bench
T=$(mktemp -d /tmp/guard-bench-hostile.XXXXXX)
trap 'rm -rf "$T"' EXIT

$GB run -o "$T/res" -s install --backing anon --pages 1 -n 3 -d 0.05 \
	-w 0.01 -e none >/dev/null 2>"$T/err"
A=$(find "$T/res" -mindepth 2 -maxdepth 2 -type d -not -name '.*' | head -n 1)
[ -n "$A" ] || { echo "not ok 1 - a short run to start from"; echo "0 passed, 1 failed"; exit 1; }
fresh() { rm -rf "$T/b"; cp -r "$A" "$T/b"; }

fresh
sed -n 2p "$A/summary.tsv" >>"$T/b/summary.tsv"
last=$(wc -l <"$T/b/summary.tsv")
expect 3 "summary.tsv:$last: duplicate row install backing=anon pages=1 .*\(first on line 2\)" \
	"a duplicate summary row is refused, naming the row and both lines" -- \
	$GB compare "$A" "$T/b"

fresh
rm "$T/b/summary.tsv" && mkfifo "$T/b/summary.tsv"
expect 3 "summary.tsv:0: a FIFO, not a regular file" \
	"a FIFO for summary.tsv is refused at once, not read" -- \
	$GB compare "$A" "$T/b"

fresh
mv "$T/b/trials.tsv" "$T/trials-elsewhere.tsv"
ln -s "$T/trials-elsewhere.tsv" "$T/b/trials.tsv"
expect 3 "trials.tsv:0: a symbolic link" "a symbolic link for trials.tsv is refused" -- \
	$GB compare "$A" "$T/b"

fresh
truncate -s 2G "$T/b/trials.tsv"
expect 3 "trials.tsv:0: 2147483648 bytes, more than the 1073741824" \
	"a 2 GiB trials.tsv (sparse) is refused before reading" -- \
	$GB compare "$A" "$T/b"

fresh
truncate -s 2M "$T/b/meta.txt"
expect 3 "meta.txt:0: 2097152 bytes, more than" "a 2 MiB meta.txt is refused" -- \
	$GB trend "$A" "$T/b"

fresh
sed -i 's/^\(kernel_release: .*\)$/\1\tinjected\tcolumns/' "$T/b/meta.txt"
line=$(grep -n '^kernel_release: ' "$T/b/meta.txt" | cut -d: -f1)
expect 3 "meta.txt:$line: TAB byte in a value" \
	"a TAB in a meta.txt value is refused with its line" -- \
	$GB trend --format tsv "$A" "$T/b"

fresh
sed -i 's/^\(guard_path: .*\)$/\1\x7f/' "$T/b/meta.txt"
expect 3 "meta.txt:[0-9]+: DEL byte in a value" "a DEL in a meta.txt value is refused" -- \
	$GB trend "$A" "$T/b"

# A directory name may hold any byte: trend's TSV escapes it.
mkdir -p "$T/odd"$'\t'"name"
cp -r "$A" "$T/odd"$'\t'"name/run"$'\n'"x"
expect 0 "step_verdict" "trend --format tsv of a run whose path holds a TAB and a newline" -- \
	$GB trend --format tsv "$A" "$T/odd"$'\t'"name/run"$'\n'"x"
want=$(head -n 1 "$T/out" | awk -F'\t' '{ print NF }')
if [ "$want" -gt 20 ] && awk -F'\t' -v w="$want" 'NF != w { bad = 1 } END { exit bad || NR < 3 }' "$T/out" &&
   grep -qF 'odd\tname/run\nx' "$T/out"; then
	ok "trend tsv: every row has the header's $want columns, the path escaped"
else
	not_ok "trend tsv: every row has the header's $want columns, the path escaped"
	awk -F'\t' '{ print NF }' "$T/out" | sort | uniq -c | sed 's/^/#   columns: /'
fi

finish
