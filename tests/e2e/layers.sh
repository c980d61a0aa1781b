#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The source tree's shape (README.md, "Layout"): every file under
# bench/ sits in a layer folder, names each header by its layer, and
# includes only its own layer and those below it -- files/ and
# measure/ excepted, which use each other (the harness writes through
# files/, whose writer takes measure/'s struct gb_cell).  No file over
# 600 lines, no function over 60.
# TAP-style lines, then "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
. tests/lib.sh

# top to bottom, as README.md lists them
ORDER="cmd judge scenarios measure files base"
rank() {
	local i=0 l
	for l in $ORDER; do
		[ "$l" = "$1" ] && { echo $i; return; }
		i=$((i + 1))
	done
	echo -1
}

stray=$(find bench -maxdepth 1 -name '*.[ch]' ! -name main.c)
check "no source file outside a layer folder (but main.c)${stray:+: $stray}" \
	'[ -z "$stray" ]'

unknown="" bare="" up=""
for f in $(find bench -mindepth 2 -name '*.[ch]' | sort); do
	l=$(echo "$f" | cut -d/ -f2)
	[ "$(rank "$l")" -ge 0 ] || unknown="$unknown $f"
	# a local header named without its layer
	if grep -q '^#include "[a-z_0-9]*\.h"' "$f" ||
	   grep -q '^#include "\.\./' "$f"; then
		bare="$bare $f"
	fi
	for t in $(sed -n 's/^#include "\([a-z]*\)\/[a-z_0-9]*\.h"$/\1/p' "$f" |
		   sort -u); do
		[ "$t" = "$l" ] && continue
		case "$l/$t" in files/measure | measure/files) continue ;; esac
		if [ "$(rank "$t")" -lt "$(rank "$l")" ]; then
			up="$up $f->$t"
		fi
	done
done
check "every folder under bench/ is a layer${unknown:+:$unknown}" '[ -z "$unknown" ]'
check "every local #include names its layer${bare:+:$bare}" '[ -z "$bare" ]'
check "no layer includes one above it${up:+:$up}" '[ -z "$up" ]'

# Functions over $1 lines in files $2...: a function runs from its
# first line at column 0 (its type or name) to the "}" at column 0.
long_functions() {
	local max=$1
	shift
	awk -v max="$max" '
	FNR == 1 { sig = 0; inside = 0 }
	/^[A-Za-z_]/ && !inside && $0 !~ /;[ \t]*$/ &&
	    $0 !~ /^(struct|enum|union)[^(]*$/ { if (!sig) sig = FNR }
	/^[ \t]*$/ || /^[#\/]/ { if (!inside) sig = 0 }
	/^\{/ { inside = 1 }
	/^\}/ {
		if (inside && sig && FNR - sig + 1 > max)
			printf " %s:%d(%d lines)", FILENAME, sig, FNR - sig + 1
		inside = 0; sig = 0
	}' "$@"
}

long=$(find bench -name '*.[ch]' | xargs wc -l | awk '$2 != "total" && $1 > 600 { printf " %s(%d)", $2, $1 }')
check "no file under bench/ over 600 lines${long:+:$long}" '[ -z "$long" ]'
long=$(long_functions 60 $(find bench -name '*.c'))
check "no function under bench/ over 60 lines${long:+:$long}" '[ -z "$long" ]'

# the checks themselves: a header from above, a long function
T=$(mktemp -d /tmp/guard-bench-layers.XXXXXX)
trap 'rm -rf "$T"' EXIT
{
	printf 'static int
f(int a,
  int b)
{
'
	for i in $(seq 1 55); do printf '	a += b;
'; done
	printf '	return a;
}

int g(void)
{
	return 0;
}
'
} >"$T/long.c"
check "a 61-line function is found, a 4-line one is not" \
	'[ "$(long_functions 60 "$T/long.c")" = " $T/long.c:1(61 lines)" ]'
mkdir -p "$T/bench/base"
printf '#include "cmd/commands.h"\n' >"$T/bench/base/x.c"
l=base t=$(sed -n 's/^#include "\([a-z]*\)\/[a-z_0-9]*\.h"$/\1/p' "$T/bench/base/x.c")
check "an include from base/ of cmd/ ranks as upward" \
	'[ "$(rank "$t")" -lt "$(rank "$l")" ]'

finish
