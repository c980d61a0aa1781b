/* SPDX-License-Identifier: GPL-2.0 */
/* What the running kernel offers for guard regions, probed by trying. */
#ifndef GB_KERNEL_H
#define GB_KERNEL_H

#include "measure/guard.h"
#include "measure/lockpath.h"

/*
 * What the running kernel offers for guard regions, measured by trying
 * it: which backings take guards, whether the VMA shows `gu`, and which
 * lock an install takes.
 */
struct gb_kernel_caps {
	int supported[GB_NR_BACKINGS];	/* 1 yes, 0 EINVAL, <0 probe failed */
	char why[GB_NR_BACKINGS][192];
	int maybe_guard_flag;		/* `gu` after install: 1, 0, <0 */

	struct gb_lockstat_ids lock_ids;
	struct gb_lock_probe lock;
	enum gb_guard_path path;
	char path_why[256];
};

void gb_kernel_probe(struct gb_kernel_caps *k, const char *tmpdir);
/* "mmap-read (install: 1.00 read, 0.00 write ...)" */
void gb_kernel_path_str(const struct gb_kernel_caps *k, char *buf,
			size_t len);
/* "supported" or "rejected: <why>" */
const char *gb_kernel_support_str(const struct gb_kernel_caps *k, int b,
				  char *buf, size_t len);
const char *gb_kernel_flag_str(const struct gb_kernel_caps *k);

#endif
