# shellcheck shell=bash
# Helpers shared by scripts/kernel/ and scripts/vm/: error reporting, the
# lab's cache directory, architecture names, tools with their Debian
# package.  Sourced, never run.

GB_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# Everything downloaded or built lives here (git-ignored); a second
# `make lab` reuses it.  LAB_DIR moves it, e.g. to ~/.cache/guard-bench.
LAB_DIR=${LAB_DIR:-$GB_ROOT/.lab}

say() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }
die() { say "error: $*"; exit 1; }

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
