/* SPDX-License-Identifier: GPL-2.0 */
/* PMU counting through libpfm4: presets, resolution, per-thread groups. */
#ifndef GB_PMU_H
#define GB_PMU_H

/*
 * PMU counting through libpfm4: named presets or libpfm4 event strings,
 * resolved once (gb_pmu_resolve), then opened per thread inside each
 * pinned worker (gb_pmu_open_thread), read as groups and scaled.
 *
 * <linux/perf_event.h> comes first on purpose: libpfm4's own copy of it
 * steps aside when the kernel's is already in, never the other way
 * round, so files that include both must see the kernel's first.
 */
#include <linux/perf_event.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define GB_PMU_MAX_EVENTS	32
#define GB_PMU_NAME_LEN		128
#define GB_PMU_WHY_LEN		192

/* gb_pmu_resolve() flags */
#define GB_PMU_USER_ONLY	0x1	/* never count kernel mode */

/*
 * A preset table: the events of the coherence and basic presets for one
 * CPU family, spelled as libpfm4 4.13 spells them.  Unprefixed names are
 * looked up in the core PMU that libpfm4 detects.  The arrays end at the
 * first NULL.  The tables live in pmu_presets.c.
 */
struct gb_pmu_table {
	const char *name;		/* "skx", ..., "generic" */
	const char *desc;
	const char *pmus[4];		/* libpfm4 PMU names it serves */
	bool arm;			/* PMUs built into arm libpfm4 only */
	const char *coherence[12];
	const char *basic[4];		/* cycles, instructions */
};

extern const struct gb_pmu_table gb_pmu_tables[];
extern const size_t gb_pmu_nr_tables;
extern const struct gb_pmu_table gb_pmu_generic;
extern const char *const gb_pmu_sw_events[];	/* NULL-ended */
extern const char *const gb_pmu_presets[];	/* NULL-ended */

/* One event of a request, after preset expansion. */
struct gb_pmu_event {
	char name[GB_PMU_NAME_LEN];	/* as typed or as in the table */
	char canon[2 * GB_PMU_NAME_LEN];/* libpfm4's fully qualified name */
	const char *preset;		/* preset it came from; NULL: typed */
	bool resolved;			/* attr is valid */
	bool software;			/* PERF_TYPE_SOFTWARE */
	struct perf_event_attr attr;
	char why[GB_PMU_WHY_LEN];	/* !resolved: libpfm4's error */
};

/* What gb_pmu_resolve() made of a list: shared, read-only afterwards. */
struct gb_pmu_set {
	const struct gb_pmu_table *table;
	char table_why[GB_PMU_WHY_LEN];	/* which table and why */
	bool user_only;			/* exclude_kernel on every event */
	char scope_why[GB_PMU_WHY_LEN];
	size_t nr;
	struct gb_pmu_event ev[GB_PMU_MAX_EVENTS];
};

/* One group as the kernel reads it: leader first, then siblings. */
struct gb_pmu_group {
	int leader_fd;
	unsigned int nr;
	uint8_t ev[GB_PMU_MAX_EVENTS];	/* index into set->ev */
};

/* One thread's counters: opened, read and closed in that thread. */
struct gb_pmu_thread {
	const struct gb_pmu_set *set;
	bool user_only;			/* set's, or forced by EACCES/EPERM */
	char scope_why[GB_PMU_WHY_LEN];
	unsigned int nr_open;
	unsigned int nr_groups;
	struct gb_pmu_group group[GB_PMU_MAX_EVENTS];
	int fd[GB_PMU_MAX_EVENTS];	/* per set->ev; -1: not open */
	char why[GB_PMU_MAX_EVENTS][GB_PMU_WHY_LEN];	/* not open: why */
};

/* One event's reading. */
struct gb_pmu_count {
	bool valid;			/* open in this thread */
	bool multiplexed;		/* ratio < 1: scaled is an estimate */
	uint64_t raw;
	uint64_t enabled, running;	/* ns */
	double ratio;			/* running / enabled */
	double scaled;			/* raw * enabled / running, or NAN */
};

/*
 * Kernel+user counting, or user-only?  Pure, so it can be tested:
 * @paranoid is kernel.perf_event_paranoid, @privileged whether we hold
 * CAP_PERFMON or CAP_SYS_ADMIN.  Returns true for user-only, with the
 * reason in @why.
 */
bool gb_pmu_decide_user_only(int paranoid, bool privileged, bool force_user,
			     char *why, size_t whylen);

/* pfm_initialize(), once; 0, or -1 with libpfm4's error in @err. */
int gb_pmu_init(char *err, size_t errlen);
/*
 * pfm_terminate().  libpfm4 4.13 leaves active the PMUs it activated, so
 * another LIBPFM_FORCE_PMU needs another process (see test_pmu.c).
 */
void gb_pmu_exit(void);

/* The table for the CPU libpfm4 detects; the generic one if none. */
const struct gb_pmu_table *gb_pmu_detect(char *why, size_t whylen);

/*
 * Expand presets and encode every event of comma-separated @list.
 * Events that do not encode here are kept, marked !resolved, with
 * libpfm4's reason.  A name that is neither a preset nor an event of
 * any PMU libpfm4 knows is a usage error: -1 with the message (libpfm4's
 * error, nearest preset) in @err.  0 otherwise.
 */
int gb_pmu_resolve(struct gb_pmu_set *set, const char *list,
		   unsigned int flags, char *err, size_t errlen);

/*
 * In the calling thread (pid 0, cpu -1): open the resolved events as
 * groups, stopped.  Events this CPU cannot count are left out, with the
 * reason in t->why[].  Returns how many are open, or -errno when none
 * can be because of the process (EMFILE, ...).
 */
int gb_pmu_open_thread(struct gb_pmu_thread *t, const struct gb_pmu_set *set);
/* Reset and start, stop: every group of the thread at once. */
int gb_pmu_start(struct gb_pmu_thread *t);
int gb_pmu_stop(struct gb_pmu_thread *t);
/* Fill @out[set->nr]; 0 or -errno. */
int gb_pmu_read(struct gb_pmu_thread *t, struct gb_pmu_count *out);
void gb_pmu_close(struct gb_pmu_thread *t);

/*
 * @c from one read: @raw counted while @run of @en ns enabled; scaled
 * by en/run for multiplexing, NAN when it never ran (gb_pmu_read's).
 */
void gb_pmu_count_set(struct gb_pmu_count *c, uint64_t raw, uint64_t en,
		      uint64_t run);
/* Scaled count per operation; NAN if not counted or @ops is 0. */
double gb_pmu_per_op(const struct gb_pmu_count *c, uint64_t ops);

#endif
