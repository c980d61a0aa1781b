// SPDX-License-Identifier: GPL-2.0
/*
 * What the running kernel offers for guard regions, found by trying it:
 * backings, the `gu` VMA flag, the lock an install takes (kernel.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "measure/kernel.h"
#include "base/util.h"

/* Install a guard on a fresh anon mapping and look for `gu`. */
static int probe_flag(void)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	struct gb_mapping m;
	char why[192];
	int ret;

	if (gb_map(&m, GB_BACKING_ANON, 4 * page, NULL, why, sizeof(why)))
		return -ENOMEM;
	if (madvise(m.addr + page, page, MADV_GUARD_INSTALL)) {
		ret = -errno;
	} else {
		ret = gb_vma_has_flag(m.addr + page, "gu");
		madvise(m.addr + page, page, MADV_GUARD_REMOVE);
	}
	gb_unmap(&m);
	return ret;
}

void gb_kernel_probe(struct gb_kernel_caps *k, const char *tmpdir)
{
	memset(k, 0, sizeof(*k));
	for (int b = 0; b < GB_NR_BACKINGS; b++)
		k->supported[b] = gb_guard_supported(b, tmpdir, k->why[b],
						     sizeof(k->why[b]));
	k->maybe_guard_flag = k->supported[GB_BACKING_ANON] == 1 ?
			      probe_flag() : -ENOTSUP;
	gb_lockstat_init(&k->lock_ids);
	if (k->supported[GB_BACKING_ANON] == 1)
		gb_lock_probe_run(&k->lock_ids, &k->lock);
	k->path = gb_guard_path_classify(k->supported[GB_BACKING_ANON],
					 &k->lock, k->path_why,
					 sizeof(k->path_why));
}

void gb_kernel_path_str(const struct gb_kernel_caps *k, char *buf,
			size_t len)
{
	const struct gb_lock_probe *p = &k->lock;

	if (p->counted)
		snprintf(buf, len, "%s (mmap_lock acquisitions per install: "
			 "%.2f read, %.2f write; per remove: %.2f read, %.2f "
			 "write; over %u each)%s%s",
			 gb_guard_path_name(k->path),
			 p->install[GB_LOCK_MMAP_READ],
			 p->install[GB_LOCK_MMAP_WRITE],
			 p->remove[GB_LOCK_MMAP_READ],
			 p->remove[GB_LOCK_MMAP_WRITE], p->n,
			 k->path_why[0] ? ": " : "", k->path_why);
	else
		snprintf(buf, len, "%s%s%s", gb_guard_path_name(k->path),
			 k->path_why[0] ? ": " : "", k->path_why);
}

const char *gb_kernel_support_str(const struct gb_kernel_caps *k, int b,
				  char *buf, size_t len)
{
	if (k->supported[b] == 1)
		snprintf(buf, len, "supported");
	else if (k->supported[b] == 0)
		snprintf(buf, len, "rejected: %s", k->why[b]);
	else
		snprintf(buf, len, "unknown: probe failed: %s", k->why[b]);
	return buf;
}

const char *gb_kernel_flag_str(const struct gb_kernel_caps *k)
{
	if (k->maybe_guard_flag == 1)
		return "yes";
	if (k->maybe_guard_flag == 0)
		return "no";
	if (k->maybe_guard_flag == -ENOTSUP)
		return "n/a (no guard install)";
	return "unknown (smaps unreadable)";
}
