/* SPDX-License-Identifier: GPL-2.0 */
/* Settings that skew numbers, and facts about the CPU, from /sys and /proc. */
#ifndef GB_SYSINFO_H
#define GB_SYSINFO_H

#include <stddef.h>

/*
 * Settings that skew numbers.  One table: detect prints every row with
 * its hint, each run records every row in meta.txt, compare (later)
 * warns when two runs differ in one.
 */
struct gb_setting {
	const char *key;	/* meta.txt key */
	char value[128];
	char hint[160];		/* one line: what it does to numbers, the fix */
};

enum {
	GB_SET_GOVERNOR,
	GB_SET_TURBO,
	GB_SET_SMT,
	GB_SET_THP,
	GB_SET_ASLR,
	GB_SET_MITIGATIONS,
	GB_NR_SETTINGS,
};

/* Paths are relative to @root ("" for the live system; tests use a tree). */
void gb_settings_read(const char *root, struct gb_setting set[GB_NR_SETTINGS]);

/*
 * Every vulnerability the kernel reports other than "Not affected",
 * "name: state; ...": what sets the cost of syscall entry and exit
 * (ref_syscall_ns), e.g. "spec_rstack_overflow: Vulnerable: Safe RET,
 * no microcode".  Order is the directory's.
 */
void gb_mitigations_detail(const char *root, char *buf, size_t len);

void gb_cpu_model(char *buf, size_t len);
/*
 * The coherence unit, from the system: some arm64 parts use 128 bytes.
 * Worker state is spaced 256 bytes or a page apart, enough for either.
 */
long gb_cache_line_size(void);

/* Online CPUs as the kernel counts them. */
long gb_nr_cpus(void);

#endif
