#!/usr/bin/env bash
# Install what guard-bench needs to build and test, with the system's
# package manager; sudo when not root.  Where it cannot, it prints the
# exact command and fails.
set -eu

apt_pkgs="build-essential pkg-config libhwloc-dev libpfm4-dev libcmocka-dev gnuplot-nox"
dnf_pkgs="gcc make pkgconf-pkg-config hwloc-devel libpfm-devel libcmocka-devel gnuplot"
zypper_pkgs="gcc make pkgconf hwloc-devel libpfm-devel libcmocka-devel gnuplot"
pacman_pkgs="base-devel pkgconf hwloc libpfm4 cmocka gnuplot"

sudo=""
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
		sudo="sudo"
	else
		sudo="NOSUDO"
	fi
fi

run() {
	if [ "$sudo" = NOSUDO ]; then
		echo "guard-bench: missing build dependencies; as root run:" >&2
		echo "  $*" >&2
		exit 1
	fi
	echo "guard-bench: installing build dependencies: $*" >&2
	$sudo "$@"
}

if command -v apt-get >/dev/null 2>&1; then
	if [ "$sudo" = NOSUDO ]; then
		run sh -c "apt-get update && apt-get install -y $apt_pkgs"
	fi
	DEBIAN_FRONTEND=noninteractive run apt-get update -q
	DEBIAN_FRONTEND=noninteractive run apt-get install -y -q $apt_pkgs
elif command -v dnf >/dev/null 2>&1; then
	run dnf install -y $dnf_pkgs
elif command -v zypper >/dev/null 2>&1; then
	run zypper --non-interactive install $zypper_pkgs
elif command -v pacman >/dev/null 2>&1; then
	run pacman -S --needed --noconfirm $pacman_pkgs
else
	echo "guard-bench: unknown package manager: install hwloc, libpfm4," \
	     "cmocka (development files), pkg-config, a C compiler, make" >&2
	exit 1
fi
