#!/usr/bin/env bash
# Build a small kernel for the guard-bench lab:
#
#   scripts/kernel/build.sh TREE VARIANT ARCH
#
# TREE     a Linux source tree (yours, or `scripts/kernel/debian.sh source 7.2`)
# VARIANT  stock, or the name of a patch in scripts/kernel/patches/SERIES/
#          (7.x and 6.19: mmap-read, mmap-write)
# ARCH     x86_64 (bzImage) or arm64 (Image, cross-built with
#          aarch64-linux-gnu- on an x86_64 host)
#
# Prints the path of the kernel image.  The configuration is tinyconfig plus
# config/lab.config and config/lab-ARCH.config; CONFIG_LOCALVERSION is
# "-gb-VARIANT", so `uname -r` and the results directory name the variant.
#
# TREE is never written to.  The build works on a copy of it whose files
# are hard links ($LAB_DIR/trees/): a patched file is replaced by a real
# copy first, so the original is untouched.  All variants share that copy
# and one O= build directory per arch, so a second variant rebuilds only
# what its patch changed (mm/madvise.c: seconds).  Finished images are
# cached in $LAB_DIR/kernels/ and reused while the tree, the patch and the
# config fragments are unchanged.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

KDIR=$GB_ROOT/scripts/kernel

usage() {
	sed -n '2,/^set -eu/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2
	exit 2
}

[ $# -eq 3 ] || usage
TREE=$1
VARIANT=$2
ARCH=$(arch_norm "$3")

# tree_version TREE: VERSION.PATCHLEVEL.SUBLEVEL[EXTRAVERSION] from its Makefile.
tree_version() {
	awk -F' *= *' '
	$1 == "VERSION" { v = $2 } $1 == "PATCHLEVEL" { p = $2 }
	$1 == "SUBLEVEL" { s = $2 } $1 == "EXTRAVERSION" { e = $2 }
	END { if (v != "") printf "%s.%s.%s%s\n", v, p, s, e; else print "unknown" }
	' "$1/Makefile" 2>/dev/null || echo unknown
}

[ -d "$TREE" ] || die "$TREE: no such directory (give a Linux source tree)"
TREE=$(cd "$TREE" && pwd -P)
VERSION=$(tree_version "$TREE")
[ -f "$TREE/mm/madvise.c" ] ||
	die "$TREE (version $VERSION) has no mm/madvise.c: not a Linux source tree"
if [ -e "$TREE/.config" ] || [ -e "$TREE/include/config" ]; then
	die "$TREE (version $VERSION) was built in place; out-of-tree (O=) builds need a clean tree: 'make -C $TREE mrproper' (or give a fresh copy)"
fi

# The patch directory for this tree: 7.x for every 7.y, else MAJOR.MINOR.
series() {
	case $VERSION in
	7.*) echo 7.x ;;
	*) echo "$VERSION" | cut -d. -f1,2 ;;
	esac
}
SERIES=$(series)
PATCH=
if [ "$VARIANT" != stock ]; then
	PATCH=$KDIR/patches/$SERIES/$VARIANT.patch
	if [ ! -f "$PATCH" ]; then
		avail=$(find "$KDIR/patches/$SERIES" -name '*.patch' 2>/dev/null |
			sed 's|.*/||; s|\.patch$||' | sort | tr '\n' ' ')
		die "no patch for variant '$VARIANT' on Linux $VERSION ($PATCH); variants for $SERIES: stock ${avail}"
	fi
fi

# Tools, with the Debian package to install.
need make make
need flex flex
need bison bison
need bc bc
need perl perl
need patch patch
need flock util-linux
CROSS=$(cross_prefix "$ARCH")
need "${CROSS}gcc" "$([ -n "$CROSS" ] && cross_pkg "$ARCH" || echo gcc)"
if [ "$ARCH" = x86_64 ] && [ ! -e /usr/include/gelf.h ]; then
	die "libelf headers missing (objtool needs them): install them with 'apt-get install libelf-dev'"
fi

case $ARCH in
x86_64) KARCH=x86_64 ;;
arm64) KARCH=arm64 ;;
esac
IMAGE=$(kimage_path "$ARCH")

tkey=$(basename "$TREE")-$(printf '%s' "$TREE" | md5sum | cut -c1-8)
WORK=$LAB_DIR/trees/$tkey
SRC=$WORK/src
OBJ=$LAB_DIR/build/$tkey-$ARCH
OUT=$LAB_DIR/kernels/$tkey/$ARCH-$VARIANT
mkdir -p "$WORK" "$OBJ" "$OUT"

# Identity of what goes into the image; a match means the cached one is it.
tree_id() {
	# Only a tree that is a git work tree's top (not one inside another
	# repository, such as this one's .lab/) is identified by git.
	if [ "$(git -C "$TREE" rev-parse --show-toplevel 2>/dev/null)" = "$TREE" ]; then
		git -C "$TREE" rev-parse HEAD
		git -C "$TREE" status --porcelain --untracked-files=no | md5sum
	else
		stat -c '%n %s %Y' "$TREE/Makefile" "$TREE/mm/madvise.c" "$TREE/include/linux/mm.h"
	fi
	echo "$VERSION"
}
stamp=$( {
	tree_id
	cat "$KDIR/config/lab.config" "$KDIR/config/lab-$ARCH.config"
	[ -z "$PATCH" ] || cat "$PATCH"
	echo "$VARIANT $ARCH ${CROSS}"
} | md5sum | cut -d' ' -f1)

if [ -f "$OUT/stamp" ] && [ "$(cat "$OUT/stamp")" = "$stamp" ] &&
	[ -f "$OUT/$(basename "$IMAGE")" ]; then
	say "$ARCH $VARIANT (Linux $VERSION): up to date, $OUT"
	echo "$OUT/$(basename "$IMAGE")"
	exit 0
fi

# One build at a time per copy of the tree.
exec 9>"$WORK/lock"
flock 9

# (Re)make the hard-link copy when the tree changed.
tid=$(tree_id | md5sum | cut -d' ' -f1)
if [ ! -f "$WORK/tree-id" ] || [ "$(cat "$WORK/tree-id")" != "$tid" ] ||
	[ ! -f "$SRC/mm/madvise.c" ]; then
	say "copying $TREE (Linux $VERSION) to $SRC (hard links)"
	rm -rf "$SRC" "$WORK/patched" "$LAB_DIR/build/$tkey-"*
	mkdir -p "$OBJ"
	cp -al "$TREE" "$SRC" 2>/dev/null || {
		rm -rf "$SRC"
		say "hard links impossible (another filesystem?): copying"
		cp -a "$TREE" "$SRC"
	}
	# A git tree makes the release name "+"; keep it the plain version.
	rm -rf "$SRC/.git"
	echo "$tid" >"$WORK/tree-id"
fi

# files_of PATCH: the files a patch touches.
files_of() {
	awk '/^\+\+\+ / { f = $2; sub(/^b\//, "", f); sub(/\t.*/, "", f); print f }' "$1"
}

# Put back the pristine files of the previous variant.  A fresh copy, not
# a link: its new mtime makes make rebuild what depends on it.
if [ -f "$WORK/patched" ]; then
	while read -r f; do
		cp --remove-destination "$TREE/$f" "$SRC/$f"
	done <"$WORK/patched"
	rm -f "$WORK/patched"
fi

# hunk_text PATCH FILE N: hunk N of FILE in PATCH.
hunk_text() {
	awk -v file="$2" -v n="$3" '
	/^\+\+\+ / { f = $2; sub(/^b\//, "", f); sub(/\t.*/, "", f); h = 0; next }
	/^--- / { next }
	/^@@ / { if (f == file) h++ }
	/^(diff|index) / { h = 0 }
	f == file && h == n { print }
	' "$1"
}

if [ -n "$PATCH" ]; then
	if ! out=$(patch -p1 -d "$SRC" --dry-run --no-backup-if-mismatch <"$PATCH" 2>&1); then
		say "error: $(basename "$PATCH") ($SERIES) does not apply to $TREE (Linux $VERSION):"
		printf '%s\n' "$out" | sed 's/^/  /' >&2
		printf '%s\n' "$out" | awk '
		/^checking file / { f = $3 }
		/^Hunk #[0-9]+ FAILED/ { sub(/^#/, "", $2); print f, $2 }
		' | while read -r f n; do
			printf '%s: failing hunk #%s of %s:\n' "${0##*/}" "$n" "$f" >&2
			hunk_text "$PATCH" "$f" "$n" | sed 's/^/  /' >&2
		done
		exit 1
	fi
	files_of "$PATCH" >"$WORK/patched"
	while read -r f; do
		# Break the hard link so the patch writes a file of our own.
		cp --remove-destination "$TREE/$f" "$SRC/$f"
	done <"$WORK/patched"
	patch -s -p1 -d "$SRC" --no-backup-if-mismatch <"$PATCH"
fi

kmake() {
	make -C "$SRC" O="$OBJ" ARCH="$KARCH" ${CROSS:+CROSS_COMPILE=$CROSS} "$@"
}

log=$OUT/build.log
start=$(now)
say "building $ARCH $VARIANT (Linux $VERSION) in $OBJ, log $log"
{
	fstamp=$(cat "$KDIR/config/lab.config" "$KDIR/config/lab-$ARCH.config" | md5sum)
	if [ ! -f "$OBJ/.config" ] || [ "$(cat "$OBJ/fragments" 2>/dev/null)" != "$fstamp" ]; then
		kmake tinyconfig
		env ARCH="$KARCH" CROSS_COMPILE="$CROSS" \
			"$SRC/scripts/kconfig/merge_config.sh" -m \
			-O "$OBJ" "$OBJ/.config" "$KDIR/config/lab.config" \
			"$KDIR/config/lab-$ARCH.config"
		echo "$fstamp" >"$OBJ/fragments"
	fi
	"$SRC/scripts/config" --file "$OBJ/.config" --set-str LOCALVERSION "-gb-$VARIANT" \
		--disable LOCALVERSION_AUTO
	kmake olddefconfig
} >"$log" 2>&1 || { tail -n 30 "$log" >&2; die "configuring failed: see $log"; }

# Every option the fragments ask for must have survived olddefconfig.
missing=$(cat "$KDIR/config/lab.config" "$KDIR/config/lab-$ARCH.config" |
	sed -n 's/^\(CONFIG_[A-Z0-9_]*\)=y$/\1/p' | while read -r opt; do
		grep -qx "$opt=y" "$OBJ/.config" || echo "$opt"
	done | tr '\n' ' ')
[ -z "$missing" ] ||
	die "Linux $VERSION $ARCH: the config fragments ask for options it lacks or refuses: $missing(see $OBJ/.config)"

if ! kmake -j"$(nproc)" "$(basename "$IMAGE")" >>"$log" 2>&1; then
	grep -E 'error|Error' "$log" | head -n 20 >&2 || true
	tail -n 20 "$log" >&2
	die "building $ARCH $VARIANT failed: see $log"
fi
secs=$(elapsed "$start")

cp "$OBJ/$IMAGE" "$OUT/"
cp "$OBJ/.config" "$OUT/config"
kmake -s kernelrelease >"$OUT/kernelrelease" 2>/dev/null || true
echo "$secs" >"$OUT/build-seconds"
echo "$stamp" >"$OUT/stamp"
say "built $ARCH $VARIANT ($(cat "$OUT/kernelrelease")) in $secs s"
echo "$OUT/$(basename "$IMAGE")"
