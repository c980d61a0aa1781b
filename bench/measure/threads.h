/* SPDX-License-Identifier: GPL-2.0 */
/* The worker threads (or processes) of one cell, as the harness drives them. */
#ifndef GB_THREADS_H
#define GB_THREADS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <sys/types.h>

#include "measure/barrier.h"
#include "measure/harness.h"

/* Shared by main and the workers of one cell. */
struct gb_phase_ctl {
	struct gb_barrier start, end;
	atomic_int stop;
	atomic_uint ready;	/* workers in their loop this phase */
	int subject_active;
	int count_locks;
	int quit;
	struct gb_topo *topo;
	const struct gb_clock *clock;
	const struct gb_lockstat_ids *lock_ids;
	const struct gb_pmu_set *pmu;
};

struct gb_worker_slot {
	struct gb_worker w;
	struct gb_pmu_thread pmu;
	struct gb_phase_ctl *ctl;
	pthread_t thread;
	bool started;
	pid_t pid;		/* > 0: a contender process */
	atomic_uint arrivals;	/* barrier arrivals: who is late */
};

struct gb_cell_threads {
	struct gb_phase_ctl *ctl;	/* shared with contender processes */
	struct gb_worker_slot **slot;
	unsigned int nr;
	bool processes;
	char lost[256];			/* a worker died or hung: how */
};

/* A worker's thread (or process): pins, waits at the barriers, runs. */
void *gb_worker_main(void *arg);

/*
 * Start @c's workers, each pinned and through the scenario's
 * worker_init.  0, or -errno with @why; gb_threads_stop() either way.
 */
int gb_threads_start(struct gb_runner *run, struct gb_cell *c,
		     struct gb_cell_threads *ct, char *why, size_t whylen);

/*
 * One phase of @seconds.  false when a signal cut it short or a worker
 * was lost (ct->lost says which).
 */
bool gb_threads_phase(struct gb_cell_threads *ct, bool subject_active,
		      bool count_locks, double seconds);

/* The first worker's failed op of the last phase: -errno and @why. */
int gb_threads_error(struct gb_cell_threads *ct, char *why, size_t whylen);

/*
 * Let every worker go, bounded.  false when a worker thread would not
 * end: it may still touch the cell's memory, so nothing is freed and
 * the run must end (the process exit takes the thread with it).
 */
bool gb_threads_stop(struct gb_cell_threads *ct);

#endif
