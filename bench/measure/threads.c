// SPDX-License-Identifier: GPL-2.0
/*
 * Main's side of a cell's workers: starting them (threads, or processes
 * with an mm of their own), the phase barriers with their time limits,
 * finding a worker that died or hung, and stopping them all.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "measure/threads.h"
#include "base/util.h"


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

static const char *worker_kind(struct gb_cell_threads *ct, unsigned int i)
{
	if (!i)
		return "subject thread";
	return ct->processes ? "contender process" : "contender thread";
}

/* Has a contender process died?  Then ct->lost says how. */
static bool reap_dead(struct gb_cell_threads *ct)
{
	for (unsigned int i = 1; i < ct->nr; i++) {
		struct gb_worker_slot *s = ct->slot[i];
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
static void name_late(struct gb_cell_threads *ct, double waited)
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
static int main_wait(struct gb_cell_threads *ct, struct gb_barrier *b,
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
static void wait_ready(struct gb_cell_threads *ct)
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
bool gb_threads_phase(struct gb_cell_threads *ct, bool subject_active,
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
bool gb_threads_stop(struct gb_cell_threads *ct)
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
		struct gb_worker_slot *s = ct->slot[i];

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
		shared_free(ct->slot[i], sizeof(struct gb_worker_slot));
	}
	free(ct->slot);
	shared_free(ct->ctl, sizeof(*ct->ctl));
	return true;
}

/* Which events the first subject could open, and why not: for meta. */
static void note_pmu_status(struct gb_runner *run, struct gb_cell_threads *ct)
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
static int fork_worker(struct gb_worker_slot *s)
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
	gb_worker_main(s);
	_exit(0);
}

static void init_barriers(struct gb_phase_ctl *ctl, unsigned int count)
{
	gb_barrier_init(&ctl->start, count);
	gb_barrier_init(&ctl->end, count);
}

/* A worker could not be made: the ones started leave at once. */
static int start_failed(struct gb_cell_threads *ct, unsigned int made, int err,
			char *why, size_t whylen, const char *what)
{
	ct->nr = made;
	gb_barrier_break(&ct->ctl->start);
	gb_barrier_break(&ct->ctl->end);
	snprintf(why, whylen, "%s: %s: lower --threads or free memory", what,
		 strerror(-err));
	return err;
}

/* Worker @i of @c: its shared slot and histograms, then its thread. */
static int start_worker(struct gb_cell *c, struct gb_cell_threads *ct,
			unsigned int i, char *why, size_t whylen)
{
	bool timed = i == 0 || c->sc->all_timed;
	struct gb_worker_slot *s;
	char what[64];
	int err;

	s = shared_alloc(sizeof(*s));
	if (!s)
		return start_failed(ct, i, -ENOMEM, why, whylen,
				    "mmap of a worker's shared state");
	ct->slot[i] = s;
	s->ctl = ct->ctl;
	s->w.cell = c;
	s->w.index = i;
	s->w.cpu = c->cpus[i];
	for (unsigned int k = 0; timed && gb_timed_ops(c->sc)[k]; k++) {
		s->w.hist[k] = shared_alloc(sizeof(struct gb_hist));
		if (!s->w.hist[k])
			return start_failed(ct, i + 1, -ENOMEM, why, whylen,
					    "mmap of a histogram");
		gb_hist_reset(s->w.hist[k]);
	}
	if (i > 0 && ct->processes) {
		err = fork_worker(s);
	} else {
		err = -pthread_create(&s->thread, NULL, gb_worker_main, s);
		s->started = !err;
	}
	if (!err)
		return 0;
	/* the barrier counts every worker: run none */
	snprintf(what, sizeof(what), "starting %s %u", worker_kind(ct, i), i);
	return start_failed(ct, i + 1, err, why, whylen, what);
}

/* Every worker bound and through worker_init?  0, or the first error. */
static int check_started(struct gb_cell_threads *ct, char *why,
			 size_t whylen)
{
	for (unsigned int i = 0; i < ct->nr; i++) {
		struct gb_worker *w = &ct->slot[i]->w;

		if (!w->err)
			continue;
		snprintf(why, whylen, "%s %s on CPU %u: %s",
			 i ? "contender" : "subject",
			 i && ct->processes ? "process" : "thread", w->cpu,
			 w->err == -EIO ? "bound but never seen running there" :
			 strerror(-w->err));
		return w->err;
	}
	return 0;
}

int gb_threads_start(struct gb_runner *run, struct gb_cell *c,
		     struct gb_cell_threads *ct, char *why, size_t whylen)
{
	int err;

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
		err = start_worker(c, ct, i, why, whylen);
		if (err)
			return err;
	}
	/* all bound and ready */
	if (main_wait(ct, &ct->ctl->end, READY_MARGIN_S)) {
		snprintf(why, whylen, "%s", ct->lost);
		return -GB_ERR_LOST;
	}
	note_pmu_status(run, ct);
	return check_started(ct, why, whylen);
}

int gb_threads_error(struct gb_cell_threads *ct, char *why, size_t whylen)
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
