#!/usr/bin/env bash
# Boot a kernel under qemu with guard-bench in an initramfs, run it, and
# bring its results directory back into results/:
#
#   scripts/vm/run.sh KERNEL ARCH [GUARD-BENCH ARGS...]     (default: detect)
#   scripts/vm/run.sh KERNEL ARCH --shell 'COMMAND'          (a look inside)
#
#   scripts/vm/run.sh $LAB_DIR/kernels/.../bzImage x86_64 run --quick -s install
#
# KERNEL is a bzImage/Image/vmlinuz of ARCH (x86_64 or arm64); it needs no
# modules (scripts/kernel/build.sh, or a distribution kernel with serial
# console, devtmpfs, tracefs and perf events built in).  The initramfs holds
# busybox-static (Debian's, for ARCH), guard-bench with its shared libraries
# and loader, and scripts/vm/init, which mounts proc, sysfs, tracefs and a
# tmpfs, runs guard-bench, streams its results back on the console and
# powers off.  Exits with guard-bench's status; 124 when the guest hung
# (VM_TIMEOUT), 125 when it ended without reporting a status.
#
# Environment:
#   VM_ACCEL    auto (KVM where /dev/kvm works for ARCH, else TCG), kvm, tcg
#   VM_CPUS     guest CPUs (default 2)      VM_MEM    guest MiB (default 1024)
#   VM_TIMEOUT  seconds before a guest counts as hung (default 900)
#   VM_KVM_BOOT seconds KVM gets to reach the guest's init before the run
#               is retried under TCG (default 60; nested KVM can stall)
#   VM_TCG_THREAD  single or multi: TCG's vCPU threads (default multi:
#               the guest's CPUs run at once, so contenders contend).  An
#               x86 kernel patches its own code through int3 breakpoints
#               (jump labels); multi-threaded TCG (QEMU 7.2, Debian 12) can
#               let another vCPU run a stale one, and the guest dies with
#               "Oops: int3" (seen once booting Debian's 7.2 cloud kernel,
#               in sched_clock_cpu).  Unless VM_TCG_THREAD is set, such a
#               death is retried once single-threaded, and said so.
#   GB_BIN      guard-bench binary to use (default: built from this tree,
#               natively with `make build`, or cross-built for arm64 in
#               $LAB_DIR/gb-ARCH with Debian's arm64 libraries)
#   RESULTS_DIR where results land (default: results/ of this tree)
#   VM_VERBOSE=1  show the guest's boot messages too, not only what follows
#               its init's first line (console.log in the run's directory
#               under $LAB_DIR/vm/ has everything either way; that
#               directory is removed at exit, and when the guest failed
#               its console is kept as $LAB_DIR/vm/ARCH-failed.log)
set -euo pipefail
# shellcheck source-path=SCRIPTDIR/../kernel
. "$(dirname "$0")/../kernel/lib.sh"

usage() {
	sed -n '2,/^set -eu/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2
	exit 2
}

[ $# -ge 2 ] || usage
KERNEL=$1
ARCH=$(arch_norm "$2")
shift 2
[ $# -gt 0 ] || set -- detect
[ -f "$KERNEL" ] || die "$KERNEL: no such kernel image"
KERNEL=$(cd "$(dirname "$KERNEL")" && pwd -P)/$(basename "$KERNEL")

VM_ACCEL=${VM_ACCEL:-auto}
VM_CPUS=${VM_CPUS:-2}
VM_MEM=${VM_MEM:-1024}
VM_TIMEOUT=${VM_TIMEOUT:-900}
VM_KVM_BOOT=${VM_KVM_BOOT:-60}
RESULTS_DIR=${RESULTS_DIR:-$GB_ROOT/results}

case $ARCH in
x86_64)
	QEMU=qemu-system-x86_64 QEMU_PKG=qemu-system-x86
	TRIPLET=x86_64-linux-gnu CONSOLE=ttyS0
	;;
arm64)
	QEMU=qemu-system-aarch64 QEMU_PKG=qemu-system-arm
	TRIPLET=aarch64-linux-gnu CONSOLE=ttyAMA0
	;;
esac
TCG_THREAD=${VM_TCG_THREAD:-multi}
case $TCG_THREAD in
single | multi) ;;
*) die "VM_TCG_THREAD=$TCG_THREAD: use single or multi" ;;
esac
need "$QEMU" "$QEMU_PKG"
need cpio cpio
need gzip gzip
need tail coreutils
CROSS=$(cross_prefix "$ARCH")
READELF=${CROSS}readelf
need "$READELF" "$([ -n "$CROSS" ] && echo "binutils-$TRIPLET" || echo binutils)"

SYSROOT=$LAB_DIR/sysroot/$ARCH

# Debian's arm64 (or amd64) libraries guard-bench links with, for a cross
# build and for the guest; bookworm's, to match the cross glibc.
sysroot() {
	if [ ! -f "$SYSROOT/.done" ]; then
		rm -rf "$SYSROOT"
		"$GB_ROOT/scripts/kernel/debian.sh" unpack "$ARCH" bookworm "$SYSROOT" \
			busybox-static libhwloc15 libhwloc-dev libudev1 libpfm4 libpfm4-dev >&2
		touch "$SYSROOT/.done"
	fi
}

# guard-bench for ARCH: this tree's, built natively or cross-built in a
# copy with its own objects (never touching bench/*.o).
guard_bench() {
	local copy ver pcdirs sr
	if [ -n "${GB_BIN:-}" ]; then
		[ -x "$GB_BIN" ] || die "GB_BIN=$GB_BIN is not an executable"
		echo "$GB_BIN"
		return
	fi
	if [ -z "$CROSS" ]; then
		make -s -C "$GB_ROOT" build >&2 || die "building guard-bench failed (make -C $GB_ROOT build)"
		echo "$GB_ROOT/bench/guard-bench"
		return
	fi
	need "${CROSS}gcc" "$(cross_pkg "$ARCH")"
	need rsync rsync
	need pkg-config pkg-config
	sysroot
	copy=$LAB_DIR/gb-$ARCH
	mkdir -p "$copy"
	rsync -a --delete --exclude='*.o' --exclude='*.d' --exclude='*.a' \
		--exclude=/guard-bench --exclude=/.build-flags \
		"$GB_ROOT/bench/" "$copy/bench/"
	cp "$GB_ROOT/Makefile" "$copy/Makefile"
	ver=$(git -C "$GB_ROOT" describe --always --dirty --tags 2>/dev/null || echo unknown)
	# make splits its flags at spaces: name the sysroot by a link
	# without any when LAB_DIR has some.
	sr=$SYSROOT
	case $sr in
	*[[:space:]]*)
		sr=$RUN/sysroot
		case $sr in *[[:space:]]*) sr=$(mktemp -u /tmp/gb-sysroot.XXXXXX) ;; esac
		ln -sfn "$SYSROOT" "$sr"
		;;
	esac
	pcdirs=$sr/usr/lib/$TRIPLET/pkgconfig:$sr/usr/share/pkgconfig
	# Debian's headers put what differs by arch in the multiarch
	# directory (hwloc/autogen/config.h): the sysroot's own, so no
	# arm64 package on the host is needed.
	PKG_CONFIG_LIBDIR=$pcdirs PKG_CONFIG_SYSROOT_DIR=$sr \
		make -s -C "$copy" build CC="${CROSS}gcc" AR="${CROSS}ar" \
		VERSION="$ver" CPPFLAGS="-isystem $sr/usr/include/$TRIPLET" \
		LDFLAGS="-Wl,-rpath-link,$sr/usr/lib/$TRIPLET:$sr/lib/$TRIPLET" >&2 || {
		[ "$sr" = "$SYSROOT" ] || rm -f "$sr"
		die "cross-building guard-bench for $ARCH failed (in $copy)"
	}
	[ "$sr" = "$SYSROOT" ] || rm -f "$sr"
	echo "$copy/bench/guard-bench"
}

# Where the guest's libraries come from.
if [ -z "$CROSS" ]; then
	LIB_DIRS=("/lib/$TRIPLET" "/usr/lib/$TRIPLET" /lib64 /usr/lib64 /lib /usr/lib)
else
	LIB_DIRS=("$SYSROOT/usr/lib/$TRIPLET" "$SYSROOT/lib/$TRIPLET" "/usr/$TRIPLET/lib")
fi

# copy_libs ELF DEST: its shared libraries, recursively, into DEST/gb/lib,
# and its loader at the path the binary names.
copy_libs() {
	local elf=$1 dest=$2 interp todo lib d found seen=" "
	interp=$("$READELF" -l "$elf" | sed -n 's/.*program interpreter: \(.*\)]$/\1/p')
	if [ -n "$interp" ]; then
		found=$interp
		[ -z "$CROSS" ] || found=/usr/$TRIPLET/lib/$(basename "$interp")
		[ -e "$found" ] || die "loader $interp of $elf not found (looked at $found)"
		mkdir -p "$dest$(dirname "$interp")"
		cp -L "$found" "$dest$interp"
	fi
	mkdir -p "$dest/gb/lib"
	todo=$("$READELF" -d "$elf" | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p')
	while [ -n "$todo" ]; do
		lib=${todo%%$'\n'*}
		todo=${todo#"$lib"}
		todo=${todo#$'\n'}
		case $seen in *" $lib "*) continue ;; esac
		seen="$seen$lib "
		found=
		for d in "${LIB_DIRS[@]}"; do
			if [ -e "$d/$lib" ]; then
				found=$d/$lib
				break
			fi
		done
		[ -n "$found" ] || die "$lib (needed by $(basename "$elf")) not found in ${LIB_DIRS[*]}"
		cp -L "$found" "$dest/gb/lib/$lib"
		todo="$todo${todo:+$'\n'}$("$READELF" -d "$found" | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p')"
	done
}

# kvm_usable: KVM for a guest of the host's arch, checked by starting a
# machine with a vCPU.  Sets KVM_CPU: -cpu host, or host without
# arch-capabilities where a nested KVM refuses that MSR (seen: "failed to
# set MSR 0x10a" on an AMD host).
kvm_usable() {
	local err c
	[ "$ARCH" = "$(host_arch)" ] || { KVM_WHY="guest arch $ARCH is not the host's"; return 1; }
	[ -e /dev/kvm ] || { KVM_WHY="no /dev/kvm"; return 1; }
	if [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
		KVM_WHY="/dev/kvm not read-writable by $(id -un) (add yourself to group kvm)"
		return 1
	fi
	for c in host host,-arch-capabilities; do
		[ "$ARCH" = x86_64 ] || [ "$c" = host ] || continue
		if err=$(echo quit | timeout 20 "$QEMU" -accel kvm -cpu "$c" \
			"${machine[@]}" -nodefaults -display none -monitor stdio 2>&1 >/dev/null); then
			KVM_CPU=$c
			return 0
		fi
	done
	KVM_WHY="qemu -accel kvm failed: $(printf '%s\n' "$err" | awk 'NF && !f { f = 1; print }')"
	return 1
}

case $ARCH in
x86_64) machine=() ;;
arm64) machine=(-M virt) ;;
esac

KVM_WHY=''
KVM_CPU=host
case $VM_ACCEL in
auto)
	if kvm_usable; then ACCEL=kvm; else
		ACCEL=tcg
		say "KVM unusable ($KVM_WHY): using TCG emulation; timings are not a CPU's"
	fi
	;;
kvm) kvm_usable || die "VM_ACCEL=kvm but $KVM_WHY" ; ACCEL=kvm ;;
tcg) ACCEL=tcg ;;
*) die "VM_ACCEL=$VM_ACCEL: use auto, kvm or tcg" ;;
esac

sysroot_bb() {
	# busybox-static of ARCH, from Debian (the host's may be another arch).
	sysroot
	[ -x "$SYSROOT/bin/busybox" ] || die "no bin/busybox in $SYSROOT"
	echo "$SYSROOT/bin/busybox"
}

# The run's directory goes at exit, whatever happens; a failed guest's
# console is kept, one file per arch.
mkdir -p "$LAB_DIR/vm"
RUN=$(mktemp -d "$LAB_DIR/vm/$ARCH-XXXXXX")
FAILED_LOG=$LAB_DIR/vm/$ARCH-failed.log
QPID=''
TPID=''
# shellcheck disable=SC2317 # run from the traps
stop_qemu() {
	[ -z "$QPID" ] || kill "$QPID" 2>/dev/null || true
	[ -z "$TPID" ] || kill "$TPID" 2>/dev/null || true
}
# shellcheck disable=SC2317
cleanup() {
	local rc=$?
	stop_qemu
	if [ "$rc" -ne 0 ] && [ -s "$RUN/console.log" ]; then
		tr -d '\r' <"$RUN/console.log" >"$FAILED_LOG" 2>/dev/null &&
			say "the guest's console: $FAILED_LOG"
	fi
	rm -rf "$RUN"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# The sysroot and the cross-built copy are shared by every run on
# LAB_DIR: hold them until the initramfs has what it needs.
lab_lock "gb_$ARCH"
GB=$(guard_bench)
BUSYBOX=$(sysroot_bb)
ROOT=$RUN/root
mkdir -p "$ROOT"/bin "$ROOT"/proc "$ROOT"/sys "$ROOT"/dev "$ROOT"/tmp "$ROOT"/gb
cp "$BUSYBOX" "$ROOT/bin/busybox"
cp "$GB_ROOT/scripts/vm/init" "$ROOT/init"
chmod 755 "$ROOT/init"
cp "$GB" "$ROOT/gb/guard-bench"
copy_libs "$GB" "$ROOT"
lab_unlock "gb_$ARCH"
# The command, quoted for the guest's sh; --shell CMD runs CMD instead
# (to look around a guest: what tracefs holds, what the DT says).
if [ "$1" = --shell ]; then
	shift
	printf '%s\n' "$*" >"$ROOT/gb/cmd"
else
	q=
	for a in "$@"; do
		q="$q '$(printf '%s' "$a" | sed "s/'/'\\\\''/g")'"
	done
	echo "./guard-bench$q" >"$ROOT/gb/cmd"
fi
echo "$*" >"$ROOT/gb/cmd-text"
(cd "$ROOT" && find . | cpio -o -H newc --quiet | gzip -1) >"$RUN/initramfs.gz"

# boot ACCEL: run the guest, showing its console; sets QRC to qemu's
# status, 124 for a hang, or 3 when KVM failed and TCG should be tried.
boot() {
	local accel=$1 cpu t=0 append wrc
	if [ "$accel" = kvm ]; then
		cpu=(-accel kvm -cpu "$KVM_CPU")
	else
		cpu=(-accel "tcg,thread=$TCG_THREAD" -cpu max)
	fi
	append="console=$CONSOLE panic=-1 gb.date=$(date +%s) gb.host=qemu-$accel"
	: >"$RUN/console.log"
	"$QEMU" "${machine[@]}" "${cpu[@]}" -smp "$VM_CPUS" -m "$VM_MEM" \
		-nodefaults -display none -no-reboot -serial stdio \
		-kernel "$KERNEL" -initrd "$RUN/initramfs.gz" -append "$append" \
		</dev/null >"$RUN/console.log" 2>&1 &
	QPID=$!
	tail -n +1 -f --pid="$QPID" "$RUN/console.log" | awk -v verbose="${VM_VERBOSE:-0}" '
	/^GB-RESULTS-BEGIN/ { skip = 1; print "[results: " $2 " bytes over the console]"; fflush(); next }
	/^GB-RESULTS-END/ { skip = 0; next }
	skip { next }
	verbose != 1 && !started { if (/^gb-init: /) started = 1; else next }
	{ print; fflush() }' &
	TPID=$!
	QRC=''
	while kill -0 "$QPID" 2>/dev/null; do
		sleep 1
		t=$((t + 1))
		if [ "$accel" = kvm ] && { grep -q 'KVM internal error' "$RUN/console.log" ||
			{ [ "$t" -ge "$VM_KVM_BOOT" ] && ! grep -q '^gb-init:' "$RUN/console.log"; }; }; then
			kill "$QPID" 2>/dev/null || true
			QRC=3
		elif [ "$t" -ge "$VM_TIMEOUT" ]; then
			kill "$QPID" 2>/dev/null || true
			QRC=124
		fi
	done
	wrc=0
	wait "$QPID" || wrc=$?
	[ -n "$QRC" ] || QRC=$wrc
	wait "$TPID" 2>/dev/null || true
	QPID='' TPID=''
}

# A host where KVM failed to boot a guest is remembered, so later runs go
# straight to TCG; delete the file to try KVM again.
KVM_BROKEN=$LAB_DIR/vm/kvm-failed-$(uname -r)
if [ "$ACCEL" = kvm ] && [ "$VM_ACCEL" = auto ] && [ -f "$KVM_BROKEN" ]; then
	ACCEL=tcg
	say "KVM skipped: it failed to boot a guest on this host before ($(cat "$KVM_BROKEN")); using TCG (rm $KVM_BROKEN to retry)"
fi

# accel_words: the accelerator as the messages name it.
accel_words() {
	if [ "$ACCEL" = tcg ]; then echo "tcg $TCG_THREAD-threaded"; else echo "$ACCEL"; fi
}

say "booting $(basename "$KERNEL") ($ARCH, $(accel_words), $VM_CPUS CPUs, $VM_MEM MiB): guard-bench $*"
say "console log: $RUN/console.log (while it runs)"
start=$(now)
boot "$ACCEL"
if [ "$QRC" = 3 ]; then
	why=$(grep -m1 'KVM internal error' "$RUN/console.log" ||
		echo "no output from the guest's init within ${VM_KVM_BOOT}s")
	echo "$why (qemu -cpu $KVM_CPU)" >"$KVM_BROKEN"
	say "KVM unusable: $why (a nested KVM?): retrying under TCG; timings are not a CPU's"
	ACCEL=tcg
	start=$(now)
	boot tcg
fi
# A stale int3 under multi-threaded TCG kills an x86 guest that patched
# its own code: an emulator artifact, not the kernel under test.  Once,
# with one TCG thread (its vCPUs then take turns).
if [ "$ACCEL" = tcg ] && [ "$TCG_THREAD" = multi ] && [ -z "${VM_TCG_THREAD:-}" ] &&
	[ "$QRC" != 124 ] && ! grep -q '^GB-EXIT ' "$RUN/console.log" &&
	grep -q 'Oops: int3' "$RUN/console.log"; then
	cp "$RUN/console.log" "$RUN/console-multi.log"
	say "the guest died of a stale int3 breakpoint ('Oops: int3', $RUN/console-multi.log), a multi-threaded TCG artifact of x86 code patching: retrying once with one TCG thread (VM_TCG_THREAD=single)"
	TCG_THREAD=single
	start=$(now)
	boot tcg
fi
qrc=$QRC
secs=$(elapsed "$start")
tr -d '\r' <"$RUN/console.log" >"$RUN/console.txt"

if [ "$qrc" -eq 124 ] || [ "$qrc" -eq 137 ]; then
	say "error: guest hung: no power-off within VM_TIMEOUT=${VM_TIMEOUT}s; last console lines:"
	tail -n 20 "$RUN/console.txt" | sed 's/^/  | /' >&2
	exit 124
fi

rc=$(sed -n 's/^GB-EXIT \([0-9]*\)$/\1/p' "$RUN/console.txt" | tail -n 1)
if [ -z "$rc" ]; then
	say "error: the guest ended (qemu status $qrc) without guard-bench's status; last console lines:"
	tail -n 20 "$RUN/console.txt" | sed 's/^/  | /' >&2
	exit 125
fi

if grep -q '^GB-RESULTS-BEGIN' "$RUN/console.txt"; then
	read -r _ size sum < <(grep '^GB-RESULTS-BEGIN' "$RUN/console.txt" | tail -n 1)
	sed -n '/^GB-RESULTS-BEGIN/,/^GB-RESULTS-END/p' "$RUN/console.txt" |
		sed '1d;$d' | base64 -d >"$RUN/results.tgz" ||
		die "results stream from the guest is corrupt (see $FAILED_LOG)"
	if [ "$(wc -c <"$RUN/results.tgz")" != "$size" ] ||
		[ "$(sha256sum <"$RUN/results.tgz" | cut -d' ' -f1)" != "$sum" ]; then
		die "results stream from the guest is corrupt: size or sha256 differs (see $FAILED_LOG)"
	fi
	mkdir -p "$RESULTS_DIR"
	tar -xzf "$RUN/results.tgz" -C "$RESULTS_DIR"
	tar -tzf "$RUN/results.tgz" | awk -F/ 'NF >= 3 && $3 != "" { print $2 "/" $3 }' |
		sort -u | while read -r d; do
			say "results: $RESULTS_DIR/$d"
		done
fi
say "guest $(basename "$KERNEL") ($ARCH, $(accel_words)): guard-bench exited $rc, boot to results ${secs} s"
exit "$rc"
