#!/usr/bin/env bash
# Fetch Debian packages for the kernel lab through a private apt
# configuration: the mirror is read from this machine's apt sources, the
# suites (sid, bookworm) and architectures (amd64, arm64) are the lab's,
# and nothing of the machine's own apt state is read or changed.
#
#   debian.sh source SERIES        linux-source-SERIES (e.g. 7.2) unpacked;
#                                  prints the tree's path
#   debian.sh orig VERSION         Debian's upstream tarball of Linux VERSION
#                                  (e.g. 6.19.6: no suite carries 6.19 now,
#                                  the pool still does), checked against
#                                  scripts/kernel/orig.sha256, unpacked;
#                                  prints the tree's path
#   debian.sh image ARCH SUITE     the cloud kernel of SUITE (sid, bookworm);
#                                  prints the path of its vmlinuz
#   debian.sh unpack ARCH SUITE DIR PKG...
#                                  unpack PKGs (Debian arch of ARCH) into DIR
#
# Everything is cached under $LAB_DIR/debian; package lists are refreshed
# once a day.  DEBIAN_MIRROR overrides the mirror.  Two labs sharing
# LAB_DIR take turns ($LAB_DIR/.lock-debian).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

D=$LAB_DIR/debian
APT_DIR=$D/apt

# apt's options: everything under $APT_DIR, apt's own locks included
# (two labs on one LAB_DIR also take turns through lab_lock).
APT_OPTS=(
	-o "Dir::Etc::SourceList=$APT_DIR/sources.list"
	-o "Dir::Etc::SourceParts=$APT_DIR/sources.list.d"
	-o "Dir::Etc::Preferences=$APT_DIR/preferences"
	-o "Dir::Etc::PreferencesParts=$APT_DIR/preferences.d"
	-o "Dir::State::Lists=$APT_DIR/lists"
	-o "Dir::State::status=$APT_DIR/status"
	-o "Dir::Cache=$APT_DIR/cache"
	-o "Dir::Cache::pkgcache=$APT_DIR/cache/pkgcache.bin"
	-o "Dir::Cache::srcpkgcache=$APT_DIR/cache/srcpkgcache.bin"
	-o "APT::Sandbox::User=root"
	-o "APT::Architectures::=amd64"
	-o "APT::Architectures::=arm64"
)

apt_setup() {
	local mirror key stamp
	need apt-get apt
	need dpkg-deb dpkg
	mkdir -p "$APT_DIR"/lists/partial "$APT_DIR"/cache/archives/partial \
		"$APT_DIR"/sources.list.d "$APT_DIR"/preferences.d
	: >"$APT_DIR/preferences"
	[ -e "$APT_DIR/status" ] || : >"$APT_DIR/status"
	mirror=${DEBIAN_MIRROR:-$(find_mirror)}
	[ -n "$mirror" ] || die "no Debian mirror in /etc/apt/sources*: set DEBIAN_MIRROR=http://deb.debian.org/debian"
	key=/usr/share/keyrings/debian-archive-keyring.gpg
	[ -r "$key" ] || die "$key missing: install it with 'apt-get install debian-archive-keyring'"
	printf 'deb [signed-by=%s] %s %s main\n' "$key" "$mirror" sid \
		"$key" "$mirror" bookworm >"$APT_DIR/sources.list.new"
	if ! cmp -s "$APT_DIR/sources.list.new" "$APT_DIR/sources.list"; then
		mv "$APT_DIR/sources.list.new" "$APT_DIR/sources.list"
		rm -f "$APT_DIR/updated"
	else
		rm -f "$APT_DIR/sources.list.new"
	fi
	stamp=$APT_DIR/updated
	if [ -z "$(find "$stamp" -mmin -1440 2>/dev/null)" ]; then
		say "apt update (private lists in $APT_DIR, mirror $mirror)"
		apt-get "${APT_OPTS[@]}" -qq update >&2 ||
			die "apt-get update of $mirror failed (network? set DEBIAN_MIRROR)"
		touch "$stamp"
	fi
}

# fetch_deb PKG[:ARCH][/SUITE]: download into $D/debs, print the .deb path.
fetch_deb() {
	local spec=$1 name ver arch file
	mkdir -p "$D/debs"
	ver=$(apt-cache "${APT_OPTS[@]}" show "$spec" 2>/dev/null |
		awk '/^Version:/ && v == "" { v = $2 } END { print v }' || true)
	[ -n "$ver" ] || die "package $spec not in sid/bookworm lists ($APT_DIR)"
	name=${spec%%/*}
	arch=${name#*:}
	[ "$arch" != "$name" ] || arch=$(dpkg --print-architecture)
	name=${name%%:*}
	# Arch-independent packages are named _all.
	file=$(find "$D/debs" -maxdepth 1 \( -name "${name}_${ver#*:}_${arch}.deb" \
		-o -name "${name}_${ver#*:}_all.deb" \) -print -quit)
	if [ -z "$file" ]; then
		say "downloading $spec ($ver)"
		(cd "$D/debs" && apt-get "${APT_OPTS[@]}" -qq download "$spec" >&2) ||
			die "apt-get download $spec failed"
		file=$(find "$D/debs" -maxdepth 1 \( -name "${name}_*${ver#*:}_${arch}.deb" \
			-o -name "${name}_*${ver#*:}_all.deb" \) -print -quit)
	fi
	[ -n "$file" ] || die "downloaded $spec but cannot find its .deb in $D/debs"
	echo "$file"
}

# deps_of SPEC REGEX: the dependencies of SPEC whose names match REGEX.
deps_of() {
	apt-cache "${APT_OPTS[@]}" show "$1" 2>/dev/null |
		awk '/^Depends:/ { sub(/^Depends:/, ""); print; exit }' |
		tr ',|' '\n' | awk '{ print $1 }' | grep -E "$2" || true
}

cmd_source() {
	local series=$1 deb tarball dir
	dir=$D/src/linux-source-$series
	if [ ! -f "$dir/mm/madvise.c" ]; then
		apt_setup
		deb=$(fetch_deb "linux-source-$series/sid")
		rm -rf "$D/src/tmp" "$dir"
		mkdir -p "$D/src/tmp"
		dpkg-deb -x "$deb" "$D/src/tmp"
		tarball=$(find "$D/src/tmp" -name "linux-source-$series.tar.*" -print -quit)
		[ -n "$tarball" ] || die "$deb holds no linux-source-$series.tar.*"
		say "unpacking $(basename "$tarball")"
		tar -xf "$tarball" -C "$D/src"
		rm -rf "$D/src/tmp"
		[ -f "$dir/mm/madvise.c" ] || die "$tarball did not unpack to $dir"
	fi
	echo "$dir"
}

# Debian's orig tarball of VERSION from the pool: no suite lists it, so
# no signed index vouches for it; its sha256 must be pinned in
# orig.sha256 (or given as ORIG_SHA256) before it is unpacked.
cmd_orig() {
	local ver=$1 name dir mirror tarball want got
	case $ver in
	[0-9]*.[0-9]*) ;;
	*) die "'$ver': give a Linux version such as 6.19.6" ;;
	esac
	name=linux_$ver.orig.tar.xz
	dir=$D/src/linux-$ver
	if [ ! -f "$dir/mm/madvise.c" ]; then
		need curl curl
		need sha256sum coreutils
		mirror=${DEBIAN_MIRROR:-$(find_mirror)}
		[ -n "$mirror" ] || die "no Debian mirror in /etc/apt/sources*: set DEBIAN_MIRROR=http://deb.debian.org/debian"
		mkdir -p "$D/orig" "$D/src"
		tarball=$D/orig/$name
		if [ ! -s "$tarball" ]; then
			say "downloading $mirror/pool/main/l/linux/$name"
			curl -fsS --retry 3 -o "$tarball.part" \
				"$mirror/pool/main/l/linux/$name" ||
				die "cannot download $name from $mirror/pool/main/l/linux/ (gone from the pool? try another version pinned in scripts/kernel/orig.sha256, e.g. 6.19.11: LAB_619=6.19.11 for make lab)"
			mv "$tarball.part" "$tarball"
		fi
		want=${ORIG_SHA256:-$(awk -v f="$name" '$2 == f { print $1 }' "$(dirname "$0")/orig.sha256")}
		got=$(sha256sum "$tarball" | awk '{ print $1 }')
		if [ -z "$want" ]; then
			die "$name is not pinned in scripts/kernel/orig.sha256; its sha256 is $got: check it against a source you trust, then add the line '$got  $name' there or set ORIG_SHA256=$got"
		fi
		if [ "$got" != "$want" ]; then
			rm -f "$tarball"
			die "$name: sha256 $got, expected $want: removed; run again to download it afresh"
		fi
		say "unpacking $name"
		rm -rf "$dir" "$D/src/tmp-$ver"
		mkdir -p "$D/src/tmp-$ver"
		tar -xJf "$tarball" -C "$D/src/tmp-$ver"
		[ -f "$D/src/tmp-$ver/linux-$ver/mm/madvise.c" ] ||
			die "$name did not unpack to linux-$ver/"
		mv "$D/src/tmp-$ver/linux-$ver" "$dir"
		rm -rf "$D/src/tmp-$ver"
	fi
	echo "$dir"
}

# The kernel image inside an unpacked package: /boot/vmlinuz-VERSION
# (bookworm) or /usr/lib/modules/VERSION/vmlinuz (sid).
find_vmlinuz() {
	find "$1" \( -path '*/boot/vmlinuz-*' -o -path '*/modules/*/vmlinuz' \) \
		-type f -print -quit 2>/dev/null || true
}

cmd_image() {
	local arch suite dir spec deb queue next vmlinuz
	arch=$(deb_arch "$1")
	suite=$2
	dir=$D/img/$arch-$suite
	vmlinuz=$(find_vmlinuz "$dir")
	if [ -z "$vmlinuz" ]; then
		apt_setup
		rm -rf "$dir"
		mkdir -p "$dir"
		# The meta package depends on linux-image-VERSION, which holds the
		# image itself (bookworm) or depends on linux-binary-VERSION (sid).
		queue="linux-image-cloud-$arch:$arch/$suite"
		while [ -n "$queue" ]; do
			spec=${queue%% *}
			queue=${queue#"$spec"}
			queue=${queue# }
			deb=$(fetch_deb "$spec")
			if dpkg-deb -c "$deb" | grep -E '/boot/vmlinuz-|/modules/[^/]*/vmlinuz$' >/dev/null; then
				dpkg-deb -x "$deb" "$dir"
				break
			fi
			for next in $(deps_of "$spec" '^linux-(image|binary)-[0-9]'); do
				queue="$queue${queue:+ }$next:$arch/$suite"
			done
		done
		vmlinuz=$(find_vmlinuz "$dir")
		[ -n "$vmlinuz" ] || die "no vmlinuz found for linux-image-cloud-$arch in $suite"
	fi
	echo "$vmlinuz"
}

cmd_unpack() {
	local arch suite dir pkg deb
	arch=$(deb_arch "$1")
	suite=$2
	dir=$3
	shift 3
	apt_setup
	mkdir -p "$dir"
	for pkg in "$@"; do
		deb=$(fetch_deb "$pkg:$arch/$suite")
		dpkg-deb -x "$deb" "$dir"
	done
}

usage() {
	sed -n '2,/^set -eu/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2
	exit 2
}

[ $# -ge 1 ] || usage
cmd=$1
shift
lab_lock debian
case $cmd in
source) [ $# -eq 1 ] || usage; cmd_source "$@" ;;
orig) [ $# -eq 1 ] || usage; cmd_orig "$@" ;;
image) [ $# -eq 2 ] || usage; cmd_image "$@" ;;
unpack) [ $# -ge 4 ] || usage; cmd_unpack "$@" ;;
*) usage ;;
esac
