#!/usr/bin/env bash
# Install guard-bench into an mmtests checkout, laid out as mmtests lays
# out a benchmark:
#
#   scripts/fleet/mmtests/install.sh MMTESTS_DIR [TARBALL]
#
# copies shellpack_src/src/guardbench/, drivers/driver-guardbench.sh and
# configs/config-workload-guard-bench{,-quick} into MMTESTS_DIR, and
# TARBALL (a `make dist` tarball, guardbench-VERSION.tar.gz) into its
# work/sources/, where guardbench-install builds from it.  Run the
# benchmark with GUARDBENCH_VERSION=VERSION (default: main).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)

[ $# -ge 1 ] && [ $# -le 2 ] || { sed -n '2,/^set -eu/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2; exit 2; }
MM=$1
[ -x "$MM/run-mmtests.sh" ] && [ -d "$MM/shellpack_src/src" ] ||
	{ echo "install.sh: error: $MM is not an mmtests checkout (no run-mmtests.sh, shellpack_src/src): give its top directory" >&2; exit 1; }
if [ $# -eq 2 ]; then
	case $(basename "$2") in
	guardbench-*.tar.gz) ;;
	*) echo "install.sh: error: $2: expected guardbench-VERSION.tar.gz ('make dist')" >&2; exit 1 ;;
	esac
	[ -f "$2" ] || { echo "install.sh: error: $2: no such file: run 'make dist'" >&2; exit 1; }
fi

mkdir -p "$MM/shellpack_src/src/guardbench"
cp -p "$HERE"/shellpack_src/src/guardbench/* "$MM/shellpack_src/src/guardbench/"
cp -p "$HERE/drivers/driver-guardbench.sh" "$MM/drivers/"
cp -p "$HERE"/configs/config-workload-guard-bench* "$MM/configs/"
if [ $# -eq 2 ]; then
	mkdir -p "$MM/work/sources"
	cp "$2" "$MM/work/sources/"
fi
echo "install.sh: guard-bench installed in $MM"
