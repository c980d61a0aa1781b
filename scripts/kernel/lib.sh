# shellcheck shell=bash
# Helpers shared by scripts/kernel/ and scripts/vm/: error reporting, the
# lab's cache directory, architecture names, tools with their Debian
# package.  Sourced, never run.

GB_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# Everything downloaded or built lives here, outside the clone, so a
# second `make lab`, or a fresh clone (CI), reuses it; labs sharing it
# take turns where they would clobber each other (lab_lock).  LAB_DIR
# moves it.
LAB_DIR=${LAB_DIR:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/guard-bench/lab}

say() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }
die() { say "error: $*"; exit 1; }

# The first Debian archive URI in this machine's sources (deb822 or
# one-line format), security archives excluded.
find_mirror() {
	local f
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
		 /etc/apt/sources.list.d/*.sources; do
		[ -r "$f" ] || continue
		awk '
		/^[ \t]*#/ { next }
		/^deb[ \t]/ {
			for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) {
				if ($i !~ /security/ && $(i + 1) !~ /security/) print $i
				break
			}
		}
		/^URIs:/ { for (i = 2; i <= NF; i++) if ($i !~ /security/) print $i }
		' "$f"
	done | grep -m1 -i debian || true
}

# lab_lock NAME: hold $LAB_DIR/.lock-NAME (flock) until this script
# exits, so two labs sharing LAB_DIR take turns where they would clobber
# each other (package lists, sysroots).  A script we start inherits the
# lock and does not wait for itself.  Sets LAB_LOCK_FD to release early.
lab_lock() {
	local var=GB_LAB_LOCK_$1 file=$LAB_DIR/.lock-$1
	[ "${!var:-}" != "$LAB_DIR" ] || return 0
	mkdir -p "$LAB_DIR"
	exec {LAB_LOCK_FD}>>"$file"
	if ! flock -n "$LAB_LOCK_FD"; then
		say "waiting for $file: another lab is using LAB_DIR=$LAB_DIR (give this one its own LAB_DIR not to wait)"
		flock "$LAB_LOCK_FD"
	fi
	export "$var=$LAB_DIR"
}

# lab_unlock NAME: release it before the script ends.
lab_unlock() {
	exec {LAB_LOCK_FD}>&-
	unset "GB_LAB_LOCK_$1"
}

# need TOOL PACKAGE: fail with the Debian package that provides TOOL.
need() {
	command -v "$1" >/dev/null 2>&1 ||
		die "$1 not found: install it with 'apt-get install $2'"
}

# arch_norm ARCH: the kernel's name for ARCH (x86_64 or arm64).
arch_norm() {
	case $1 in
	x86_64 | amd64 | x86) echo x86_64 ;;
	arm64 | aarch64) echo arm64 ;;
	*) die "unknown arch '$1': use x86_64 or arm64" ;;
	esac
}

# deb_arch ARCH: Debian's name for the kernel arch.
deb_arch() {
	case $(arch_norm "$1") in
	x86_64) echo amd64 ;;
	arm64) echo arm64 ;;
	esac
}

host_arch() { arch_norm "$(uname -m)"; }

# kimage_path ARCH: the image `make` leaves, relative to the build dir.
kimage_path() {
	case $(arch_norm "$1") in
	x86_64) echo arch/x86/boot/bzImage ;;
	arm64) echo arch/arm64/boot/Image ;;
	esac
}

# cross_prefix ARCH: CROSS_COMPILE for ARCH on this host ('' when native).
cross_prefix() {
	local a
	a=$(arch_norm "$1")
	if [ "$a" = "$(host_arch)" ]; then
		echo ""
		return
	fi
	case $a in
	arm64) echo aarch64-linux-gnu- ;;
	x86_64) echo x86_64-linux-gnu- ;;
	esac
}

# cross_pkg ARCH: the Debian package holding that cross compiler.
cross_pkg() {
	case $(arch_norm "$1") in
	arm64) echo gcc-aarch64-linux-gnu ;;
	x86_64) echo gcc-x86-64-linux-gnu ;;
	esac
}

# elapsed START: seconds since START (from `date +%s.%N`), one decimal.
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
