// SPDX-License-Identifier: GPL-2.0
/*
 * The harness: threads, pinning, the start barrier, warm-up, trials,
 * the timed loop and the per-trial metrics.  Scenarios never touch it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "balance.h"
#include "barrier.h"
#include "harness.h"
#include "util.h"

#define WORKER_ALIGN 256
/* threads whose rates are reported one by one */
#define GB_THREAD_RATES 8
/* trials redone when the subject completed no op, per cell */
#define GB_IDLE_RETRIES 5

volatile sig_atomic_t gb_signalled;

/* Shared by main and the workers of one cell. */
struct phase_ctl {
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

struct worker_slot {
	struct gb_worker w;
	struct gb_pmu_thread pmu;
	struct phase_ctl *ctl;
	pthread_t thread;
	bool started;
	pid_t pid;		/* > 0: a contender process */
	atomic_uint arrivals;	/* barrier arrivals: who is late */
};

static void on_signal(int sig)
{
	gb_signalled = sig;
	/* A second signal ends us at once, the default way. */
	signal(sig, SIG_DFL);
}

void gb_install_signal_handlers(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

/* ---- worker side ---------------------------------------------------- */

/* The subject's ops counted only: the bare loop, for rates. */
static void untimed_loop(struct gb_worker *w, struct phase_ctl *ctl,
			 unsigned int nops)
{
	const struct gb_scenario *sc = w->cell->sc;
	uint64_t ops = 0;
	int err = 0;

	while (!atomic_load_explicit(&ctl->stop, memory_order_relaxed)) {
		for (unsigned int k = 0; k < nops; k++) {
			err = sc->subject_op(w, k);
			if (err)
				goto out;
		}
		ops++;
	}
out:
	w->ops = ops;
	w->err = err;
}

static void subject_loop(struct gb_worker *w, struct phase_ctl *ctl)
{
	const struct gb_scenario *sc = w->cell->sc;
	unsigned int nops = 0;
	uint64_t ops = 0, t0, t1;
	int err = 0;

	while (sc->timed_ops[nops])
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
			err = sc->subject_op(w, k);
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

double gb_quantile_ns(const struct gb_clock *clock, const struct gb_hist *h,
		      double q)
{
	return gb_ticks_to_ns(clock, gb_hist_quantile_interp(h, q,
						clock->resolution_ticks));
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

static void contender_loop(struct gb_worker *w, struct phase_ctl *ctl)
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

static void idle_loop(struct phase_ctl *ctl)
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

static void run_phase(struct gb_worker *w, struct phase_ctl *ctl)
{
	uint64_t l0[GB_NR_LOCK_EVENTS], l1[GB_NR_LOCK_EVENTS];
	struct gb_lockstat ls;
	struct rusage r0, r1;
	double t0, t1, c0, c1;
	bool counting = false;
	bool timing_ref = w->index == 0 && ctl->subject_active &&
			  !ctl->count_locks;
	/* no other worker in the cell: nothing runs beside the reference */
	bool alone = w->cell->nr_contenders == 0;

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
	if (w->index > 0 && !w->cell->sc->all_timed)
		contender_loop(w, ctl);
	else if (w->index > 0 || ctl->subject_active)
		subject_loop(w, ctl);
	else
		idle_loop(ctl);
	t1 = gb_mono_sec();
	c1 = thread_cpu_sec();
	getrusage(RUSAGE_THREAD, &r1);
	if (w->pmu) {
		gb_pmu_stop(w->pmu);
		gb_pmu_read(w->pmu, w->pmu_count);
	}
	w->elapsed_s = t1 - t0;
	w->cpu_s = c1 - c0;
	w->minflt = (uint64_t)(r1.ru_minflt - r0.ru_minflt);
	if (counting) {
		gb_lockstat_read(&ls, l1);
		gb_lockstat_close(&ls);
		lock_delta(w, l0, l1);
	}
	/*
	 * The machine's speed now, on the subject's CPU: every other
	 * worker has stopped and waits at the barrier.  Outside the
	 * timed loop, its elapsed time and its counters.  Alone in its
	 * cell, the subject's previous active phase (warm-up or trial)
	 * ended right before this one began: the trial's value is the
	 * mean of that reference and this one, both ends of the trial,
	 * without taking any of the trial's own time.
	 */
	if (timing_ref) {
		struct gb_speedref end;

		gb_speedref_measure(ctl->clock, &end);
		w->ref = end;
		if (alone && w->ref_prev_ok)
			gb_speedref_mean(&w->ref, &w->ref_prev);
		w->ref_prev = end;
		w->ref_prev_ok = true;
	}
}

static void *worker_main(void *arg)
{
	struct worker_slot *slot = arg;
	struct gb_worker *w = &slot->w;
	struct phase_ctl *ctl = slot->ctl;
	sigset_t all;

	/* Signals go to the main thread, which ends the trial cleanly. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);

	w->err = gb_topo_bind_self(ctl->topo, w->cpu);
	if (!w->err && w->cell->sc->worker_init)
		w->err = w->cell->sc->worker_init(w);
	/* counters belong to this thread: opened here, once pinned */
	if (!w->err && ctl->pmu && gb_pmu_open_thread(&slot->pmu, ctl->pmu) >= 0)
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

/* ---- main side ------------------------------------------------------ */

struct cell_threads {
	struct phase_ctl *ctl;		/* shared with contender processes */
	struct worker_slot **slot;
	unsigned int nr;
	bool processes;
	char lost[256];			/* a worker died or hung: how */
};

/*
 * How long main waits at a barrier for workers that should be there
 * already: a phase's end (one op late at most), the next phase's start,
 * or, once a signal came, at all.  Set-up (pinning, worker_init) may
 * take longer.  Past that a worker is stuck and the cell is abandoned.
 */
#define PHASE_MARGIN_S 5.0
#define READY_MARGIN_S 30.0
#define SIGNAL_GRACE_S 1.0
#define WAIT_SLICE_S 0.02

/*
 * Everything workers touch lives in MAP_SHARED memory, so the same code
 * serves threads and, for cells that want one mm per contender,
 * processes forked after the scenario's set-up.  Page-aligned, so
 * workers never share a cache line.
 */
static void *shared_alloc(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static void shared_free(void *p, size_t size)
{
	if (p)
		munmap(p, size);
}

/* Sleep until @deadline (CLOCK_MONOTONIC s); false if a signal came. */
static bool sleep_until(double deadline)
{
	struct timespec ts;

	ts.tv_sec = (time_t)deadline;
	ts.tv_nsec = (long)((deadline - (double)ts.tv_sec) * 1e9);
	while (!gb_signalled) {
		int r = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts,
					NULL);

		if (r == 0)
			return true;
		if (r != EINTR)
			return !gb_signalled;
	}
	return false;
}

static const char *worker_kind(struct cell_threads *ct, unsigned int i)
{
	if (!i)
		return "subject thread";
	return ct->processes ? "contender process" : "contender thread";
}

/* Has a contender process died?  Then ct->lost says how. */
static bool reap_dead(struct cell_threads *ct)
{
	for (unsigned int i = 1; i < ct->nr; i++) {
		struct worker_slot *s = ct->slot[i];
		int st;

		if (!s || s->pid <= 0 || waitpid(s->pid, &st, WNOHANG) <= 0)
			continue;
		if (ct->ctl->quit && WIFEXITED(st) && !WEXITSTATUS(st)) {
			s->pid = 0;	/* told to quit, and did */
			continue;
		}
		if (WIFSIGNALED(st))
			snprintf(ct->lost, sizeof(ct->lost), "%s %d on CPU %u "
				 "was killed by signal %d (%s; the OOM killer "
				 "sends SIGKILL): cell abandoned",
				 worker_kind(ct, i), (int)s->pid, s->w.cpu,
				 WTERMSIG(st), strsignal(WTERMSIG(st)));
		else
			snprintf(ct->lost, sizeof(ct->lost), "%s %d on CPU %u "
				 "exited with status %d mid-cell: cell "
				 "abandoned",
				 worker_kind(ct, i), (int)s->pid, s->w.cpu,
				 WEXITSTATUS(st));
		s->pid = 0;
		return true;
	}
	return false;
}

/* The worker that arrived least often is the one main waits for. */
static void name_late(struct cell_threads *ct, double waited)
{
	unsigned int late = 0;

	for (unsigned int i = 1; i < ct->nr; i++)
		if (atomic_load(&ct->slot[i]->arrivals) <
		    atomic_load(&ct->slot[late]->arrivals))
			late = i;
	snprintf(ct->lost, sizeof(ct->lost), "%s %d on CPU %u did not reach "
		 "the phase barrier within %.1f s (stopped or stuck): cell "
		 "abandoned", worker_kind(ct, late),
		 ct->slot[late]->pid > 0 ? (int)ct->slot[late]->pid : (int)late,
		 ct->slot[late]->w.cpu, waited);
}

/*
 * Main's side of a barrier: bounded by @margin (SIGNAL_GRACE_S once a
 * signal came), watching the contender processes meanwhile.  0, or -1
 * with ct->lost set and both barriers broken, so every worker leaves.
 */
static int main_wait(struct cell_threads *ct, struct gb_barrier *b,
		     double margin)
{
	double t0 = gb_mono_sec(), deadline = t0 + margin, now;
	uint32_t gen = gb_barrier_arrive(b);
	int r;

	while ((r = gb_barrier_await(b, gen, WAIT_SLICE_S)) == -ETIMEDOUT) {
		now = gb_mono_sec();
		if (reap_dead(ct))
			break;
		if (gb_signalled && deadline > now + SIGNAL_GRACE_S)
			deadline = now + SIGNAL_GRACE_S;
		if (now > deadline) {
			name_late(ct, now - t0);
			break;
		}
	}
	if (!r)
		return 0;
	if (!ct->lost[0])
		snprintf(ct->lost, sizeof(ct->lost), "a worker left the "
			 "barrier: cell abandoned");
	gb_barrier_break(&ct->ctl->start);
	gb_barrier_break(&ct->ctl->end);
	return -1;
}

/*
 * The phase's clock starts when every worker has opened its counters,
 * taken the speed reference and entered its loop, not at the barrier:
 * on a loaded machine a worker could otherwise get no CPU inside a
 * short phase and report no operations (seen at 0.05 s phases under
 * load 10).  Bounded: a worker that never gets there is the barrier
 * timeout's business; a signal stops the wait.
 */
static void wait_ready(struct cell_threads *ct)
{
	const struct timespec step = { 0, 20000 };
	double deadline = gb_mono_sec() + PHASE_MARGIN_S;

	while (atomic_load(&ct->ctl->ready) < ct->nr && !gb_signalled &&
	       gb_mono_sec() < deadline)
		nanosleep(&step, NULL);
}

/*
 * One phase of @seconds.  false when a signal cut it short or a worker
 * was lost (ct->lost says which).
 */
static bool run_main_phase(struct cell_threads *ct, bool subject_active,
			   bool count_locks, double seconds)
{
	bool complete;

	for (unsigned int i = 0; i < ct->nr; i++)
		for (int k = 0; k < GB_MAX_TIMED_OPS; k++)
			if (ct->slot[i]->w.hist[k])
				gb_hist_reset(ct->slot[i]->w.hist[k]);
	atomic_store(&ct->ctl->stop, 0);
	ct->ctl->subject_active = subject_active;
	ct->ctl->count_locks = count_locks;
	atomic_store(&ct->ctl->ready, 0);
	if (main_wait(ct, &ct->ctl->start, PHASE_MARGIN_S))
		return false;
	wait_ready(ct);
	complete = sleep_until(gb_mono_sec() + seconds);
	atomic_store(&ct->ctl->stop, 1);
	if (main_wait(ct, &ct->ctl->end, PHASE_MARGIN_S))
		return false;
	return complete;
}

/* Reap a contender process, killing it if it will not go by @deadline. */
static void reap_by(pid_t pid, double deadline)
{
	const struct timespec ms = { 0, 1000000 };

	while (waitpid(pid, NULL, WNOHANG) == 0) {
		if (gb_mono_sec() > deadline) {
			kill(pid, SIGKILL);
			/* one stuck in the kernel lingers till we exit */
			deadline += SIGNAL_GRACE_S;
			if (gb_mono_sec() > deadline)
				return;
		}
		nanosleep(&ms, NULL);
	}
}

static bool join_by(pthread_t t, double deadline)
{
	struct timespec ts;
	double left = deadline - gb_mono_sec();

	clock_gettime(CLOCK_REALTIME, &ts);
	if (left > 0) {
		ts.tv_sec += (time_t)left;
		ts.tv_nsec += (long)((left - (double)(time_t)left) * 1e9);
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
	}
	return !pthread_timedjoin_np(t, NULL, &ts);
}

/*
 * Let every worker go, bounded.  false when a worker thread would not
 * end: it may still touch the cell's memory, so nothing is freed and
 * the run must end (the process exit takes the thread with it).
 */
static bool stop_threads(struct cell_threads *ct)
{
	double deadline;
	bool all = true;

	if (!ct->ctl)
		return true;
	ct->ctl->quit = 1;
	/* broken: by a loss, or by start_failed(), which let all go */
	if (!atomic_load(&ct->ctl->start.broken))
		main_wait(ct, &ct->ctl->start, PHASE_MARGIN_S);
	deadline = gb_mono_sec() + (ct->lost[0] ? SIGNAL_GRACE_S :
				    PHASE_MARGIN_S);
	for (unsigned int i = 0; i < ct->nr; i++) {
		struct worker_slot *s = ct->slot[i];

		if (s && s->pid > 0) {
			if (ct->lost[0])
				kill(s->pid, SIGKILL);
			reap_by(s->pid, deadline);
		} else if (s && s->started) {
			all &= join_by(s->thread, deadline);
		}
	}
	if (!all) {
		if (!ct->lost[0])
			snprintf(ct->lost, sizeof(ct->lost), "a worker thread "
				 "did not end within %.0f s: run ended",
				 PHASE_MARGIN_S);
		return false;
	}
	for (unsigned int i = 0; i < ct->nr; i++) {
		if (!ct->slot[i])
			continue;
		for (int k = 0; k < GB_MAX_TIMED_OPS; k++)
			shared_free(ct->slot[i]->w.hist[k],
				    sizeof(struct gb_hist));
		shared_free(ct->slot[i], sizeof(struct worker_slot));
	}
	free(ct->slot);
	shared_free(ct->ctl, sizeof(*ct->ctl));
	return true;
}

/* Which events the first subject could open, and why not: for meta. */
static void note_pmu_status(struct gb_run *run, struct cell_threads *ct)
{
	const struct gb_pmu_thread *t = &ct->slot[0]->pmu;

	if (!run->pmu || run->pmu_seen || !ct->slot[0]->w.pmu)
		return;
	run->pmu_seen = true;
	for (size_t e = 0; e < run->pmu->nr; e++)
		snprintf(run->pmu_why[e], sizeof(run->pmu_why[e]), "%s",
			 t->fd[e] >= 0 ? "" : t->why[e]);
	snprintf(run->pmu_scope, sizeof(run->pmu_scope), "%s",
		 t->user_only ? (t->scope_why[0] ? t->scope_why :
				 "user-only") : "kernel+user");
}

/* A contender with an mm of its own: a child that lives for the cell. */
static int fork_worker(struct worker_slot *s)
{
	pid_t parent = getpid();
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid > 0) {
		s->pid = pid;
		return 0;
	}
	/* never outlive the run, even if it is killed outright */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(1);
	worker_main(s);
	_exit(0);
}

static void init_barriers(struct phase_ctl *ctl, unsigned int count)
{
	gb_barrier_init(&ctl->start, count);
	gb_barrier_init(&ctl->end, count);
}

/* A worker could not be made: the ones started leave at once. */
static int start_failed(struct cell_threads *ct, unsigned int made, int err,
			char *why, size_t whylen, const char *what)
{
	ct->nr = made;
	gb_barrier_break(&ct->ctl->start);
	gb_barrier_break(&ct->ctl->end);
	snprintf(why, whylen, "%s: %s: lower --threads or free memory", what,
		 strerror(-err));
	return err;
}

static int start_threads(struct gb_run *run, struct gb_cell *c,
			 struct cell_threads *ct, char *why, size_t whylen)
{
	unsigned int nops = 0;
	char what[64];
	int err = 0;

	while (c->sc->timed_ops[nops])
		nops++;
	memset(ct, 0, sizeof(*ct));
	ct->nr = c->nr_contenders + 1;
	ct->processes = c->processes;
	ct->ctl = shared_alloc(sizeof(*ct->ctl));
	if (!ct->ctl) {
		snprintf(why, whylen, "mmap of shared worker state: %s: free "
			 "memory", strerror(errno));
		return -ENOMEM;
	}
	ct->ctl->topo = run->topo;
	ct->ctl->clock = run->clock;
	ct->ctl->lock_ids = run->lock_ids;
	ct->ctl->pmu = run->pmu;
	ct->slot = gb_zalloc(ct->nr * sizeof(*ct->slot));
	init_barriers(ct->ctl, ct->nr + 1);
	for (unsigned int i = 0; i < ct->nr; i++) {
		bool timed = i == 0 || c->sc->all_timed;
		struct worker_slot *s;

		s = shared_alloc(sizeof(*s));
		if (!s)
			return start_failed(ct, i, -ENOMEM, why, whylen,
					    "mmap of a worker's shared state");
		ct->slot[i] = s;
		s->ctl = ct->ctl;
		s->w.cell = c;
		s->w.index = i;
		s->w.cpu = c->cpus[i];
		for (unsigned int k = 0; timed && k < nops; k++) {
			s->w.hist[k] = shared_alloc(sizeof(struct gb_hist));
			if (!s->w.hist[k])
				return start_failed(ct, i + 1, -ENOMEM, why,
						    whylen,
						    "mmap of a histogram");
			gb_hist_reset(s->w.hist[k]);
		}
		if (i > 0 && ct->processes) {
			err = fork_worker(s);
		} else {
			err = -pthread_create(&s->thread, NULL, worker_main,
					      s);
			s->started = !err;
		}
		if (err) {
			/* the barrier counts every worker: run none */
			snprintf(what, sizeof(what), "starting %s %u",
				 worker_kind(ct, i), i);
			return start_failed(ct, i + 1, err, why, whylen, what);
		}
	}
	/* all bound and ready */
	if (main_wait(ct, &ct->ctl->end, READY_MARGIN_S)) {
		snprintf(why, whylen, "%s", ct->lost);
		return -GB_ERR_LOST;
	}
	note_pmu_status(run, ct);
	for (unsigned int i = 0; i < ct->nr; i++) {
		struct gb_worker *w = &ct->slot[i]->w;

		if (!w->err)
			continue;
		snprintf(why, whylen, "%s %s on CPU %u: %s",
			 i ? "contender" : "subject",
			 i && ct->processes ? "process" : "thread", w->cpu,
			 w->err == -EIO ? "bound but never seen running there" :
			 strerror(-w->err));
		err = w->err;
		break;
	}
	return err;
}

static struct gb_series *series_get(struct gb_cell *c, const char *name,
				    const char *unit, size_t room)
{
	struct gb_series *s;

	for (size_t i = 0; i < c->nr_series; i++)
		if (!strcmp(c->series[i].name, name))
			return &c->series[i];
	if (c->nr_series == GB_MAX_METRICS)
		gb_die(GB_EXIT_FAILURE, "too many metrics in %s", c->label);
	s = &c->series[c->nr_series++];
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->unit = unit;
	s->v = gb_zalloc(room * sizeof(double));
	return s;
}

/* Values of one trial, kept until the whole trial has finished. */
struct pending {
	struct gb_cell *cell;
	char name[96];
	const char *unit;
	double v;
};

struct trial_buf {
	size_t n;
	struct pending p[3 * GB_MAX_METRICS];
	struct gb_speedref ref;		/* the subject's, this trial */
};

static void put(struct trial_buf *tb, struct gb_cell *c, const char *unit,
		double v, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void put(struct trial_buf *tb, struct gb_cell *c, const char *unit,
		double v, const char *fmt, ...)
{
	struct pending *p;
	va_list ap;

	if (tb->n == ARRAY_SIZE(tb->p))
		gb_die(GB_EXIT_FAILURE, "too many metrics in one trial");
	p = &tb->p[tb->n++];
	p->cell = c;
	p->unit = unit;
	p->v = v;
	va_start(ap, fmt);
	vsnprintf(p->name, sizeof(p->name), fmt, ap);
	va_end(ap);
}

static const double quantiles[] = { 0.50, 0.90, 0.99, 0.999, 1.0 };
static const char *const quantile_names[] = { "p50", "p90", "p99", "p999",
					       "max" };

static double thread_rate(const struct cell_threads *ct, unsigned int i)
{
	const struct gb_worker *w = &ct->slot[i]->w;

	return w->elapsed_s > 0 ? (double)w->ops / w->elapsed_s : 0;
}

/*
 * Each thread's own rate and CPU share, threads @from..GB_THREAD_RATES-1
 * by name ("pairs_per_sec_thread1", "cpu_share_thread1"), so one thread
 * out-running another shows, and whether it simply had more CPU.
 * Where all threads do the subject's work, thread_rate_imbalance is
 * the largest |contender / subject - 1|: summary.txt flags a cell whose
 * median exceeds GB_IMBALANCE_MARGIN (balance.h).
 */
static void put_thread_rates(const struct cell_threads *ct, struct gb_cell *c,
			     struct trial_buf *tb, unsigned int from,
			     const char *name)
{
	double r0 = thread_rate(ct, 0), worst = 0;

	if (ct->nr < 2)
		return;
	for (unsigned int i = from; i < ct->nr && i < GB_THREAD_RATES; i++) {
		const struct gb_worker *w = &ct->slot[i]->w;

		put(tb, c, "ops/s", thread_rate(ct, i), "%s_thread%u", name,
		    i);
		/* its CPU time over its elapsed: less when others ran there */
		put(tb, c, "ratio", w->elapsed_s > 0 ? w->cpu_s / w->elapsed_s :
		    0, "cpu_share_thread%u", i);
	}
	if (from || r0 <= 0)
		return;
	for (unsigned int i = 1; i < ct->nr; i++) {
		double d = fabs(thread_rate(ct, i) / r0 - 1);

		if (d > worst)
			worst = d;
	}
	put(tb, c, "ratio", worst, "thread_rate_imbalance");
}

/*
 * Every thread ran the timed ops: percentiles over all their operations
 * pooled, and the total rate.  Thread 0's own stay the plain metrics.
 */
static void collect_all_timed(struct gb_run *run, struct cell_threads *ct,
			      struct gb_cell *c, struct trial_buf *tb)
{
	const struct gb_scenario *sc = c->sc;
	struct gb_hist *pool = gb_zalloc(sizeof(*pool));
	double rate = 0;

	for (unsigned int k = 0; sc->timed_ops[k]; k++) {
		gb_hist_reset(pool);
		for (unsigned int i = 0; i < ct->nr; i++)
			gb_hist_merge(pool, ct->slot[i]->w.hist[k]);
		for (size_t q = 0; q < ARRAY_SIZE(quantiles); q++)
			put(tb, c, "ns", gb_quantile_ns(run->clock, pool,
							quantiles[q]),
			    "%s_latency_all_%s_ns", sc->timed_ops[k],
			    quantile_names[q]);
	}
	for (unsigned int i = 0; i < ct->nr; i++)
		rate += (double)ct->slot[i]->w.ops / ct->slot[i]->w.elapsed_s;
	put(tb, c, "ops/s", rate, "%s_total", sc->subject_rate);
	put_thread_rates(ct, c, tb, 0, sc->subject_rate);
	free(pool);
}

/*
 * The reference the subject timed after its loop (speedref.h), and the
 * guard ops' p50 above the syscall floor of the same trial: derived,
 * the guard path's own work with entry and exit taken out.
 */
static void collect_ref(struct gb_run *run, struct gb_worker *w,
			struct gb_cell *c, struct trial_buf *tb)
{
	const struct gb_scenario *sc = c->sc;

	put(tb, c, "ns", w->ref.syscall_ns, "ref_syscall_ns");
	put(tb, c, "ns", w->ref.loop_ns, "ref_loop_ns");
	tb->ref = w->ref;
	for (unsigned int k = 0; sc->timed_ops[k]; k++) {
		const char *op = sc->timed_ops[k];

		if (c->untimed || (strcmp(op, "install") &&
				   strcmp(op, "remove")))
			continue;
		put(tb, c, "ns", gb_quantile_ns(run->clock, w->hist[k], 0.5) -
			w->ref.syscall_ns,
		    "%s_latency_p50_above_syscall_ns", op);
	}
}

static void collect_subject(struct gb_run *run, struct cell_threads *ct,
			    struct gb_cell *c, struct trial_buf *tb)
{
	struct gb_worker *w = &ct->slot[0]->w;
	const struct gb_scenario *sc = c->sc;

	for (unsigned int k = 0; sc->timed_ops[k] && !c->untimed; k++) {
		for (size_t q = 0; q < ARRAY_SIZE(quantiles); q++) {
			put(tb, c, "ns", gb_quantile_ns(run->clock, w->hist[k],
							quantiles[q]),
			    "%s_latency_%s_ns", sc->timed_ops[k],
			    quantile_names[q]);
		}
	}
	put(tb, c, "ops/s", (double)w->ops / w->elapsed_s, "%s",
	    sc->subject_rate);
	/*
	 * Below 1 the subject waited for its CPU (other tasks, the host):
	 * its rate is then the machine's sharing, not the kernel's cost.
	 */
	put(tb, c, "ratio", w->elapsed_s > 0 ? w->cpu_s / w->elapsed_s : 0,
	    "subject_cpu_share");
	collect_ref(run, w, c, tb);
	if (sc->all_timed)
		collect_all_timed(run, ct, c, tb);
}

/* Contenders' rate in this phase; returns the total. */
static double collect_contenders(struct cell_threads *ct, struct gb_cell *c,
				 struct trial_buf *tb)
{
	const struct gb_scenario *sc = c->sc;
	double ops = 0, faults = 0;
	unsigned int n = c->nr_contenders;

	if (!n)
		return 0;
	for (unsigned int i = 1; i <= n; i++) {
		struct gb_worker *w = &ct->slot[i]->w;

		ops += (double)w->ops / w->elapsed_s;
		faults += (double)w->minflt / w->elapsed_s;
	}
	put(tb, c, "ops/s", ops, "%s_ops_per_sec_total", sc->contender_role);
	put(tb, c, "ops/s", ops / n, "%s_ops_per_sec_each",
	    sc->contender_role);
	if (n > 1 && !sc->all_timed) {
		char name[64];

		snprintf(name, sizeof(name), "%s_ops_per_sec",
			 sc->contender_role);
		put_thread_rates(ct, c, tb, 1, name);
	}
	if (!sc->contenders_fault)
		return ops;
	put(tb, c, "faults/s", faults, "faults_per_sec_total");
	put(tb, c, "faults/s", faults / n, "faults_per_sec_per_%s",
	    sc->contender_role);
	return faults;
}

/* What one subject loop is: "pair" (install+remove) unless it says. */
static const char *subject_unit(const struct gb_cell *c)
{
	return c->sc->subject_unit ? c->sc->subject_unit : "pair";
}

static const char *subject_unit_label(const struct gb_cell *c)
{
	static const char *const labels[] = { "pair", "per pair", "fork",
		"per fork", "thread", "per thread", "cycle", "per cycle" };

	for (size_t i = 0; i < ARRAY_SIZE(labels); i += 2)
		if (!strcmp(labels[i], subject_unit(c)))
			return labels[i + 1];
	return "per loop";
}

/* "perf::PERF_COUNT_SW_PAGE_FAULTS" -> "pmu.PERF_COUNT_SW_PAGE_FAULTS" */
static void pmu_metric_base(const char *event, char *buf, size_t len)
{
	const char *p = strstr(event, "::");

	snprintf(buf, len, "pmu.%s", p ? p + 2 : event);
	for (char *c = buf; *c; c++)
		if (*c == ':' || *c == '=' || *c == ' ' || *c == '\t')
			*c = '.';
}

/*
 * Counts per op, scaled for multiplexing: the subject's per
 * install+remove pair, the contenders' summed per their summed ops.
 * pmu_running_ratio_min flags multiplexing (below 1).
 */
static void collect_pmu(struct gb_run *run, struct cell_threads *ct,
			struct gb_cell *c, struct trial_buf *tb)
{
	double ratio = 1;
	bool any = false;

	for (size_t e = 0; run->pmu && e < run->pmu->nr; e++) {
		double sum = 0;
		uint64_t ops = 0;
		char base[80];

		pmu_metric_base(run->pmu->ev[e].name, base, sizeof(base));
		for (unsigned int i = 0; i < ct->nr; i++) {
			struct gb_worker *w = &ct->slot[i]->w;
			const struct gb_pmu_count *k = &w->pmu_count[e];

			if (!w->pmu || !k->valid || k->scaled != k->scaled)
				continue;
			any = true;
			if (k->ratio < ratio)
				ratio = k->ratio;
			if (i == 0) {
				if (w->ops)
					put(tb, c, subject_unit_label(c),
					    k->scaled / (double)w->ops,
					    "%s_per_%s", base, subject_unit(c));
				continue;
			}
			sum += k->scaled;
			ops += w->ops;
		}
		if (ops && c->sc->contender_role)
			put(tb, c, "per op", sum / (double)ops, "%s_per_%s_op",
			    base, c->sc->contender_role);
	}
	if (any)
		put(tb, c, "ratio", ratio, "pmu_running_ratio_min");
}

static int phase_error(struct cell_threads *ct, char *why, size_t whylen)
{
	for (unsigned int i = 0; i < ct->nr; i++) {
		struct gb_worker *w = &ct->slot[i]->w;

		if (w->err) {
			snprintf(why, whylen, "%s op failed on CPU %u: %s",
				 i ? "contender" : "subject", w->cpu,
				 strerror(-w->err));
			return w->err;
		}
	}
	return 0;
}

static void commit_trial(struct gb_run *run, struct trial_buf *tb,
			 unsigned int trial)
{
	for (size_t i = 0; i < tb->n; i++) {
		struct pending *p = &tb->p[i];
		struct gb_series *s;

		s = series_get(p->cell, p->name, p->unit,
			       (size_t)run->cfg->trials);
		s->v[s->n++] = p->v;
		gb_results_trial(run->res, p->cell, trial, p->name, p->unit,
				 p->v);
	}
}

/* The reference's noise within the trial, for gb_speedref_moved(). */
static void keep_ref_noise(struct gb_cell *c, const struct trial_buf *tb,
			   unsigned int trial, long trials)
{
	if (!c->ref_noise)
		c->ref_noise = gb_zalloc((size_t)trials *
					 sizeof(*c->ref_noise));
	c->ref_noise[trial][0] = tb->ref.syscall_noise;
	c->ref_noise[trial][1] = tb->ref.loop_noise;
	c->nr_ref_noise = trial + 1;
}

static void merge_hists(struct cell_threads *ct, struct gb_cell *c)
{
	for (unsigned int k = 0; c->sc->timed_ops[k]; k++) {
		if (!c->merged[k]) {
			c->merged[k] = gb_zalloc(sizeof(struct gb_hist));
			gb_hist_reset(c->merged[k]);
		}
		gb_hist_merge(c->merged[k], ct->slot[0]->w.hist[k]);
	}
}

static void progress(struct gb_run *run, struct gb_cell *c, size_t idx,
		     unsigned int trial)
{
	double left = run->planned_s - run->spent_s;
	static int tty = -1;

	if (tty < 0)
		tty = isatty(STDERR_FILENO);
	if (!tty && trial != 0)
		return;		/* one line per cell in logs */
	if (left < 0)
		left = 0;
	fprintf(stderr, "%s[%zu/%zu] %s %s: trial %u/%ld, ~%.0f s left%s",
		tty ? "\r\033[K" : "", idx + 1, run->plan->nr,
		c->sc->name, c->label, trial + 1, run->cfg->trials, left,
		tty ? "" : "\n");
}

static void put_locks(struct gb_cell *c, const uint64_t *locks,
		      uint64_t ops, const char *per, const char *unit)
{
	for (int e = 0; e < GB_NR_LOCK_EVENTS; e++) {
		struct gb_series *s;
		char name[96];

		if (locks[e] == UINT64_MAX || !ops)
			continue;
		snprintf(name, sizeof(name), "%s_per_%s",
			 gb_lock_event_names[e], per);
		s = series_get(c, name, unit, 1);
		s->v[0] = (double)locks[e] / (double)ops;
		s->n = 1;
	}
}

/*
 * Lock accounting: one more phase with the tracepoint counters open.
 * Tracepoints cost every lock acquisition a little, so this phase's
 * timings are thrown away; only the counts per op are kept (n = 1).
 */
static int count_locks(struct gb_run *run, struct gb_cell *c,
		       struct cell_threads *ct, char *why, size_t whylen)
{
	uint64_t sum[GB_NR_LOCK_EVENTS] = { 0 }, ops = 0;
	char per[48];
	int ret;

	if (!run->lock_ids || !run->lock_ids->ok) {
		snprintf(c->locks_na, sizeof(c->locks_na), "%s",
			 run->lock_ids ? run->lock_ids->why :
			 "not asked for");
		return 0;
	}
	if (!run_main_phase(ct, true, true, run->cfg->duration_s))
		return -EINTR;
	run->spent_s += run->cfg->duration_s;
	ret = phase_error(ct, why, whylen);
	if (ret)
		return ret;
	for (unsigned int i = 0; i < ct->nr; i++) {
		struct gb_worker *w = &ct->slot[i]->w;

		if (w->lock_why[0]) {
			snprintf(c->locks_na, sizeof(c->locks_na), "%s",
				 w->lock_why);
			return 0;
		}
	}
	put_locks(c, ct->slot[0]->w.locks, ct->slot[0]->w.ops,
		  subject_unit(c), subject_unit_label(c));
	for (unsigned int i = 1; i < ct->nr; i++) {
		for (int e = 0; e < GB_NR_LOCK_EVENTS; e++)
			sum[e] = ct->slot[i]->w.locks[e] == UINT64_MAX ?
				 UINT64_MAX : sum[e] + ct->slot[i]->w.locks[e];
		ops += ct->slot[i]->w.ops;
	}
	if (ct->nr > 1) {
		snprintf(per, sizeof(per), "%s_op", c->sc->contender_role);
		put_locks(c, sum, ops, per, "per op");
	}
	return 0;
}

/* Trials of one cell (and its control).  0, -EINTR or -errno. */
static int run_trials(struct gb_run *run, struct gb_cell *c,
		      struct cell_threads *ct, size_t idx, char *why,
		      size_t whylen)
{
	const struct gb_config *cfg = run->cfg;
	struct trial_buf *tb = gb_zalloc(sizeof(*tb));
	unsigned int idle_trials = 0;
	int ret = 0;

	if (!run_main_phase(ct, true, false, cfg->warmup_s)) {
		ret = -EINTR;
		goto out;
	}
	run->spent_s += cfg->warmup_s;
	ret = phase_error(ct, why, whylen);
	for (unsigned int t = 0; !ret && t < (unsigned int)cfg->trials; t++) {
		double with = 0, without = 0;
		bool ok = true, idle = false;

		progress(run, c, idx, t);
		tb->n = 0;
		/* ABBA: alternate which phase goes first against drift */
		for (unsigned int ph = 0; ph < gb_cell_phases(c) && ok; ph++) {
			bool active = !c->control || (ph == (t & 1));

			ok = run_main_phase(ct, active, false,
					    cfg->duration_s);
			run->spent_s += cfg->duration_s;
			ret = phase_error(ct, why, whylen);
			if (!ok || ret)
				break;
			/*
			 * No subject op in a whole phase (it never got its
			 * CPU, or one op outlasted the phase): nothing was
			 * measured, and 0 is no latency.
			 */
			if (active && !ct->slot[0]->w.ops) {
				idle = true;
				break;
			}
			if (active) {
				collect_subject(run, ct, c, tb);
				with = collect_contenders(ct, c, tb);
				collect_pmu(run, ct, c, tb);
				merge_hists(ct, c);
			} else {
				without = collect_contenders(ct, c->control,
							     tb);
			}
		}
		if (!ok) {
			ret = -EINTR;
			break;
		}
		if (ret)
			break;
		if (idle) {
			if (++idle_trials > GB_IDLE_RETRIES) {
				snprintf(why, whylen, "the subject completed no "
					 "%s in %u phases of %.3f s: the machine "
					 "is too busy or the trials too short "
					 "(raise --duration)", subject_unit(c),
					 idle_trials, cfg->duration_s);
				ret = -EAGAIN;
				break;
			}
			t--;	/* the same trial again (wraps, then ++) */
			continue;
		}
		if (c->control)
			put(tb, c, "ratio", without > 0 ? with / without : 0,
			    "%s_vs_control", c->sc->contenders_fault ?
			    "fault_rate" : "contender_rate");
		commit_trial(run, tb, t);
		keep_ref_noise(c, tb, t, cfg->trials);
		if (gb_results_flush(run->res, why, whylen)) {
			ret = -EIO;
			break;
		}
	}
	if (!ret)
		ret = count_locks(run, c, ct, why, whylen);
out:
	free(tb);
	return ret;
}

static void mark(struct gb_cell *c, enum gb_cell_status st, const char *why)
{
	c->status = st;
	/* a done cell keeps the note its scenario left (e.g. "no lock") */
	if (st != GB_CELL_DONE || !c->reason[0])
		snprintf(c->reason, sizeof(c->reason), "%s", why);
	if (c->control) {
		c->control->status = st;
		snprintf(c->control->reason, sizeof(c->control->reason), "%s",
			 why);
	}
}

static void assign_cpus(struct gb_run *run, struct gb_cell *c)
{
	c->cpus[0] = run->topo->subject_cpu;
	for (unsigned int i = 0; i < c->nr_contenders; i++)
		c->cpus[i + 1] =
			run->placement_cpus[i % run->nr_placement_cpus];
	if (c->control)
		memcpy(c->control->cpus, c->cpus, sizeof(c->cpus));
}

/* Values across cells, once every cell that could run has run. */
static void derive_all(struct gb_run *run)
{
	for (size_t i = 0; i < run->plan->nr; i++) {
		struct gb_cell *c = run->plan->cells[i];

		if (c->sc->derive && c->status == GB_CELL_DONE)
			c->sc->derive(c);
	}
}

int gb_run_cells(struct gb_run *run, char *why, size_t whylen)
{
	int ret = 0;

	run->started = gb_mono_sec();
	run->planned_s = gb_plan_estimate(run->plan, run->cfg);
	for (size_t k = 0; k < run->plan->nr && !ret; k++) {
		size_t i = run->order ? run->order[k] : k;
		struct gb_cell *c = run->plan->cells[i];
		struct cell_threads ct;
		char cwhy[256] = "";
		int r;

		if (c->is_control)
			continue;
		if (gb_signalled) {
			ret = -EINTR;
			break;
		}
		assign_cpus(run, c);
		c->emulate_write_lock = run->cfg->emulate &&
					!strcmp(run->cfg->emulate, "write-lock");
		r = c->sc->setup(c, run->cfg, cwhy, sizeof(cwhy));
		if (r == GB_SKIP) {
			mark(c, GB_CELL_SKIPPED, cwhy);
			gb_note("%s %s: skipped: %s", c->sc->name, c->label,
				cwhy);
			run->planned_s -= gb_cell_estimate(run->cfg, c);
			continue;
		}
		if (r) {
			snprintf(why, whylen, "%s %s: %s", c->sc->name,
				 c->label, cwhy);
			mark(c, GB_CELL_PARTIAL, cwhy);
			return r;
		}
		r = start_threads(run, c, &ct, cwhy, sizeof(cwhy));
		if (!r)
			r = run_trials(run, c, &ct, k, cwhy, sizeof(cwhy));
		/* a thread that would not stop keeps the cell's memory */
		if (stop_threads(&ct))
			c->sc->teardown(c);
		/* a signal explains a late worker; otherwise it is lost */
		if (ct.lost[0] && gb_signalled) {
			r = -EINTR;
		} else if (ct.lost[0]) {
			r = -GB_ERR_LOST;
			snprintf(cwhy, sizeof(cwhy), "%s", ct.lost);
		}
		if (!r) {
			mark(c, GB_CELL_DONE, "");
			continue;
		}
		mark(c, GB_CELL_PARTIAL, r == -EINTR ?
		     "interrupted: finished trials kept" : cwhy);
		if (r != -EINTR)
			snprintf(why, whylen, "%s %s: %s", c->sc->name,
				 c->label, cwhy);
		ret = r;
	}
	derive_all(run);
	if (isatty(STDERR_FILENO))
		fprintf(stderr, "\r\033[K");
	return ret;
}
