// SPDX-License-Identifier: GPL-2.0
/*
 * Which lock MADV_GUARD_INSTALL takes, measured with the mmap_lock
 * tracepoint and classified by one pure function (lockpath.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "measure/guard.h"
#include "measure/lockpath.h"
#include "base/util.h"

#define PROBE_OPS 256
#define CONTROL_OPS 64

const char *gb_guard_path_name(enum gb_guard_path p)
{
	switch (p) {
	case GB_PATH_UNSUPPORTED:
		return "unsupported";
	case GB_PATH_MMAP_WRITE:
		return "mmap-write";
	case GB_PATH_MMAP_READ:
		return "mmap-read";
	case GB_PATH_VMA_READ:
		return "vma-read";
	case GB_PATH_UNKNOWN:
		break;
	}
	return "unknown";
}

enum gb_guard_path gb_guard_path_classify(int anon_supported,
					  const struct gb_lock_probe *p,
					  char *why, size_t whylen)
{
	double rd = p->install[GB_LOCK_MMAP_READ];
	double wr = p->install[GB_LOCK_MMAP_WRITE];

	why[0] = '\0';
	if (anon_supported == 0) {
		snprintf(why, whylen, "MADV_GUARD_INSTALL fails with EINVAL");
		return GB_PATH_UNSUPPORTED;
	}
	if (anon_supported < 0 || !p->counted) {
		snprintf(why, whylen, "%s", anon_supported < 0 ?
			 "the guard install probe failed" : p->why);
		return GB_PATH_UNKNOWN;
	}
	/* Zero counts only mean "no mmap_lock" if counting works at all. */
	if (p->control_write < 0.5) {
		snprintf(why, whylen, "the positive control (mprotect) saw "
			 "%.2f mmap_lock write acquisitions per call, want 1: "
			 "tracepoint counting is not working here", p->control_write);
		return GB_PATH_UNKNOWN;
	}
	if (wr >= 0.5)
		return GB_PATH_MMAP_WRITE;
	if (rd >= 0.5)
		return GB_PATH_MMAP_READ;
	if (rd + wr < 0.05)
		return GB_PATH_VMA_READ;
	snprintf(why, whylen, "mixed: %.2f read and %.2f write mmap_lock "
		 "acquisitions per install", rd, wr);
	return GB_PATH_UNKNOWN;
}

static void delta(const uint64_t *a, const uint64_t *b, unsigned int n,
		  double *out)
{
	for (int e = 0; e < GB_NR_LOCK_EVENTS; e++)
		out[e] = a[e] == UINT64_MAX || b[e] == UINT64_MAX ? -1 :
			 (double)(b[e] - a[e]) / n;
}

void gb_lock_probe_run(const struct gb_lockstat_ids *ids,
		       struct gb_lock_probe *p)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	uint64_t c0[GB_NR_LOCK_EVENTS], c1[GB_NR_LOCK_EVENTS];
	uint64_t c2[GB_NR_LOCK_EVENTS], c3[GB_NR_LOCK_EVENTS];
	struct gb_mapping m;
	struct gb_lockstat ls;
	char *base;

	memset(p, 0, sizeof(*p));
	p->n = PROBE_OPS;
	if (gb_lockstat_open(ids, &ls, p->why, sizeof(p->why)))
		return;
	if (gb_map(&m, GB_BACKING_ANON, (PROBE_OPS + 2) * page, NULL, p->why,
		   sizeof(p->why))) {
		gb_lockstat_close(&ls);
		return;
	}
	base = m.addr + page;
	gb_lockstat_read(&ls, c0);
	for (unsigned int i = 0; i < PROBE_OPS; i++)
		madvise(base + i * page, page, MADV_GUARD_INSTALL);
	gb_lockstat_read(&ls, c1);
	for (unsigned int i = 0; i < PROBE_OPS; i++)
		madvise(base + i * page, page, MADV_GUARD_REMOVE);
	gb_lockstat_read(&ls, c2);
	for (unsigned int i = 0; i < CONTROL_OPS; i++)
		mprotect(base, page, i & 1 ? PROT_READ | PROT_WRITE :
					     PROT_READ);
	gb_lockstat_read(&ls, c3);
	gb_lockstat_close(&ls);
	gb_unmap(&m);
	delta(c0, c1, PROBE_OPS, p->install);
	delta(c1, c2, PROBE_OPS, p->remove);
	p->control_write = c3[GB_LOCK_MMAP_WRITE] == UINT64_MAX ? 0 :
		(double)(c3[GB_LOCK_MMAP_WRITE] - c2[GB_LOCK_MMAP_WRITE]) /
		CONTROL_OPS;
	p->counted = 1;
}
