#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The source tree's layers (README.md, "Layout"): every file under
# bench/ sits in a layer folder, names each header by its layer, and
# includes only its own layer and those below it -- files/ and
# measure/ excepted, which use each other (the harness writes through
# files/, whose writer takes measure/'s struct gb_cell).
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

# the check itself: a header from above is caught
T=$(mktemp -d /tmp/guard-bench-layers.XXXXXX)
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/bench/base"
printf '#include "cmd/commands.h"\n' >"$T/bench/base/x.c"
l=base t=$(sed -n 's/^#include "\([a-z]*\)\/[a-z_0-9]*\.h"$/\1/p' "$T/bench/base/x.c")
check "an include from base/ of cmd/ ranks as upward" \
	'[ "$(rank "$t")" -lt "$(rank "$l")" ]'

finish
