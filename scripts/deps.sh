#!/usr/bin/env bash
# Install what guard-bench needs, with the system's package manager;
# sudo when not root.  The lists are scripts/packages.txt, by group:
#
#   scripts/deps.sh [--check] [GROUP...]     (default: build test)
#
# GROUP: build test fuzz cross lab chroot.  Only what is missing is
# installed, without recommended packages.  --check (or no root and no
# sudo) installs nothing: it names every missing package in one message
# with the one command that installs them.
#
# Exit status: 0 all there (or installed), 1 the package manager
# failed, 2 usage, 3 missing and not installed (--check, no root).
set -euo pipefail

LIST=$(dirname "$0")/packages.txt
say() { printf 'guard-bench: %s\n' "$*" >&2; }

usage() {
	sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2
	exit 2
}

check=0
groups=()
for a in "$@"; do
	case $a in
	--check) check=1 ;;
	-h | --help) usage ;;
	-*) say "deps.sh: unknown option '$a'"; usage ;;
	*)
		grep -qE "^$a[[:space:]]" "$LIST" || {
			say "deps.sh: unknown group '$a': use $(awk '/^[a-z]/ { print $1 }' "$LIST" | uniq | paste -sd' ')"
			exit 2
		}
		groups+=("$a")
		;;
	esac
done
[ ${#groups[@]} -gt 0 ] || groups=(build test)

mgr=
for m in apt-get dnf zypper pacman; do
	if command -v "$m" >/dev/null 2>&1; then
		mgr=${m%-get}
		break
	fi
done
[ -n "$mgr" ] || {
	say "unknown package manager: install hwloc, libpfm4, cmocka (development files), pkg-config, a C compiler, make"
	exit 3
}

# entries GROUP: its PACKAGE[=CHECK] words for this manager.
entries() {
	awk -v g="$1" -v m="$mgr" '$1 == g && $2 == m { for (i = 3; i <= NF; i++) print $i }' "$LIST"
}

# present PACKAGE CHECK: is it installed?
present() {
	case $2 in
	/*) [ -e "$2" ] ;;
	?*) command -v "$2" >/dev/null 2>&1 ;;
	*)
		[ "$mgr" = apt ] &&
			dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null | grep -q '^ii'
		;;
	esac
}

missing=()
for g in "${groups[@]}"; do
	list=$(entries "$g")
	if [ -z "$list" ]; then
		say "the '$g' group is packaged for Debian (apt) only: on $mgr, install the tools scripts/packages.txt lists for it: $(awk -v g="$g" '$1 == g { for (i = 3; i <= NF; i++) { sub(/=.*/, "", $i); printf "%s ", $i } }' "$LIST")"
		exit 3
	fi
	for e in $list; do
		pkg=${e%%=*}
		chk=
		[ "$pkg" = "$e" ] || chk=${e#*=}
		present "$pkg" "$chk" && continue
		case " ${missing[*]-} " in *" $pkg "*) ;; *) missing+=("$pkg") ;; esac
	done
done
[ ${#missing[@]} -gt 0 ] || exit 0

# The command that installs them, as one line.
arm64=0
case " ${missing[*]} " in *:arm64\ *) arm64=1 ;; esac
if [ "$mgr" = apt ] && [ "$arm64" = 1 ] &&
	! dpkg --print-foreign-architectures | grep -qx arm64; then
	pre="dpkg --add-architecture arm64 && "
else
	pre=
	arm64=0
fi
case $mgr in
apt) cmd="${pre}apt-get update && apt-get install -y --no-install-recommends ${missing[*]}" ;;
dnf) cmd="dnf install -y --setopt=install_weak_deps=False ${missing[*]}" ;;
zypper) cmd="zypper --non-interactive install --no-recommends ${missing[*]}" ;;
pacman) cmd="pacman -S --needed --noconfirm ${missing[*]}" ;;
esac

sudo=
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
		sudo=sudo
	else
		check=1
	fi
fi
if [ "$check" = 1 ]; then
	say "missing for ${groups[*]}: ${missing[*]}; as root run:"
	echo "  $cmd" >&2
	exit 3
fi

say "installing for ${groups[*]}: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
case $mgr in
apt)
	if [ "$arm64" = 1 ]; then
		$sudo dpkg --add-architecture arm64 || exit 1
	fi
	# another apt (unattended upgrades, a second make) may hold dpkg's
	# lock: wait for it rather than fail
	$sudo apt-get -o DPkg::Lock::Timeout=600 update -q || exit 1
	$sudo apt-get -o DPkg::Lock::Timeout=600 install -y -q \
		--no-install-recommends "${missing[@]}" || exit 1
	;;
dnf) $sudo dnf install -y --setopt=install_weak_deps=False "${missing[@]}" || exit 1 ;;
zypper) $sudo zypper --non-interactive install --no-recommends "${missing[@]}" || exit 1 ;;
pacman) $sudo pacman -S --needed --noconfirm "${missing[@]}" || exit 1 ;;
esac
