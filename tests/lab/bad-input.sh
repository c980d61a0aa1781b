#!/usr/bin/env bash
# The kernel lab's answers to bad input, each from the real script:
# a tree without mm/madvise.c, a patch that does not apply (the failing
# hunk and the tree's version), an unknown variant, qemu or the cross
# compiler missing (the Debian package to install), an orig tarball whose
# sha256 is wrong or not pinned, a hung guest (timeout with the console's
# last lines), and KVM unusable (TCG, and why); missing tools named all
# at once, two labs sharing LAB_DIR taking turns, a LAB_DIR with a space
# in it, and no run directory left behind by a failed guest.  Run after
# tests/lab/check-paths.sh, whose kernels and cache ($LAB_DIR) it reuses
# for the guest cases.  `ok`/`not ok` lines, then `N passed, N failed`.
set -uo pipefail
cd "$(dirname "$0")/../.."
. tests/lib.sh
on_fail() { show "$T/out" 8; }
# shellcheck source-path=SCRIPTDIR/../../scripts/kernel
. scripts/kernel/lib.sh	# LAB_DIR as the lab scripts see it
T=$(mktemp -d /tmp/guard-bench-labbad.XXXXXX)
trap 'rm -rf "$T"' EXIT

# expect STATUS DESC PATTERN... -- CMD...: CMD exits STATUS and its output
# holds every PATTERN (extended regexps).
expect() {
	local want=$1 desc=$2 rc p pats=()
	shift 2
	while [ "$1" != -- ]; do pats+=("$1"); shift; done
	shift
	"$@" >"$T/out" 2>&1
	rc=$?
	if [ "$rc" -ne "$want" ]; then
		not_ok "$desc (exit $rc, want $want)"
		return
	fi
	for p in "${pats[@]}"; do
		if ! grep -qE -- "$p" "$T/out"; then
			not_ok "$desc (no '$p' in the output)"
			return
		fi
	done
	ok "$desc"
}

# A tree that looks like Linux 7.2.0 to build.sh but is not.
fake_tree() {
	mkdir -p "$1/mm" "$1/include/linux"
	printf 'VERSION = 7\nPATCHLEVEL = 2\nSUBLEVEL = 0\nEXTRAVERSION =\n' >"$1/Makefile"
	printf '/* not the real madvise.c */\nint x;\n' >"$1/mm/madvise.c"
	: >"$1/include/linux/mm.h"
}

# A PATH holding every tool of this machine but those matching REGEX.
path_without() {
	local dir=$T/bin-$2 f
	mkdir -p "$dir"
	for f in /usr/local/sbin/* /usr/local/bin/* /usr/sbin/* /usr/bin/* /sbin/* /bin/*; do
		[ -x "$f" ] || continue
		[[ ${f##*/} =~ $1 ]] && continue
		[ -e "$dir/${f##*/}" ] || ln -s "$f" "$dir/${f##*/}"
	done
	echo "$dir"
}

# ---- build.sh -------------------------------------------------------------
mkdir -p "$T/empty"
printf 'VERSION = 7\nPATCHLEVEL = 2\nSUBLEVEL = 0\n' >"$T/empty/Makefile"
expect 1 "build.sh: a tree without mm/madvise.c names it and the version" \
	'7\.2\.0' 'no mm/madvise\.c' -- \
	env LAB_DIR="$T/lab" scripts/kernel/build.sh "$T/empty" stock x86_64
fake_tree "$T/fake"
expect 1 "build.sh: a patch that does not apply shows the failing hunk and the version" \
	'does not apply to .*Linux 7\.2\.0' 'failing hunk #1 of mm/madvise\.c' \
	'MADV_GUARD_INSTALL' -- \
	env LAB_DIR="$T/lab" scripts/kernel/build.sh "$T/fake" mmap-write x86_64
if cmp -s "$T/fake/mm/madvise.c" <(printf '/* not the real madvise.c */\nint x;\n'); then
	ok "build.sh: the user's tree is left as it was"
else
	: >"$T/out"
	not_ok "build.sh: the user's tree is left as it was"
fi
expect 1 "build.sh: an unknown variant lists the tree's variants" \
	"no patch for variant 'mmap-foo'" 'stock mmap-read mmap-write' -- \
	env LAB_DIR="$T/lab" scripts/kernel/build.sh "$T/fake" mmap-foo x86_64
nocross=$(path_without '^aarch64-linux-gnu-' nocross)
expect 1 "build.sh: no cross compiler names its package" \
	"aarch64-linux-gnu-gcc not found: install it with 'apt-get install gcc-aarch64-linux-gnu'" -- \
	env PATH="$nocross" LAB_DIR="$T/lab" scripts/kernel/build.sh "$T/fake" stock arm64

# ---- debian.sh orig -------------------------------------------------------
mkdir -p "$T/lab/debian/orig"
echo "not a tarball" >"$T/lab/debian/orig/linux_6.19.6.orig.tar.xz"
expect 1 "debian.sh orig: a tarball whose sha256 is wrong is refused and removed" \
	'linux_6\.19\.6\.orig\.tar\.xz: sha256 [0-9a-f]{64}, expected 60f1a9b5' -- \
	env LAB_DIR="$T/lab" scripts/kernel/debian.sh orig 6.19.6
if [ ! -e "$T/lab/debian/orig/linux_6.19.6.orig.tar.xz" ] && [ ! -e "$T/lab/debian/src/linux-6.19.6" ]; then
	ok "debian.sh orig: nothing of the bad tarball is kept"
else
	: >"$T/out"
	not_ok "debian.sh orig: nothing of the bad tarball is kept"
fi
echo "not a tarball either" >"$T/lab/debian/orig/linux_6.19.99.orig.tar.xz"
expect 1 "debian.sh orig: an unpinned tarball is refused with its sha256 and the fix" \
	'not pinned in scripts/kernel/orig\.sha256; its sha256 is [0-9a-f]{64}' 'ORIG_SHA256=' -- \
	env LAB_DIR="$T/lab" scripts/kernel/debian.sh orig 6.19.99
expect 1 "debian.sh orig: a version that is not one" "give a Linux version" -- \
	env LAB_DIR="$T/lab" scripts/kernel/debian.sh orig latest

# ---- run.sh -------------------------------------------------------------
img=$(find "$LAB_DIR/kernels" -path '*linux-source-7.2*/x86_64-stock/bzImage' -print -quit 2>/dev/null)
[ -n "$img" ] || img=$(scripts/kernel/debian.sh image x86_64 sid)
noqemu=$(path_without '^qemu-system-' noqemu)
expect 1 "run.sh: no qemu names its package" \
	"qemu-system-x86_64 not found: install it with 'apt-get install qemu-system-x86'" -- \
	env PATH="$noqemu" scripts/vm/run.sh "$img" x86_64 detect
expect 1 "run.sh: a bad VM_TCG_THREAD says what it takes" \
	'VM_TCG_THREAD=both: use single or multi' -- \
	env VM_TCG_THREAD=both scripts/vm/run.sh "$img" x86_64 detect
vm_before=$(ls -d "$LAB_DIR"/vm/x86_64-* 2>/dev/null | sort)
expect 124 "run.sh: a hung guest ends at VM_TIMEOUT with the console's last lines" \
	'guest hung: no power-off within VM_TIMEOUT=20s' '  \| gb-init: ' \
	"the guest's console: .*/vm/x86_64-failed.log" -- \
	env VM_TIMEOUT=20 scripts/vm/run.sh "$img" x86_64 --shell 'sleep 600'
# A guest that dies of "Oops: int3" under multi-threaded TCG is booted
# once more single-threaded (a QEMU artifact of x86 code patching); here
# the guest prints the line and powers off without a status, both times.
expect 125 "run.sh: a guest dead of 'Oops: int3' under multi-threaded TCG is retried single-threaded once" \
	'booting .*tcg multi-threaded' 'retrying once with one TCG thread' \
	'guest ended .* without guard-bench.s status' -- \
	env VM_ACCEL=tcg scripts/vm/run.sh "$img" x86_64 --shell \
	'echo "[    1.0] Oops: int3: 0000 [#1] SMP (bad-input.sh)"; reboot -f'
if [ "$(grep -c '^  | .*Oops: int3' "$T/out")" -ge 1 ] &&
	[ "$(grep -c 'retrying once' "$T/out")" -eq 1 ]; then
	ok "run.sh: one retry, and the console's Oops shown"
else
	not_ok "run.sh: one retry, and the console's Oops shown"
fi
left=$(comm -13 <(echo "$vm_before") <(ls -d "$LAB_DIR"/vm/x86_64-* 2>/dev/null | sort) | grep -v 'failed\.log$' || true)
if [ -z "$left" ]; then
	ok "run.sh: the hung and the dead guest leave no \$LAB_DIR/vm/x86_64-XXXXXX behind"
else
	echo "$left" >"$T/out"
	not_ok "run.sh: the hung and the dead guest leave no \$LAB_DIR/vm/x86_64-XXXXXX behind"
fi
# KVM: used where it boots a guest; otherwise TCG, and the reason said.
expect 0 "run.sh: the accelerator is named, and TCG comes with its reason" \
	'booting .*\((x86_64, kvm|x86_64, tcg)' 'guard_path: ' -- \
	scripts/vm/run.sh "$img" x86_64 detect
if grep -q 'x86_64, tcg' "$T/out"; then
	if grep -qE 'KVM (unusable|skipped)' "$T/out"; then
		ok "run.sh: TCG here, and why: $(grep -m1 -oE 'KVM (unusable|skipped)[^;]*' "$T/out")"
	else
		not_ok "run.sh: TCG without a reason"
	fi
else
	ok "run.sh: KVM boots guests on this host"
fi
other=arm64
[ "$(uname -m)" != aarch64 ] || other=x86_64
expect 1 "run.sh: VM_ACCEL=kvm on a guest of another arch is refused with the reason" \
	"VM_ACCEL=kvm but guest arch $other is not the host's" -- \
	env VM_ACCEL=kvm scripts/vm/run.sh "$img" $other detect

# ---- missing tools, a shared LAB_DIR, a LAB_DIR with a space -------------
nolab=$(path_without '^(flex|bison|qemu-system-.*)$' nolab)
expect 3 "deps.sh lab: every missing tool in one message, with one command" \
	'missing for lab: .*flex.*bison.*qemu-system-x86.*qemu-system-arm' \
	'apt-get install -y --no-install-recommends flex bison qemu-system-x86 qemu-system-arm$' -- \
	env PATH="$nolab" scripts/deps.sh --check lab
# Another lab holds LAB_DIR's package lists: this one waits its turn.
mkdir -p "$T/shared"
flock "$T/shared/.lock-debian" sleep 3 &
holder=$!
sleep 0.5
expect 1 "debian.sh: a second lab on the same LAB_DIR waits for the first, and says so" \
	"waiting for .*/shared/.lock-debian: another lab is using LAB_DIR" \
	'give a Linux version' -- \
	env LAB_DIR="$T/shared" scripts/kernel/debian.sh orig latest
wait $holder
# The whole arm64 path (package lists, sysroot, cross-build, boot) with a
# space in LAB_DIR; the package cache is reused, not fetched again.
spaced="$T/lab with space"
mkdir -p "$spaced"
mkdir -p "$spaced/debian"
for d in apt debs img; do
	[ -d "$LAB_DIR/debian/$d" ] || continue
	cp -al "$LAB_DIR/debian/$d" "$spaced/debian/" 2>/dev/null ||
		cp -a "$LAB_DIR/debian/$d" "$spaced/debian/"
done
arm=$(env LAB_DIR="$spaced" scripts/kernel/debian.sh image arm64 sid 2>"$T/out")
if [ -n "$arm" ]; then
	expect 0 "run.sh: a LAB_DIR with a space: arm64 sysroot, cross-build and boot" \
		'guard_path: ' -- env LAB_DIR="$spaced" scripts/vm/run.sh "$arm" arm64 detect
else
	not_ok "debian.sh image arm64 sid with a space in LAB_DIR"
fi

finish
