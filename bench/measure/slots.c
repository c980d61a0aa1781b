// SPDX-License-Identifier: GPL-2.0
/* Slots: the page-table-page-sized spans a scenario maps its VMAs into. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "measure/guard.h"
#include "measure/slots.h"

size_t gb_slot_pages(void)
{
	return (size_t)sysconf(_SC_PAGESIZE) / 8;
}

size_t gb_slot_size(void)
{
	return (size_t)sysconf(_SC_PAGESIZE) * gb_slot_pages();
}

int gb_slots_reserve(struct gb_slots *s, size_t nr, char *why, size_t whylen)
{
	uintptr_t base;

	memset(s, 0, sizeof(*s));
	s->page = (size_t)sysconf(_SC_PAGESIZE);
	s->slot = gb_slot_size();
	/* one slot more: room to align the first to a slot boundary */
	s->region_len = (nr + 1) * s->slot;
	s->region = mmap(NULL, s->region_len, PROT_NONE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (s->region == MAP_FAILED) {
		int err = errno;

		s->region = NULL;
		snprintf(why, whylen, "mmap %zu bytes: %s", s->region_len,
			 strerror(err));
		return -err;
	}
	base = ((uintptr_t)s->region + s->slot - 1) & ~(uintptr_t)(s->slot - 1);
	s->base = (char *)base;
	return 0;
}

int gb_slots_open(const struct gb_slots *s, char *p, size_t len,
		  const char *what, char *why, size_t whylen)
{
	unsigned long start, end;

	(void)s;
	if (mprotect(p, len, PROT_READ | PROT_WRITE)) {
		int err = errno;

		snprintf(why, whylen, "mprotect %s: %s", what, strerror(err));
		return -err;
	}
	madvise(p, len, MADV_NOHUGEPAGE);
	if (gb_vma_bounds(p, &start, &end) || start != (unsigned long)p ||
	    end != (unsigned long)(p + len)) {
		snprintf(why, whylen, "%s is not one VMA of its own in "
			 "/proc/self/maps", what);
		return -EFAULT;
	}
	return 0;
}

void gb_slots_release(struct gb_slots *s)
{
	if (s->region)
		munmap(s->region, s->region_len);
	s->region = NULL;
}
