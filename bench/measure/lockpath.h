/* SPDX-License-Identifier: GPL-2.0 */
/* Which lock MADV_GUARD_INSTALL takes on this kernel, measured. */
#ifndef GB_LOCKPATH_H
#define GB_LOCKPATH_H

#include <stddef.h>

#include "measure/lockstat.h"

/*
 * Which lock MADV_GUARD_INSTALL takes on this kernel, from measurement:
 * a known number of installs while the mmap_lock tracepoint counts
 * acquisitions per thread, split by its `write` field.  The vocabulary
 * (FACTS.md; METHODOLOGY.md for 6.19): unsupported (before 6.13),
 * mmap-write (the series' v1), mmap-read (6.13-6.18, and the merged
 * atomic-flag path), vma-read (6.19 and 7.x: no mmap_lock per call),
 * unknown (cannot count; the reason says how to fix it).  The classification is one pure function so the kernel lab
 * and the unit tests exercise exactly what users run.
 */
enum gb_guard_path {
	GB_PATH_UNKNOWN,
	GB_PATH_UNSUPPORTED,
	GB_PATH_MMAP_WRITE,
	GB_PATH_MMAP_READ,
	GB_PATH_VMA_READ,
};

struct gb_lock_probe {
	int counted;			/* 1: tracepoints counted */
	char why[256];			/* when not: reason and fix */
	unsigned int n;			/* installs, and removes, performed */
	double install[GB_NR_LOCK_EVENTS];	/* per install */
	double remove[GB_NR_LOCK_EVENTS];	/* per remove */
	double control_write;		/* per mprotect(): must be >= 1 */
};

const char *gb_guard_path_name(enum gb_guard_path p);
enum gb_guard_path gb_guard_path_classify(int anon_supported,
					  const struct gb_lock_probe *p,
					  char *why, size_t whylen);
/* Run the probe in the calling thread. */
void gb_lock_probe_run(const struct gb_lockstat_ids *ids,
		       struct gb_lock_probe *p);

#endif
