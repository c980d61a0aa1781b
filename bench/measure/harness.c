// SPDX-License-Identifier: GPL-2.0
/*
 * The harness: the trial loop.  For each planned cell in run order:
 * set-up, its workers (threads.c, worker.c), warm-up, the trials with
 * their control phases, the lock-counting phase and teardown; then the
 * scenarios' derive step across cells.  Metrics: metrics.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "measure/harness.h"
#include "measure/metrics.h"
#include "measure/threads.h"
#include "base/util.h"

/* trials redone when the subject completed no op, per cell */
#define GB_IDLE_RETRIES 5

volatile sig_atomic_t gb_signalled;

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

static void progress(struct gb_runner *run, struct gb_cell *c, size_t idx,
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

/*
 * Lock accounting: one more phase with the tracepoint counters open.
 * Tracepoints cost every lock acquisition a little, so this phase's
 * timings are thrown away; only the counts per op are kept (n = 1).
 */
static int count_locks(struct gb_runner *run, struct gb_cell *c,
		       struct gb_cell_threads *ct, char *why, size_t whylen)
{
	int ret;

	if (!run->lock_ids || !run->lock_ids->ok) {
		snprintf(c->locks_na, sizeof(c->locks_na), "%s",
			 run->lock_ids ? run->lock_ids->why :
			 "not asked for");
		return 0;
	}
	if (!gb_threads_phase(ct, true, true, run->cfg->duration_s))
		return -EINTR;
	run->spent_s += run->cfg->duration_s;
	ret = gb_threads_error(ct, why, whylen);
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
	gb_collect_locks(c, ct);
	return 0;
}

/* A trial whose subject completed nothing: measured nothing, run again */
#define GB_TRIAL_IDLE 1

/*
 * The phases of trial @t, into @tb: the cell's, and its control's in
 * ABBA order against drift.  0, GB_TRIAL_IDLE, -EINTR or -errno.
 */
static int run_trial(struct gb_runner *run, struct gb_cell *c,
		     struct gb_cell_threads *ct, unsigned int t,
		     struct gb_trial_buf *tb, char *why, size_t whylen)
{
	for (unsigned int ph = 0; ph < gb_cell_phases(c); ph++) {
		bool active = !c->control || (ph == (t & 1));
		bool ok;
		int ret;

		ok = gb_threads_phase(ct, active, false, run->cfg->duration_s);
		run->spent_s += run->cfg->duration_s;
		ret = gb_threads_error(ct, why, whylen);
		if (!ok || ret)
			return ok ? ret : -EINTR;
		/*
		 * No subject op in a whole phase (it never got its CPU, or
		 * one op outlasted the phase): nothing was measured, and 0
		 * is no latency.
		 */
		if (active && !ct->slot[0]->w.ops)
			return GB_TRIAL_IDLE;
		if (active) {
			gb_collect_subject(run, ct, c, tb);
			gb_collect_contenders(ct, c, tb);
			gb_collect_pmu(run, ct, c, tb);
			gb_merge_hists(ct, c);
		} else {
			gb_collect_contenders(ct, c->control, tb);
		}
	}
	return 0;
}

/* Trials of one cell (and its control).  0, -EINTR or -errno. */
static int run_trials(struct gb_runner *run, struct gb_cell *c,
		      struct gb_cell_threads *ct, size_t idx, char *why,
		      size_t whylen)
{
	const struct gb_config *cfg = run->cfg;
	struct gb_trial_buf *tb = gb_zalloc(sizeof(*tb));
	unsigned int idle_trials = 0;
	int ret = -EINTR;

	if (!gb_threads_phase(ct, true, false, cfg->warmup_s))
		goto out;
	run->spent_s += cfg->warmup_s;
	ret = gb_threads_error(ct, why, whylen);
	for (unsigned int t = 0; !ret && t < (unsigned int)cfg->trials; t++) {
		progress(run, c, idx, t);
		tb->n = 0;
		ret = run_trial(run, c, ct, t, tb, why, whylen);
		if (ret == GB_TRIAL_IDLE && ++idle_trials > GB_IDLE_RETRIES) {
			snprintf(why, whylen, "the subject completed no %s in "
				 "%u phases of %.3f s: the machine is too busy "
				 "or the trials too short (raise --duration)",
				 gb_subject_unit(c), idle_trials,
				 cfg->duration_s);
			ret = -EAGAIN;
		} else if (ret == GB_TRIAL_IDLE) {
			t--;	/* the same trial again (wraps, then ++) */
			ret = 0;
		} else if (!ret) {
			gb_trial_commit(run, tb, t);
			gb_keep_ref_noise(c, tb, t, cfg->trials);
			if (gb_results_flush(run->res, why, whylen))
				ret = -EIO;
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

static void assign_cpus(struct gb_runner *run, struct gb_cell *c)
{
	c->cpus[0] = run->topo->subject_cpu;
	for (unsigned int i = 0; i < c->nr_contenders; i++)
		c->cpus[i + 1] =
			run->placement_cpus[i % run->nr_placement_cpus];
	if (c->control)
		memcpy(c->control->cpus, c->cpus, sizeof(c->cpus));
}

/*
 * The derive step: values across cells, once every cell that could run
 * has run (in whatever order).  Each cell's ratio to its control, for
 * every trial it finished; then the scenarios' own, for done cells.
 */
static void derive_all(struct gb_runner *run)
{
	for (size_t i = 0; i < run->plan->nr; i++) {
		struct gb_cell *c = run->plan->cells[i];

		if (c->control)
			gb_derive_vs_control(run, c);
		if (c->sc->derive && c->status == GB_CELL_DONE)
			c->sc->derive(c);
	}
}

/* The scenario's teardown, if any; then its per-cell state is freed. */
static void teardown(struct gb_cell *c)
{
	if (c->sc->teardown && c->priv)
		c->sc->teardown(c);
	free(c->priv);
	c->priv = NULL;
	gb_slots_release(&c->slots);
}

/*
 * One cell: set-up, its workers, the trials, teardown.  0 (done or
 * skipped), or what ends the run, with @why.
 */
static int run_cell(struct gb_runner *run, struct gb_cell *c, size_t k,
		    char *why, size_t whylen)
{
	struct gb_cell_threads ct;
	char cwhy[256] = "";
	int r;

	assign_cpus(run, c);
	c->emulate_write_lock = run->cfg->emulate &&
				!strcmp(run->cfg->emulate, "write-lock");
	r = c->sc->setup(c, run->cfg, cwhy, sizeof(cwhy));
	if (r)
		teardown(c);	/* what a failed setup() made so far */
	if (r == GB_SKIP) {
		mark(c, GB_CELL_SKIPPED, cwhy);
		gb_note("%s %s: skipped: %s", c->sc->name, c->label, cwhy);
		run->planned_s -= gb_cell_estimate(run->cfg, c);
		return 0;
	}
	if (r) {
		snprintf(why, whylen, "%s %s: %s", c->sc->name, c->label,
			 cwhy);
		mark(c, GB_CELL_PARTIAL, cwhy);
		return r;
	}
	r = gb_threads_start(run, c, &ct, cwhy, sizeof(cwhy));
	if (!r)
		r = run_trials(run, c, &ct, k, cwhy, sizeof(cwhy));
	/* a thread that would not stop keeps the cell's memory */
	if (gb_threads_stop(&ct))
		teardown(c);
	/* a signal explains a late worker; otherwise it is lost */
	if (ct.lost[0] && gb_signalled) {
		r = -EINTR;
	} else if (ct.lost[0]) {
		r = -GB_ERR_LOST;
		snprintf(cwhy, sizeof(cwhy), "%s", ct.lost);
	}
	mark(c, r ? GB_CELL_PARTIAL : GB_CELL_DONE, !r ? "" :
	     r == -EINTR ? "interrupted: finished trials kept" : cwhy);
	if (r && r != -EINTR)
		snprintf(why, whylen, "%s %s: %s", c->sc->name, c->label,
			 cwhy);
	return r;
}

int gb_run_cells(struct gb_runner *run, char *why, size_t whylen)
{
	char scratch[256];
	int ret = 0;

	run->started = gb_mono_sec();
	run->planned_s = gb_plan_estimate(run->plan, run->cfg);
	for (size_t k = 0; k < run->plan->nr && !ret; k++) {
		size_t i = run->order ? run->order[k] : k;
		struct gb_cell *c = run->plan->cells[i];

		if (c->is_control)
			continue;
		if (gb_signalled) {
			ret = -EINTR;
			break;
		}
		ret = run_cell(run, c, k, why, whylen);
	}
	derive_all(run);
	/* the first error's words stay in @why */
	if (!ret && gb_results_flush(run->res, why, whylen))
		ret = -EIO;
	else if (ret)
		gb_results_flush(run->res, scratch, sizeof(scratch));
	if (isatty(STDERR_FILENO))
		fprintf(stderr, "\r\033[K");
	return ret;
}
