/* SPDX-License-Identifier: GPL-2.0 */
/* Lock accounting through tracepoints, counted per thread. */
#ifndef GB_LOCKSTAT_H
#define GB_LOCKSTAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Lock accounting with tracepoints, counted per thread through
 * perf_event_open(PERF_TYPE_TRACEPOINT): mmap_lock acquisitions split by
 * the tracepoint's `write` field, and lock contention events.  Opening
 * them enables tracepoints, which costs every lock acquisition a little,
 * so they are only ever open in an accounting phase whose timings are
 * thrown away.
 */
enum gb_lock_event {
	GB_LOCK_MMAP_READ,	/* mmap_lock:mmap_lock_start_locking write==0 */
	GB_LOCK_MMAP_WRITE,	/* ... write==1 */
	GB_LOCK_CONTENTION,	/* lock:contention_begin */
	GB_NR_LOCK_EVENTS,
};

extern const char *const gb_lock_event_names[GB_NR_LOCK_EVENTS];

/* Tracepoint ids, resolved once per process. */
struct gb_lockstat_ids {
	bool ok;			/* the mmap_lock events can be counted */
	bool have[GB_NR_LOCK_EVENTS];
	uint64_t id[GB_NR_LOCK_EVENTS];
	char why[256];			/* when !ok: the reason and the fix */
	const char *via;		/* how tracefs was reached, if mounted
					 * by us (NULL: it was mounted) */
};

/* The counters of one thread. */
struct gb_lockstat {
	int fd[GB_NR_LOCK_EVENTS];
};

/*
 * Resolve the ids from tracefs.  When tracefs is not mounted and we are
 * root, the ids are read from a tracefs mount attached nowhere
 * (fsopen/fsmount), else from a private mount in a child's own mount
 * namespace: the system is left as found either way.
 */
void gb_lockstat_init(struct gb_lockstat_ids *ids);
/* Open and enable this thread's counters.  0 or -errno (@why). */
int gb_lockstat_open(const struct gb_lockstat_ids *ids,
		     struct gb_lockstat *ls, char *why, size_t whylen);
/* Current counts; an event not counted reads as UINT64_MAX. */
void gb_lockstat_read(const struct gb_lockstat *ls,
		      uint64_t out[GB_NR_LOCK_EVENTS]);
void gb_lockstat_close(struct gb_lockstat *ls);

#endif
