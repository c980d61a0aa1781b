#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# README's option tables against each subcommand's --help: an option in
# one and not the other fails, and so does one --help lists twice.
# TAP-style lines, then "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
. tests/lib.sh
GB=$PWD/bench/guard-bench
CMDS="run list detect compare trend primary report clean"

# The long names in the first column of the table after
# "<!-- options: CMD -->", up to the blank line that ends it; none for
# a command without a table (it takes no option but --help).
readme_opts() {
	sed -n "/^<!-- options: $1 -->\$/,/^\$/p" README.md |
		grep '^| ' | sed 's/^| //; s/ | .*//' |
		grep -o -- '--[a-z][a-z0-9-]*' | sort -u
}

# The long name of each entry --help lists ("  -n, --trials N  ..." or
# "      --tmpdir DIR  ..."), not the words of wrapped help lines.
help_entries() {
	"$GB" "$1" --help | grep -E '^  (-[A-Za-z], |    )--[a-z]' |
		sed -E 's/^  (-[A-Za-z], |    )//; s/[ =].*//'
}

for cmd in $CMDS; do
	help=$(help_entries "$cmd" | grep -vx -- --help | sort -u)
	doc=$(readme_opts "$cmd")
	only_help=$(comm -23 <(echo "$help") <(echo "$doc") | xargs)
	only_doc=$(comm -13 <(echo "$help") <(echo "$doc") | xargs)
	if [ -z "$only_help$only_doc" ]; then
		ok "$cmd: README and --help list the same options"
	else
		not_ok "$cmd: only in --help: ${only_help:-none}; only in README: $(
			)${only_doc:-none}"
	fi
done

# Each option once in every --help, run's scenario parameters included
# (each defined once in bench/measure/params.c, with the scenarios that take it).
for cmd in $CMDS; do
	twice=$("$GB" "$cmd" --help |
		grep -E '^  (-[A-Za-z], |    )--[a-z]' |
		sed -E 's/^  (-[A-Za-z], |    )//; s/[ =].*//' | sort | uniq -d |
		xargs)
	if [ -z "$twice" ]; then
		ok "$cmd --help lists each option once"
	else
		not_ok "$cmd --help lists more than once: $twice"
	fi
done

finish
