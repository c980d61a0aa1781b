// SPDX-License-Identifier: GPL-2.0
/*
 * Per-trial metrics: what each phase's workers did, turned into named
 * values (latency percentiles, rates, PMU and lock counts per op) kept
 * until the trial finished, then added to the cell's series.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "measure/metrics.h"
#include "base/util.h"

/* threads whose rates are reported one by one */
#define GB_THREAD_RATES 8

double gb_quantile_ns(const struct gb_clock *clock, const struct gb_hist *h,
		      double q)
{
	return gb_ticks_to_ns(clock, gb_hist_quantile_interp(h, q,
						clock->resolution_ticks));
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



static void put(struct gb_trial_buf *tb, struct gb_cell *c, const char *unit,
		double v, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void put(struct gb_trial_buf *tb, struct gb_cell *c, const char *unit,
		double v, const char *fmt, ...)
{
	struct gb_pending *p;
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

static double thread_rate(const struct gb_cell_threads *ct, unsigned int i)
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
static void put_thread_rates(const struct gb_cell_threads *ct,
			     struct gb_cell *c, struct gb_trial_buf *tb,
			     unsigned int from, const char *name)
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

static const char *subject_rate(const struct gb_scenario *sc)
{
	return sc->subject_rate ? sc->subject_rate : "pairs_per_sec";
}

/*
 * Every thread ran the timed ops: percentiles over all their operations
 * pooled, and the total rate.  Thread 0's own stay the plain metrics.
 */
static void collect_all_timed(struct gb_runner *run, struct gb_cell_threads *ct,
			      struct gb_cell *c, struct gb_trial_buf *tb)
{
	const struct gb_scenario *sc = c->sc;
	struct gb_hist *pool = gb_zalloc(sizeof(*pool));
	double rate = 0;

	for (unsigned int k = 0; gb_timed_ops(sc)[k]; k++) {
		gb_hist_reset(pool);
		for (unsigned int i = 0; i < ct->nr; i++)
			gb_hist_merge(pool, ct->slot[i]->w.hist[k]);
		for (size_t q = 0; q < ARRAY_SIZE(quantiles); q++)
			put(tb, c, "ns", gb_quantile_ns(run->clock, pool,
							quantiles[q]),
			    "%s_latency_all_%s_ns", gb_timed_ops(sc)[k],
			    quantile_names[q]);
	}
	for (unsigned int i = 0; i < ct->nr; i++)
		rate += (double)ct->slot[i]->w.ops / ct->slot[i]->w.elapsed_s;
	put(tb, c, "ops/s", rate, "%s_total", subject_rate(sc));
	put_thread_rates(ct, c, tb, 0, subject_rate(sc));
	free(pool);
}

/*
 * The reference the subject timed after its loop (speedref.h), and the
 * guard ops' p50 above the syscall floor of the same trial: derived,
 * the guard path's own work with entry and exit taken out.
 */
static void collect_ref(struct gb_runner *run, struct gb_worker *w,
			struct gb_cell *c, struct gb_trial_buf *tb)
{
	const struct gb_scenario *sc = c->sc;

	put(tb, c, "ns", w->ref.syscall_ns, "ref_syscall_ns");
	put(tb, c, "ns", w->ref.loop_ns, "ref_loop_ns");
	tb->ref = w->ref;
	for (unsigned int k = 0; gb_timed_ops(sc)[k]; k++) {
		const char *op = gb_timed_ops(sc)[k];

		if (c->untimed || (strcmp(op, "install") &&
				   strcmp(op, "remove")))
			continue;
		put(tb, c, "ns", gb_quantile_ns(run->clock, w->hist[k], 0.5) -
			w->ref.syscall_ns,
		    "%s_latency_p50_above_syscall_ns", op);
	}
}

void gb_collect_subject(struct gb_runner *run, struct gb_cell_threads *ct,
			    struct gb_cell *c, struct gb_trial_buf *tb)
{
	struct gb_worker *w = &ct->slot[0]->w;
	const struct gb_scenario *sc = c->sc;

	for (unsigned int k = 0; gb_timed_ops(sc)[k] && !c->untimed; k++) {
		for (size_t q = 0; q < ARRAY_SIZE(quantiles); q++) {
			put(tb, c, "ns", gb_quantile_ns(run->clock, w->hist[k],
							quantiles[q]),
			    "%s_latency_%s_ns", gb_timed_ops(sc)[k],
			    quantile_names[q]);
		}
	}
	put(tb, c, "ops/s", (double)w->ops / w->elapsed_s, "%s",
	    subject_rate(sc));
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
double gb_collect_contenders(struct gb_cell_threads *ct, struct gb_cell *c,
				 struct gb_trial_buf *tb)
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
const char *gb_subject_unit(const struct gb_cell *c)
{
	return c->sc->subject_unit ? c->sc->subject_unit : "pair";
}

/* Its label in a summary row: "per pair", "per fork", ... */
static const char *subject_unit_label(const struct gb_cell *c)
{
	static const char *const labels[] = { "pair", "per pair", "fork",
		"per fork", "thread", "per thread", "cycle", "per cycle" };

	for (size_t i = 0; i < ARRAY_SIZE(labels); i += 2)
		if (!strcmp(labels[i], gb_subject_unit(c)))
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
void gb_collect_pmu(struct gb_runner *run, struct gb_cell_threads *ct,
			struct gb_cell *c, struct gb_trial_buf *tb)
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
					    gb_pmu_per_op(k, w->ops),
					    "%s_per_%s", base,
					    gb_subject_unit(c));
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

void gb_trial_commit(struct gb_runner *run, struct gb_trial_buf *tb,
			 unsigned int trial)
{
	for (size_t i = 0; i < tb->n; i++) {
		struct gb_pending *p = &tb->p[i];
		struct gb_series *s;

		s = series_get(p->cell, p->name, p->unit,
			       (size_t)run->cfg->trials);
		s->v[s->n++] = p->v;
		gb_results_trial(run->res, p->cell, trial, p->name, p->unit,
				 p->v);
	}
}

/* The reference's noise within the trial, for gb_speedref_moved(). */
void gb_keep_ref_noise(struct gb_cell *c, const struct gb_trial_buf *tb,
			   unsigned int trial, long trials)
{
	if (!c->ref_noise)
		c->ref_noise = gb_zalloc((size_t)trials *
					 sizeof(*c->ref_noise));
	c->ref_noise[trial][0] = tb->ref.syscall_noise;
	c->ref_noise[trial][1] = tb->ref.loop_noise;
	c->nr_ref_noise = trial + 1;
}

void gb_merge_hists(struct gb_cell_threads *ct, struct gb_cell *c)
{
	for (unsigned int k = 0; gb_timed_ops(c->sc)[k]; k++) {
		if (!c->merged[k]) {
			c->merged[k] = gb_zalloc(sizeof(struct gb_hist));
			gb_hist_reset(c->merged[k]);
		}
		gb_hist_merge(c->merged[k], ct->slot[0]->w.hist[k]);
	}
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

/* The lock-counting phase's counts per op: subject's, contenders' summed. */
void gb_collect_locks(struct gb_cell *c, const struct gb_cell_threads *ct)
{
	uint64_t sum[GB_NR_LOCK_EVENTS] = { 0 }, ops = 0;
	char per[48];

	put_locks(c, ct->slot[0]->w.locks, ct->slot[0]->w.ops,
		  gb_subject_unit(c), subject_unit_label(c));
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
}

const struct gb_series *gb_cell_series(const struct gb_cell *c,
				       const char *name)
{
	for (size_t i = 0; i < c->nr_series; i++)
		if (!strcmp(c->series[i].name, name))
			return &c->series[i];
	return NULL;
}

void gb_derive_vs_control(struct gb_runner *run, struct gb_cell *c)
{
	bool faults = c->sc->contenders_fault;
	const struct gb_series *with, *without;
	const char *vs = faults ? "fault_rate_vs_control" :
				  "contender_rate_vs_control";
	struct gb_series *s;
	char name[96];
	size_t n;

	if (faults)
		snprintf(name, sizeof(name), "faults_per_sec_total");
	else
		snprintf(name, sizeof(name), "%s_ops_per_sec_total",
			 c->sc->contender_role);
	with = gb_cell_series(c, name);
	without = gb_cell_series(c->control, name);
	n = with && without ? with->n : 0;
	if (without && without->n < n)
		n = without->n;
	if (!n)
		return;
	s = series_get(c, vs, "ratio", (size_t)run->cfg->trials);
	for (size_t t = 0; t < n; t++) {
		double v = without->v[t] > 0 ? with->v[t] / without->v[t] : 0;

		s->v[s->n++] = v;
		gb_results_trial(run->res, c, (unsigned int)t, vs, "ratio", v);
	}
}
