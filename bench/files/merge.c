// SPDX-License-Identifier: GPL-2.0
/*
 * Merge replicates: each replicate is an ordinary run directory, read
 * back through the strict readers (gb_run_load).  Its values go into
 * the parent's plan cells, pooled over replicates, so the parent's
 * summary.tsv, summary.txt and hist/ are written by the same code as a
 * single run's; trials.tsv carries each value's replicate and trial.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "files/merge.h"
#include "files/run_dir.h"
#include "measure/scenario.h"
#include "base/util.h"

/* Where each pooled value came from: trials.tsv's two columns. */
struct origin {
	unsigned int *replicate;
	unsigned int *trial;
};

static const char *const hist_header[] = {
	"latency_ns", "count", "cumulative_fraction", NULL
};

static long find_cell(const struct gb_merge *m, const char *scenario,
		      const char *label)
{
	for (size_t i = 0; i < m->nr_cells; i++) {
		const struct gb_cell *c = m->cells[i];

		if (!strcmp(c->label, label) && !strcmp(c->sc->name, scenario))
			return (long)i;
	}
	return -1;
}

static long find_or_add(struct gb_cell *c, const struct gb_summary_row *row)
{
	struct gb_series *s;

	for (size_t i = 0; i < c->nr_series; i++)
		if (!strcmp(c->series[i].name, row->metric))
			return (long)i;
	if (c->nr_series == GB_MAX_METRICS)
		return -1;
	s = &c->series[c->nr_series];
	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "%s", row->metric);
	s->unit = gb_strdup(row->unit);
	return (long)c->nr_series++;
}

static void *grow(void *p, size_t n, size_t size)
{
	p = realloc(p, n * size);
	if (!p)
		gb_die(GB_EXIT_FAILURE, "out of memory merging replicates");
	return p;
}

static void append(struct gb_series *s, struct origin *o, double v,
		   unsigned int replicate, unsigned int trial)
{
	s->v = grow(s->v, s->n + 1, sizeof(*s->v));
	o->replicate = grow(o->replicate, s->n + 1, sizeof(unsigned int));
	o->trial = grow(o->trial, s->n + 1, sizeof(unsigned int));
	s->v[s->n] = v;
	o->replicate[s->n] = replicate;
	o->trial[s->n] = trial;
	s->n++;
}

static int pool_values(struct gb_merge *m, const struct gb_run *run,
		       unsigned int replicate,
		       struct origin *origins, char *err, size_t errlen)
{
	for (size_t i = 0; i < run->nr_rows; i++) {
		const struct gb_run_row *row = &run->rows[i];
		long ci = find_cell(m, row->sum->scenario, row->sum->cell);
		long si;
		struct gb_cell *c;

		if (ci < 0 && m->skip_unplanned) {
			m->unplanned++;
			continue;
		}
		if (ci < 0) {
			snprintf(err, errlen, "%s: cell '%s %s' is not in this "
				 "run's plan: remove the directory, it ran "
				 "other options", run->dir, row->sum->scenario,
				 row->sum->cell);
			return -1;
		}
		c = m->cells[ci];
		si = find_or_add(c, row->sum);
		if (si < 0)
			continue;
		for (size_t k = 0; k < row->n; k++)
			append(&c->series[si],
			       &origins[(size_t)ci * GB_MAX_METRICS +
					(size_t)si],
			       row->v[k], replicate, (unsigned int)k + 1);
		c->status = GB_CELL_DONE;
	}
	return 0;
}

/* Add a replicate's hist file (ns) to @h (ticks of this run's timer). */
static int add_hist(struct gb_hist *h, const char *path, double ns_per_tick,
		    char *err, size_t errlen)
{
	struct gb_tsv *t = gb_zalloc(sizeof(*t));
	int r;

	if (gb_tsv_open(t, path, hist_header, err, errlen)) {
		free(t);
		return -1;
	}
	while ((r = gb_tsv_next(t, err, errlen)) == 1) {
		double ns, count;
		uint64_t tick, lo, width, n;
		unsigned int b;

		if (gb_tsv_number(t, 0, &ns, err, errlen) ||
		    gb_tsv_number(t, 1, &count, err, errlen)) {
			r = -1;
			break;
		}
		/* the bucket's midpoint is at least half a tick inside it */
		tick = (uint64_t)llround(ns / ns_per_tick);
		b = gb_hist_index(tick);
		gb_hist_bucket_range(b, &lo, &width);
		n = (uint64_t)count;
		h->bucket[b] += n;
		h->count += n;
		h->sum += (double)n * ((double)lo + (double)(width - 1) / 2);
		if (lo < h->min)
			h->min = lo;
		if (lo + width - 1 > h->max)
			h->max = lo + width - 1;
	}
	gb_tsv_close(t);
	free(t);
	return r < 0 ? -1 : 0;
}

static int pool_hists(struct gb_merge *m, const struct gb_run *run,
		      char *err, size_t errlen)
{
	const char *v = gb_meta_get(&run->meta, "timer_ns_per_tick");
	double npt = v ? atof(v) : 0;

	if (!(npt > 0)) {
		snprintf(err, errlen, "%s/meta.txt: no timer_ns_per_tick: "
			 "re-run the replicate", run->dir);
		return -1;
	}
	for (size_t i = 0; i < m->nr_cells; i++) {
		struct gb_cell *c = m->cells[i];

		for (int k = 0; k < GB_MAX_TIMED_OPS && gb_timed_ops(c->sc)[k];
		     k++) {
			char name[512], *path;
			int ret = 0;

			gb_hist_file_name(name, sizeof(name), c,
					  gb_timed_ops(c->sc)[k]);
			path = gb_asprintf("%s/%s", run->dir, name);
			if (!access(path, F_OK)) {
				if (!c->merged[k]) {
					c->merged[k] = gb_zalloc(
						sizeof(*c->merged[k]));
					gb_hist_reset(c->merged[k]);
				}
				ret = add_hist(c->merged[k], path, npt, err,
					       errlen);
			}
			free(path);
			if (ret)
				return ret;
		}
	}
	return 0;
}

static void write_trials(const struct gb_merge *m, struct gb_results *res,
			 struct origin *origins)
{
	for (size_t i = 0; i < m->nr_cells; i++) {
		const struct gb_cell *c = m->cells[i];

		for (size_t j = 0; j < c->nr_series; j++) {
			const struct gb_series *s = &c->series[j];
			const struct origin *o =
				&origins[i * GB_MAX_METRICS + j];

			for (size_t k = 0; k < s->n; k++)
				gb_results_trial_row(res, c->sc->name,
						     c->label, o->replicate[k],
						     o->trial[k], s->name,
						     s->unit, s->v[k]);
		}
	}
}

/* The first replicate read gives the meta, timer and cells.tsv. */
static int first_run(struct gb_merge *m, const struct gb_run *run,
		     char *err, size_t errlen)
{
	const char *v = gb_meta_get(&run->meta, "timer_ns_per_tick");

	m->ns_per_tick = v ? atof(v) : 0;
	if (!(m->ns_per_tick > 0)) {
		snprintf(err, errlen, "%s/meta.txt: no timer_ns_per_tick: "
			 "re-run the replicate", run->dir);
		return -1;
	}
	for (size_t i = 0; i < run->meta.n; i++)
		gb_meta_set(&m->meta, run->meta.key[i], "%s",
			    run->meta.val[i]);
	snprintf(m->cells_tsv, sizeof(m->cells_tsv), "%s/cells.tsv", run->dir);
	return 0;
}

static int merge_one(struct gb_merge *m, const char *dir,
		     unsigned int replicate, bool first,
		     struct origin *origins, char *err, size_t errlen)
{
	struct gb_run *run = gb_zalloc(sizeof(*run));
	int ret = gb_run_load(run, dir, err, errlen);

	if (!ret && first)
		ret = first_run(m, run, err, errlen);
	if (!ret)
		ret = pool_values(m, run, replicate, origins, err, errlen);
	if (!ret)
		ret = pool_hists(m, run, err, errlen);
	gb_run_free(run);
	free(run);
	return ret;
}

int gb_merge_dirs(struct gb_merge *m, struct gb_results *res,
		  char *const *dirs, const unsigned int *replicates,
		  size_t nr, char *err, size_t errlen)
{
	size_t nr_origins = m->nr_cells * GB_MAX_METRICS;
	struct origin *origins = gb_zalloc(nr_origins * sizeof(*origins));
	int ret = 0;

	for (size_t i = 0; i < m->nr_cells; i++)
		m->cells[i]->emulate_write_lock = m->emulated;
	for (size_t r = 0; r < nr && !ret; r++)
		ret = merge_one(m, dirs[r], replicates[r], r == 0, origins,
				err, errlen);
	for (size_t i = 0; i < m->nr_cells; i++) {
		struct gb_cell *c = m->cells[i];

		if (c->status == GB_CELL_PENDING && !c->is_control) {
			c->status = GB_CELL_SKIPPED;
			snprintf(c->reason, sizeof(c->reason), "no merged "
				 "replicate has it: see "
				 "replicates/*/cells.tsv");
		}
	}
	if (!ret)
		write_trials(m, res, origins);
	for (size_t i = 0; i < nr_origins; i++) {
		free(origins[i].replicate);
		free(origins[i].trial);
	}
	free(origins);
	return ret;
}

void gb_merge_reset(struct gb_merge *m)
{
	for (size_t i = 0; i < m->nr_cells; i++) {
		struct gb_cell *c = m->cells[i];

		for (size_t k = 0; k < c->nr_series; k++) {
			free(c->series[k].v);
			free((char *)c->series[k].unit);
		}
		c->nr_series = 0;
		for (int k = 0; k < GB_MAX_TIMED_OPS; k++) {
			free(c->merged[k]);
			c->merged[k] = NULL;
		}
		c->status = GB_CELL_PENDING;
		c->reason[0] = '\0';
	}
	gb_meta_free(&m->meta);
	m->cells_tsv[0] = '\0';
}
