// SPDX-License-Identifier: GPL-2.0
/*
 * Read a run directory back.  Every byte goes through the strict
 * readers; this file only decides which files a run must have and
 * that summary.tsv and trials.tsv tell the same story.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "files/run_dir.h"
#include "base/stats.h"
#include "base/util.h"

/* Does @dir hold <release>/<run>/meta.txt, i.e. is it a results root? */
static bool holds_runs(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	bool found = false;

	if (!d)
		return false;
	while (!found && (de = readdir(d))) {
		char *sub;
		DIR *s;
		struct dirent *run;

		if (de->d_name[0] == '.')
			continue;
		sub = gb_asprintf("%s/%s", dir, de->d_name);
		s = opendir(sub);
		while (s && !found && (run = readdir(s))) {
			char *meta;

			if (run->d_name[0] == '.')
				continue;
			meta = gb_asprintf("%s/%s/meta.txt", sub, run->d_name);
			found = !access(meta, R_OK);
			free(meta);
		}
		if (s)
			closedir(s);
		free(sub);
	}
	closedir(d);
	return found;
}

/* Why a directory without meta.txt is not a run, and what to give. */
static int not_a_run(const char *dir, char *err, size_t errlen)
{
	const char *why = NULL;
	struct stat st;

	if (stat(dir, &st))
		why = errno == ENOENT ? "no such directory" : strerror(errno);
	else if (!S_ISDIR(st.st_mode))
		why = "not a directory";
	if (why)
		snprintf(err, errlen, "%s: %s: give a run directory, "
			 "results/<kernel-release>/<host>-<UTC time>/", dir,
			 why);
	else if (holds_runs(dir))
		snprintf(err, errlen, "%s holds runs, it is not one: give "
			 "%s/<kernel-release>/<host>-<UTC time>/", dir, dir);
	else
		snprintf(err, errlen, "%s: no meta.txt: not a guard-bench "
			 "run directory (a run is results/<kernel-release>/"
			 "<host>-<UTC time>/)", dir);
	return -1;
}

/* "results/6.19/box-2026...Z/" -> "6.19/box-2026...Z" */
static void short_name(const char *dir, char *name, size_t len)
{
	char *copy = gb_strdup(dir), *last, *prev;
	size_t n = strlen(copy);

	while (n > 1 && copy[n - 1] == '/')
		copy[--n] = '\0';
	last = strrchr(copy, '/');
	if (!last) {
		snprintf(name, len, "%s", copy);
	} else {
		*last = '\0';
		prev = strrchr(copy, '/');
		snprintf(name, len, "%s/%s", prev ? prev + 1 : copy, last + 1);
	}
	free(copy);
}

/* Trial series by name: an open-addressing table over r->trials. */
struct series_index {
	size_t *slot;
	size_t size;
};

static size_t series_slot(const struct gb_run *r,
			  const struct series_index *x, const char *scenario,
			  const char *cell, const char *metric)
{
	size_t mask = x->size - 1;
	size_t i = gb_row_hash(scenario, cell, metric) & mask;

	while (x->slot[i] != SIZE_MAX) {
		const struct gb_trial_series *t = &r->trials[x->slot[i]];

		if (!strcmp(t->metric, metric) && !strcmp(t->cell, cell) &&
		    !strcmp(t->scenario, scenario))
			break;
		i = (i + 1) & mask;
	}
	return i;
}

static void series_index_build(const struct gb_run *r,
			       struct series_index *x)
{
	x->size = 16;
	while (x->size <= 2 * (size_t)r->nr_trials)
		x->size *= 2;
	x->slot = gb_zalloc(x->size * sizeof(*x->slot));
	memset(x->slot, 0xff, x->size * sizeof(*x->slot));
	for (long i = 0; i < r->nr_trials; i++) {
		const struct gb_trial_series *t = &r->trials[i];

		x->slot[series_slot(r, x, t->scenario, t->cell, t->metric)] =
			(size_t)i;
	}
}

static struct gb_trial_series *find_trials(struct gb_run *r,
					   const struct series_index *x,
					   const struct gb_summary_row *s)
{
	size_t k = series_slot(r, x, s->scenario, s->cell, s->metric);

	return x->slot[k] == SIZE_MAX ? NULL : &r->trials[x->slot[k]];
}

/*
 * summary.tsv prints the median compare shows beside its test: it must
 * be the median of the values the test reads.  Both are written with
 * ten significant digits, so allow for that rounding.
 */
static bool median_disagrees(const struct gb_summary_row *s,
			     const struct gb_trial_series *t)
{
	double m = gb_median(t->v, t->n);

	return fabs(m - s->s.median) > 1e-8 * fmax(fabs(m), 1e-300) + 1e-12;
}

/*
 * Each summary row with n > 1 must have exactly n trials, and every
 * trial series a summary row: a mismatch means one of the two files
 * was edited or truncated, and a verdict drawn from it would be wrong.
 */
static int match_trials(struct gb_run *r, char *err, size_t errlen)
{
	size_t matched = 0;
	struct series_index x;
	int ret = -1;

	series_index_build(r, &x);
	r->rows = gb_zalloc(r->nr_summary * sizeof(*r->rows));
	r->nr_rows = r->nr_summary;
	for (size_t i = 0; i < r->nr_summary; i++) {
		const struct gb_summary_row *s = &r->summary[i];
		struct gb_trial_series *t = find_trials(r, &x, s);

		r->rows[i].sum = s;
		if (!t && s->s.n == 1) {
			static const unsigned int first = 1;

			r->rows[i].v = &s->s.median;
			r->rows[i].rep = &first;
			r->rows[i].n = 1;
			continue;
		}
		if (!t || t->n != s->s.n) {
			snprintf(err, errlen, "%s/trials.tsv has %zu trials of "
				 "%s %s %s where summary.tsv says n = %zu: the "
				 "run is inconsistent; re-run it", r->dir,
				 t ? t->n : 0, s->scenario, s->cell, s->metric,
				 s->s.n);
			goto out;
		}
		if (median_disagrees(s, t)) {
			snprintf(err, errlen, "%s: summary.tsv says the median "
				 "of %s %s %s is %.10g, its %zu values in "
				 "trials.tsv give %.10g: one file was edited or "
				 "is corrupt; re-run it", r->dir, s->scenario,
				 s->cell, s->metric, s->s.median, t->n,
				 gb_median(t->v, t->n));
			goto out;
		}
		r->rows[i].v = t->v;
		r->rows[i].rep = t->rep;
		r->rows[i].n = t->n;
		matched++;
	}
	if (matched != (size_t)r->nr_trials) {
		snprintf(err, errlen, "%s/trials.tsv has %ld cell x metric "
			 "series, summary.tsv lists %zu of them: the run is "
			 "inconsistent; re-run it", r->dir, r->nr_trials,
			 matched);
		goto out;
	}
	ret = 0;
out:
	free(x.slot);
	return ret;
}

static int load_files(struct gb_run *r, char *err, size_t errlen)
{
	char *path = gb_asprintf("%s/meta.txt", r->dir), why[1024];
	long n;
	int ret = -1;

	if (access(path, F_OK))
		goto out_not_run;
	if (gb_meta_read(&r->meta, path, why, sizeof(why)))
		goto out_corrupt;
	free(path);
	path = gb_asprintf("%s/summary.tsv", r->dir);
	n = gb_summary_read(path, &r->summary, why, sizeof(why));
	if (n < 0)
		goto out_corrupt;
	r->nr_summary = (size_t)n;
	if (n == 0) {
		snprintf(err, errlen, "%s: no results (no rows): nothing to "
			 "compare; re-run guard-bench run", path);
		goto out;
	}
	free(path);
	path = gb_asprintf("%s/trials.tsv", r->dir);
	r->nr_trials = gb_trials_read(path, &r->trials, why, sizeof(why));
	if (r->nr_trials < 0) {
		r->nr_trials = 0;
		goto out_corrupt;
	}
	ret = match_trials(r, err, errlen);
	if (!ret)
		ret = gb_run_index(r, err, errlen);
	goto out;

out_not_run:
	ret = not_a_run(r->dir, err, errlen);
	goto out;
out_corrupt:
	snprintf(err, errlen, "%s: fix or remove this run", why);
out:
	free(path);
	return ret;
}

int gb_run_load(struct gb_run *r, const char *dir, char *err,
		size_t errlen)
{
	memset(r, 0, sizeof(*r));
	r->dir = dir;
	short_name(dir, r->name, sizeof(r->name));
	if (load_files(r, err, errlen)) {
		gb_run_free(r);
		return -1;
	}
	return 0;
}

void gb_run_free(struct gb_run *r)
{
	gb_meta_free(&r->meta);
	free(r->summary);
	gb_trials_free(r->trials, r->nr_trials);
	free(r->rows);
	free(r->index);
	r->index = NULL;
	r->index_size = 0;
	r->summary = NULL;
	r->trials = NULL;
	r->rows = NULL;
	r->nr_summary = r->nr_rows = 0;
	r->nr_trials = 0;
}

bool gb_row_is(const struct gb_summary_row *s, const char *scenario,
	       const char *cell, const char *metric)
{
	return (!metric || !strcmp(s->metric, metric)) &&
	       !strcmp(s->cell, cell) && !strcmp(s->scenario, scenario);
}

uint64_t gb_row_hash(const char *scenario, const char *cell,
		     const char *metric)
{
	const char *parts[] = { scenario, "\t", cell, "\t", metric };
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < ARRAY_SIZE(parts); i++)
		for (const char *c = parts[i]; *c; c++)
			h = (h ^ (unsigned char)*c) * 0x100000001b3ULL;
	return h;
}

/* Slot of the row named so, or of the empty slot where it would go. */
static size_t index_slot(const struct gb_run *r, const char *scenario,
			 const char *cell, const char *metric)
{
	size_t mask = r->index_size - 1;
	size_t i = gb_row_hash(scenario, cell, metric) & mask;

	while (r->index[i] != SIZE_MAX &&
	       !gb_row_is(r->rows[r->index[i]].sum, scenario, cell, metric))
		i = (i + 1) & mask;
	return i;
}

int gb_run_index(struct gb_run *r, char *err, size_t errlen)
{
	r->index_size = 16;
	while (r->index_size <= 2 * r->nr_rows)
		r->index_size *= 2;
	r->index = gb_zalloc(r->index_size * sizeof(*r->index));
	memset(r->index, 0xff, r->index_size * sizeof(*r->index));
	for (size_t i = 0; i < r->nr_rows; i++) {
		const struct gb_summary_row *s = r->rows[i].sum;
		size_t k = index_slot(r, s->scenario, s->cell, s->metric);

		if (r->index[k] != SIZE_MAX) {
			snprintf(err, errlen, "%s/summary.tsv lists %s %s %s "
				 "twice: the run is corrupt; re-run it",
				 r->dir, s->scenario, s->cell, s->metric);
			return -1;
		}
		r->index[k] = i;
		for (size_t j = 0; j < r->rows[i].n; j++)
			if (r->rows[i].rep[j] > r->nr_replicates)
				r->nr_replicates = r->rows[i].rep[j];
	}
	return 0;
}

const struct gb_run_row *gb_run_find(const struct gb_run *r,
				     const char *scenario, const char *cell,
				     const char *metric)
{
	size_t k;

	if (!r->index)
		return NULL;
	k = index_slot(r, scenario, cell, metric);
	return r->index[k] == SIZE_MAX ? NULL : &r->rows[r->index[k]];
}

const char *gb_run_meta(const struct gb_run *r, const char *key)
{
	const char *v = gb_meta_get(&r->meta, key);

	return v ? v : "?";
}

bool gb_run_emulated(const struct gb_run *r)
{
	const char *v = gb_meta_get(&r->meta, "emulation");

	return v && strcmp(v, "none");
}

bool gb_run_complete(const struct gb_run *r)
{
	const char *v = gb_meta_get(&r->meta, "complete");

	return v && !strcmp(v, "yes");
}
