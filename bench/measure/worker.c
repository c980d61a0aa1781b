// SPDX-License-Identifier: GPL-2.0
/*
 * The worker's side of a cell: pinned, it waits at the phase barriers
 * and runs the subject's timed loop, a contender's counted loop or
 * nothing, with its counters read around each phase.
 */
#define _GNU_SOURCE
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include "measure/threads.h"
#include "base/util.h"


/* The default subject_op: guards on the cell's guard target. */
static int guard_op(struct gb_worker *w, unsigned int op)
{
	const struct gb_guard_target *g = &w->cell->guard;

	return gb_guard_subject_op(w, op, g->range, g->len, g->vma,
				   g->vma_len);
}

typedef int (*gb_subject_fn)(struct gb_worker *w, unsigned int op);

static gb_subject_fn subject_fn(const struct gb_scenario *sc)
{
	return sc->subject_op ? sc->subject_op : guard_op;
}

/* The subject's ops counted only: the bare loop, for rates. */
static void untimed_loop(struct gb_worker *w, struct gb_phase_ctl *ctl,
			 unsigned int nops)
{
	gb_subject_fn op = subject_fn(w->cell->sc);
	uint64_t ops = 0;
	int err = 0;

	while (!atomic_load_explicit(&ctl->stop, memory_order_relaxed)) {
		for (unsigned int k = 0; k < nops; k++) {
			err = op(w, k);
			if (err)
				goto out;
		}
		ops++;
	}
out:
	w->ops = ops;
	w->err = err;
}

static void subject_loop(struct gb_worker *w, struct gb_phase_ctl *ctl)
{
	const struct gb_scenario *sc = w->cell->sc;
	gb_subject_fn op = subject_fn(sc);
	unsigned int nops = 0;
	uint64_t ops = 0, t0, t1;
	int err = 0;

	while (gb_timed_ops(sc)[nops])
		nops++;
	if (w->cell->untimed) {
		untimed_loop(w, ctl, nops);
		return;
	}
	/*
	 * Timestamps are chained: the end of one op is the start of the
	 * next, so one timer read per op.  Each interval therefore also
	 * holds the histogram update and the loop: a few ns, reported as
	 * loop_overhead_ns in meta.txt.
	 */
	t0 = gb_clock_read();
	while (!atomic_load_explicit(&ctl->stop, memory_order_relaxed)) {
		for (unsigned int k = 0; k < nops; k++) {
			err = op(w, k);
			t1 = gb_clock_read();
			if (err)
				goto out;
			gb_hist_add(w->hist[k], t1 - t0);
			t0 = t1;
		}
		ops++;
	}
out:
	w->ops = ops;	/* avoid cacheline bouncing: written back once */
	w->err = err;
}

double gb_measure_loop_overhead(const struct gb_clock *clock)
{
	struct gb_hist *h = gb_zalloc(sizeof(*h));
	uint64_t t0, t1;
	double median;

	gb_hist_reset(h);
	t0 = gb_clock_read();
	for (int i = 0; i < 200000; i++) {
		__asm__ volatile("" : : : "memory");	/* the empty op */
		t1 = gb_clock_read();
		gb_hist_add(h, t1 - t0);
		t0 = t1;
	}
	median = gb_quantile_ns(clock, h, 0.5);
	free(h);
	return median;
}

static void contender_loop(struct gb_worker *w, struct gb_phase_ctl *ctl)
{
	const struct gb_scenario *sc = w->cell->sc;
	uint64_t ops = 0;
	int err = 0;

	while (!atomic_load_explicit(&ctl->stop, memory_order_relaxed)) {
		err = sc->contender_op(w);
		if (err)
			break;
		ops++;
	}
	w->ops = ops;
	w->err = err;
}

static void idle_loop(struct gb_phase_ctl *ctl)
{
	const struct timespec ms = { 0, 1000000 };

	while (!atomic_load_explicit(&ctl->stop, memory_order_relaxed))
		nanosleep(&ms, NULL);
}

static void lock_delta(struct gb_worker *w, const uint64_t *a,
		       const uint64_t *b)
{
	for (int e = 0; e < GB_NR_LOCK_EVENTS; e++)
		w->locks[e] = a[e] == UINT64_MAX || b[e] == UINT64_MAX ?
			      UINT64_MAX : b[e] - a[e];
}

/* This thread's CPU time: what the scheduler and the host gave it. */
static double thread_cpu_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/*
 * The machine's speed now, on the subject's CPU: every other worker has
 * stopped and waits at the barrier.  Outside the timed loop, its
 * elapsed time and its counters.  Alone in its cell, the subject's
 * previous active phase (warm-up or trial) ended right before this one
 * began: the trial's value is the mean of that reference and this one,
 * both ends of the trial, without taking any of the trial's own time.
 */
static void take_ref(struct gb_worker *w, const struct gb_phase_ctl *ctl)
{
	/* no other worker in the cell: nothing runs beside the reference */
	bool alone = w->cell->nr_contenders == 0;
	struct gb_speedref end;

	gb_speedref_measure(ctl->clock, &end);
	w->ref = end;
	if (alone && w->ref_prev_ok)
		gb_speedref_mean(&w->ref, &w->ref_prev);
	w->ref_prev = end;
	w->ref_prev_ok = true;
}

/* This worker's loop for the phase: timed, counted or idle. */
static void run_loop(struct gb_worker *w, struct gb_phase_ctl *ctl)
{
	if (w->index > 0 && !w->cell->sc->all_timed &&
	    w->cell->sc->contender_op)
		contender_loop(w, ctl);
	else if (w->index > 0 && !w->cell->sc->all_timed)
		idle_loop(ctl);
	else if (w->index > 0 || ctl->subject_active)
		subject_loop(w, ctl);
	else
		idle_loop(ctl);
}

static void run_phase(struct gb_worker *w, struct gb_phase_ctl *ctl)
{
	uint64_t l0[GB_NR_LOCK_EVENTS], l1[GB_NR_LOCK_EVENTS];
	struct gb_lockstat ls;
	struct rusage r0, r1;
	double t0, c0;
	bool counting = false;

	w->ops = 0;
	w->err = 0;
	if (ctl->count_locks) {
		w->lock_why[0] = '\0';
		counting = !gb_lockstat_open(ctl->lock_ids, &ls, w->lock_why,
					     sizeof(w->lock_why));
		if (counting)
			gb_lockstat_read(&ls, l0);
	}
	if (w->pmu)
		gb_pmu_start(w->pmu);
	getrusage(RUSAGE_THREAD, &r0);
	c0 = thread_cpu_sec();
	t0 = gb_mono_sec();
	/* main starts the phase clock once every worker got here */
	atomic_fetch_add(&ctl->ready, 1);
	run_loop(w, ctl);
	w->elapsed_s = gb_mono_sec() - t0;
	w->cpu_s = thread_cpu_sec() - c0;
	getrusage(RUSAGE_THREAD, &r1);
	if (w->pmu) {
		gb_pmu_stop(w->pmu);
		gb_pmu_read(w->pmu, w->pmu_count);
	}
	w->minflt = (uint64_t)(r1.ru_minflt - r0.ru_minflt);
	if (counting) {
		gb_lockstat_read(&ls, l1);
		gb_lockstat_close(&ls);
		lock_delta(w, l0, l1);
	}
	if (w->index == 0 && ctl->subject_active && !ctl->count_locks)
		take_ref(w, ctl);
}

void *gb_worker_main(void *arg)
{
	struct gb_worker_slot *slot = arg;
	struct gb_worker *w = &slot->w;
	struct gb_phase_ctl *ctl = slot->ctl;
	sigset_t all;

	/* Signals go to the main thread, which ends the trial cleanly. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);

	w->err = gb_topo_bind_self(ctl->topo, w->cpu);
	if (!w->err && w->cell->sc->worker_init)
		w->err = w->cell->sc->worker_init(w);
	else if (!w->err && w->cell->worker_priv)
		w->priv = w->cell->worker_priv +
			  w->index * w->cell->worker_stride;
	/* counters belong to this thread: opened here, once pinned */
	if (!w->err && ctl->pmu &&
	    gb_pmu_open_thread(&slot->pmu, ctl->pmu) >= 0)
		w->pmu = &slot->pmu;
	/* a broken barrier: main gave up on this cell, so do we */
	atomic_fetch_add(&slot->arrivals, 1);
	if (gb_barrier_wait(&ctl->end))
		goto out;
	for (;;) {
		atomic_fetch_add(&slot->arrivals, 1);
		if (gb_barrier_wait(&ctl->start) || ctl->quit)
			break;
		run_phase(w, ctl);
		atomic_fetch_add(&slot->arrivals, 1);
		if (gb_barrier_wait(&ctl->end))
			break;
	}
out:
	if (w->pmu)
		gb_pmu_close(w->pmu);
	return NULL;
}
