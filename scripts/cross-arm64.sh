#!/usr/bin/env bash
# Cross-build the whole suite for arm64 with Debian multiarch, warnings as
# errors, and run the unit tests under qemu-user.  Builds in a copy of
# the tree (build/arm64/) so the native objects stay as they are.
#
# Needs (as root): dpkg --add-architecture arm64 && apt-get update &&
#   apt-get install -y crossbuild-essential-arm64 libhwloc-dev:arm64 \
#     libpfm4-dev:arm64 libcmocka-dev:arm64 qemu-user-static
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/build/arm64
sysroot=/usr/aarch64-linux-gnu
qemu="qemu-aarch64-static -L $sysroot"

for tool in aarch64-linux-gnu-gcc qemu-aarch64-static; do
	command -v $tool >/dev/null || {
		echo "cross-arm64: $tool missing: apt-get install" \
		     "crossbuild-essential-arm64 qemu-user-static" >&2
		exit 1
	}
done
[ -f /usr/lib/aarch64-linux-gnu/pkgconfig/hwloc.pc ] || {
	echo "cross-arm64: no arm64 hwloc: dpkg --add-architecture arm64 &&" \
	     "apt-get update && apt-get install libhwloc-dev:arm64" \
	     "libpfm4-dev:arm64 libcmocka-dev:arm64" >&2
	exit 1
}

rm -rf "$out"
mkdir -p "$out"
(cd "$top" && git ls-files -co --exclude-standard -z | \
	xargs -0 cp --parents -t "$out")
make -C "$out" --no-print-directory WERROR=1 \
	CC=aarch64-linux-gnu-gcc AR=aarch64-linux-gnu-ar \
	PKG_CONFIG="env PKG_CONFIG_LIBDIR=/usr/lib/aarch64-linux-gnu/pkgconfig pkg-config" \
	build unit-tests tests/e2e/check-run
file "$out/bench/guard-bench" | grep -q 'ARM aarch64' || {
	echo "cross-arm64: bench/guard-bench is not an arm64 binary" >&2
	exit 1
}
echo "cross-arm64: built $(file -b "$out/bench/guard-bench" | cut -d, -f1-2)"

# The unit tests, emulated; test_pmu re-executes itself per forced PMU,
# which needs the emulator in front (no binfmt_misc here).
pass=0 fail=0
cd "$out"
for t in tests/unit/test_*; do
	case "$t" in *.c | *.d) continue ;; esac
	echo "== $t (qemu-aarch64)"
	if GB_EXEC_WRAPPER="$qemu" $qemu "$t"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
	fi
done
echo "cross-arm64: $pass test programs passed, $fail failed"
[ "$fail" -eq 0 ]
