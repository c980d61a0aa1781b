#!/usr/bin/env bash
# Build the ramdisk a LAVA job deploys: busybox, guard-bench with its
# shared libraries and loader, and an /init that gives LAVA a shell on the
# console (LAVA adds its test overlay to it: `overlays: lava: true`).
#
#   scripts/fleet/lava/ramdisk.sh OUT.cpio.gz
#
# guard-bench is this tree's (`make build`) or GB_BIN; busybox is
# Debian's busybox-static for this machine's arch, fetched through
# scripts/kernel/debian.sh into $LAB_DIR.  Build it on a machine of the
# device's arch (an arm64 ramdisk on an arm64 host).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR/../../kernel
. "$(dirname "$0")/../../kernel/lib.sh"

[ $# -eq 1 ] || { sed -n '2,/^set -eu/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2; exit 2; }
OUT=$1
need cpio cpio
need gzip gzip
need ldd libc-bin
need readelf binutils

ARCH=$(host_arch)
if [ -z "${GB_BIN:-}" ]; then
	make -s -C "$GB_ROOT" build >&2 || die "building guard-bench failed: run 'make -C $GB_ROOT build'"
	GB_BIN=$GB_ROOT/bench/guard-bench
fi
[ -x "$GB_BIN" ] || die "GB_BIN=$GB_BIN is not an executable: build guard-bench first"

BB=$LAB_DIR/fleet/busybox-$ARCH
if [ ! -x "$BB/bin/busybox" ]; then
	rm -rf "$BB"
	"$GB_ROOT/scripts/kernel/debian.sh" unpack "$ARCH" bookworm "$BB" busybox-static >&2
fi
[ -x "$BB/bin/busybox" ] || die "no bin/busybox in $BB: remove $BB and run again"

ROOT=$(mktemp -d)
trap 'rm -rf "$ROOT"' EXIT
mkdir -p "$ROOT"/{bin,proc,sys,dev,tmp,usr/local/bin,gb/lib}
cp "$BB/bin/busybox" "$ROOT/bin/busybox"
install -m 755 "$GB_ROOT/scripts/fleet/lava/init" "$ROOT/init"
cp "$GB_BIN" "$ROOT/gb/guard-bench"
# The libraries ldd resolves, beside the binary; its loader where it looks.
interp=$(readelf -l "$GB_BIN" | sed -n 's/.*program interpreter: \(.*\)]$/\1/p')
[ -n "$interp" ] || die "$GB_BIN has no program interpreter: give a dynamically linked guard-bench"
mkdir -p "$ROOT$(dirname "$interp")"
cp -L "$interp" "$ROOT$interp"
ldd "$GB_BIN" | awk '$2 == "=>" && $3 ~ /^\// { print $3 }' | while read -r lib; do
	cp -L "$lib" "$ROOT/gb/lib/"
done
cat >"$ROOT/usr/local/bin/guard-bench" <<'EOS'
#!/bin/sh
LD_LIBRARY_PATH=/gb/lib exec /gb/guard-bench "$@"
EOS
chmod 755 "$ROOT/usr/local/bin/guard-bench"
(cd "$ROOT" && find . | cpio -o -H newc --quiet | gzip -1) >"$OUT"
say "ramdisk: $OUT ($(wc -c <"$OUT") bytes, $ARCH)"
