/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GB_KERNEL_H
#define GB_KERNEL_H

#include "guard.h"

/*
 * What the running kernel offers for guard regions, measured by trying
 * it.  Lock-path detection (which lock an install takes) belongs here
 * too, next to the capabilities it qualifies.
 */
struct gb_kernel_caps {
	int supported[GB_NR_BACKINGS];	/* 1 yes, 0 EINVAL, <0 probe failed */
	char why[GB_NR_BACKINGS][192];
	int maybe_guard_flag;		/* `gu` after install: 1, 0, <0 */
};

void gb_kernel_probe(struct gb_kernel_caps *k, const char *tmpdir);
/* "supported" or "rejected: <why>" */
const char *gb_kernel_support_str(const struct gb_kernel_caps *k, int b,
				  char *buf, size_t len);
const char *gb_kernel_flag_str(const struct gb_kernel_caps *k);

#endif
