/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Address space in page-table-page slots, so scenarios' ranges never share
 * a PTE lock or merge.
 */
#ifndef GB_SLOTS_H
#define GB_SLOTS_H

#include <stddef.h>

/*
 * Address space laid out in slots of one page-table page's span (a PMD:
 * 2 MiB with 4 KiB pages), so ranges in different slots never share a
 * PTE lock.  A reservation starts PROT_NONE; scenarios open the runs of
 * slots they want as read-write VMAs, and whatever stays PROT_NONE
 * between two of them keeps them from ever merging.
 */
struct gb_slots {
	char *region;		/* the reservation, as mmap returned it */
	size_t region_len;
	char *base;		/* first slot, slot-aligned */
	size_t page;		/* bytes in a page */
	size_t slot;		/* bytes in a slot */
};

/* Pages in a slot: PTEs in a page-table page. */
size_t gb_slot_pages(void);

/* Bytes in a slot: what one page-table page maps. */
size_t gb_slot_size(void);

/* Reserve @nr slots.  0 or -errno with @why. */
int gb_slots_reserve(struct gb_slots *s, size_t nr, char *why, size_t whylen);

/*
 * Make [@p, @p + @len) read-write, MADV_NOHUGEPAGE (every fault a base
 * page whatever the THP setting), and check in /proc/self/maps that it
 * is exactly one VMA of its own.  @what names it in the error.
 */
int gb_slots_open(const struct gb_slots *s, char *p, size_t len,
		  const char *what, char *why, size_t whylen);

static inline char *gb_slot(const struct gb_slots *s, size_t i)
{
	return s->base + i * s->slot;
}

void gb_slots_release(struct gb_slots *s);

#endif
