# shellcheck shell=bash
# Shared by tests/fleet/*.sh: tests/lib.sh (TAP-style lines, the
# closing "N passed, N failed", show), a check that runs a command, a
# scratch directory, and where the fleet engines' snapshots are
# (../shared/third_party beside the repository; in a git worktree,
# beside the main checkout).  Sourced, never run.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT" || exit 1
. tests/lib.sh
# check NAME CMD...: ok when CMD succeeds (not lib.sh's eval'd test).
check() {
	local name=$1
	shift
	if "$@"; then ok "$name"; else not_ok "$name"; fi
}

T=$(mktemp -d /tmp/guard-bench-fleet.XXXXXX)
trap 'rm -rf "$T"' EXIT

# third_party FILE-GLOB: the snapshot's path, or exit naming the fix.
third_party() {
	local d f
	for d in "${GB_THIRD_PARTY:-}" "$ROOT/../shared/third_party" \
		"$(cd "$(git -C "$ROOT" rev-parse --git-common-dir 2>/dev/null)/../.." 2>/dev/null && pwd)/shared/third_party"; do
		[ -n "$d" ] || continue
		for f in "$d"/$1; do
			[ -f "$f" ] && { echo "$f"; return 0; }
		done
	done
	echo "$(basename "$0"): error: no $1 in ../shared/third_party: set GB_THIRD_PARTY to the folder holding it" >&2
	exit 1
}
