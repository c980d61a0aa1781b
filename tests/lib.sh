# SPDX-License-Identifier: GPL-2.0
# The test scripts' shared helpers, sourced from the repository root:
# TAP-style "ok N - ..." lines, then finish's "N passed, N failed" and
# its exit status.  Helpers that run a command keep its output in
# $T/out and $T/err (the script makes T).  A script that defines
# on_fail has it run after each "not ok" line, to show why.
pass=0 fail=0 n=0

ok() { n=$((n + 1)); pass=$((pass + 1)); echo "ok $n - $1"; }

not_ok() {
	n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n - $1"
	if declare -F on_fail >/dev/null; then on_fail; fi
}

# show FILE [N [head|tail]]: FILE's last (or first) N lines, 20 unless
# given, as TAP comments
show() {
	if [ -s "$1" ]; then "${3:-tail}" -n "${2:-20}" "$1" | sed 's/^/#   /'; fi
}

# check DESC 'SHELL TEST': ok when the test, evaluated, succeeds
check() { if eval "$2"; then ok "$1"; else not_ok "$1"; fi; }

# check_num DESC 'AWK EXPRESSION': ok when the expression is true
check_num() {
	if awk "BEGIN { exit !($2) }"; then ok "$1"; else not_ok "$1"; fi
}

# expect STATUS REGEX DESC -- CMD...: CMD exits STATUS and prints REGEX
# (stdout or stderr); under EXPECT_TIMEOUT seconds when that is set
expect() {
	local want=$1 pat=$2 desc=$3 rc
	shift 4
	${EXPECT_TIMEOUT:+timeout "$EXPECT_TIMEOUT"} "$@" >"$T/out" 2>"$T/err"
	rc=$?
	if [ "$rc" -ne "$want" ]; then
		not_ok "$desc (exit $rc, want $want)"
	elif ! grep -qE -- "$pat" "$T/err" "$T/out"; then
		not_ok "$desc (no '$pat' in output)"
	else
		ok "$desc"
	fi
}

# usage_error REGEX DESC RUN-ARGS...: `run` exits 2 and writes nothing
usage_error() {
	local pat=$1 desc=$2
	shift 2
	rm -rf "$T/res"
	expect 2 "$pat" "$desc" -- $GB run -o "$T/res" "$@"
	if [ -e "$T/res" ]; then
		not_ok "$desc: wrote $T/res"
	fi
}

# The run directories under a results root (not the dot-named ones in
# progress), sorted; the first find meets; the dot-named temporary ones.
runs_in() { find "$1" -mindepth 2 -maxdepth 2 -type d -not -name '.*'; }
rundirs() { runs_in "$1" 2>/dev/null | sort; }
rundir() { runs_in "$1" | head -1; }
tmpdirs() { find "$1" -mindepth 2 -maxdepth 2 -name '.*tmp*' 2>/dev/null; }

finish() {
	echo "$pass passed, $fail failed"
	[ "$fail" -eq 0 ]
}
