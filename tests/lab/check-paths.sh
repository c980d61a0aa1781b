#!/usr/bin/env bash
# The kernel lab as a test: build the 7.2 variants (stock, mmap-read,
# mmap-write), boot them and Debian's 7.2 (x86_64, arm64) and 6.1 kernels
# under qemu, and fail unless `guard-bench detect` in each reports the lock
# path that kernel must have.  One `ok`/`not ok` line per kernel, then
# `N passed, N failed`.
#
# Needs: qemu-system-x86 qemu-system-arm gcc-aarch64-linux-gnu flex bison
# bc libelf-dev cpio rsync (the scripts name the package when one is
# missing).  Cold cache on 2 CPUs: see README.md ("Comparing against the
# write-lock baseline kernel"); LAB_DIR points at the cache.
set -eu
cd "$(dirname "$0")/../.."
exec scripts/vm/lab.sh --detect-only
