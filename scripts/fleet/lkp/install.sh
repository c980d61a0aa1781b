#!/usr/bin/env bash
# Install guard-bench into an lkp-tests checkout, laid out as lkp-tests
# lays out a benchmark (programs/will-it-scale/):
#
#   scripts/fleet/lkp/install.sh LKP_SRC [TARBALL]
#
# copies programs/guard-bench/ and jobs/guard-bench.yaml into LKP_SRC,
# and TARBALL (`make dist DIST_VERSION=main`: guardbench-main.tar.gz)
# into programs/guard-bench/pkg/, where its PKGBUILD builds from it.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)

[ $# -ge 1 ] && [ $# -le 2 ] || { sed -n '2,/^set -eu/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2; exit 2; }
LKP=$1
[ -x "$LKP/sbin/split-job" ] && [ -d "$LKP/programs" ] ||
	{ echo "install.sh: error: $LKP is not an lkp-tests checkout (no sbin/split-job, programs/): give its top directory" >&2; exit 1; }
if [ $# -eq 2 ] && [ ! -f "$2" ]; then
	echo "install.sh: error: $2: no such file: run 'make dist DIST_VERSION=main'" >&2
	exit 1
fi
mkdir -p "$LKP/programs/guard-bench"
cp -pr "$HERE/programs/guard-bench/." "$LKP/programs/guard-bench/"
cp -p "$HERE/jobs/guard-bench.yaml" "$LKP/jobs/"
[ $# -eq 1 ] || cp "$2" "$LKP/programs/guard-bench/pkg/"
echo "install.sh: guard-bench installed in $LKP"
