// SPDX-License-Identifier: GPL-2.0
/*
 * trials.tsv of a run directory read back: each trial's value grouped
 * into one series per cell x metric, (replicate, trial) rising, from
 * format 2 or from format 1 (before replicates).  The strict TSV reader
 * it goes through is in runfile_read.c.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "files/results.h"
#include "base/util.h"

/* Format 1, before replicates: read as one replicate. */
static const char *const trials_header_v1[] = {
	"scenario", "cell", "trial", "metric", "value", "unit", NULL
};

/*
 * Rows of one trial come cell by cell, metric by metric, so the series
 * a row belongs to is almost always the one after the last hit: look
 * there first and fall back to a scan.
 */
/* Columns of trials.tsv; format 1 lacks the replicate. */
struct trials_cols {
	int rep, trial, metric, value, unit;
};

static const struct trials_cols cols_v2 = { 2, 3, 4, 5, 6 };
static const struct trials_cols cols_v1 = { -1, 2, 3, 4, 5 };

static struct gb_trial_series *find_series(struct gb_trial_series *s,
					   size_t n, size_t *hint,
					   const struct gb_tsv *t,
					   const struct trials_cols *c)
{
	for (size_t k = 0; k < n; k++) {
		size_t i = (*hint + k) % n;

		if (!strcmp(s[i].metric, t->col[c->metric]) &&
		    !strcmp(s[i].cell, t->col[1]) &&
		    !strcmp(s[i].scenario, t->col[0])) {
			*hint = i + 1;
			return &s[i];
		}
	}
	return NULL;
}

static struct gb_trial_series *new_series(struct gb_trial_series **s,
					  size_t *n, size_t *cap,
					  struct gb_tsv *t,
					  const struct trials_cols *c, char *err,
					  size_t errlen)
{
	struct gb_trial_series *ts;

	if (*n == *cap) {
		*cap = *cap ? 2 * *cap : 64;
		*s = realloc(*s, *cap * sizeof(**s));
		if (!*s)
			gb_die(GB_EXIT_FAILURE, "out of memory");
	}
	ts = &(*s)[*n];
	memset(ts, 0, sizeof(*ts));
	if (gb_tsv_string(t, 0, ts->scenario, sizeof(ts->scenario), err,
			  errlen) ||
	    gb_tsv_string(t, 1, ts->cell, sizeof(ts->cell), err, errlen) ||
	    gb_tsv_string(t, (size_t)c->metric, ts->metric, sizeof(ts->metric),
			  err, errlen) ||
	    gb_tsv_string(t, (size_t)c->unit, ts->unit, sizeof(ts->unit), err,
			  errlen))
		return NULL;
	(*n)++;
	return ts;
}

/*
 * Append one trial's value: within a series (replicate, trial) must
 * rise, replicates from 1 up, trials from 1 up within each.
 */
static int add_trial(struct gb_trial_series *ts, struct gb_tsv *t,
		     const struct trials_cols *c, char *err, size_t errlen)
{
	double trial, v, rep = 1;

	if (gb_tsv_number(t, (size_t)c->trial, &trial, err, errlen) ||
	    gb_tsv_number(t, (size_t)c->value, &v, err, errlen) ||
	    (c->rep >= 0 && gb_tsv_number(t, (size_t)c->rep, &rep, err,
					  errlen)))
		return -1;
	if (trial < 1 || trial > 1e9 || trial != floor(trial))
		return gb_tsv_fail(t, err, errlen, "column %d: trial must be "
				   "an integer from 1 to 1e9", c->trial + 1);
	if (rep < 1 || rep > 1e6 || rep != floor(rep))
		return gb_tsv_fail(t, err, errlen, "column %d: replicate must "
				   "be an integer from 1 to 1e6", c->rep + 1);
	if ((unsigned long)rep < ts->last_rep ||
	    ((unsigned long)rep == ts->last_rep &&
	     (unsigned long)trial <= ts->last_trial))
		return gb_tsv_fail(t, err, errlen, "replicate %lu trial %lu "
				   "of %s %s %s comes after replicate %lu "
				   "trial %lu: duplicated or out of order",
				   (unsigned long)rep, (unsigned long)trial,
				   ts->scenario, ts->cell, ts->metric,
				   ts->last_rep, ts->last_trial);
	if (strcmp(ts->unit, t->col[c->unit]))
		return gb_tsv_fail(t, err, errlen, "unit '%.20s' differs from "
				   "'%s' earlier in %s %s", t->col[c->unit],
				   ts->unit, ts->cell, ts->metric);
	/* grows at powers of two: n values live in a buffer of 2^k >= n */
	if ((ts->n & (ts->n - 1)) == 0) {
		size_t cap = ts->n ? 2 * ts->n : 1;

		ts->v = realloc(ts->v, cap * sizeof(*ts->v));
		ts->rep = realloc(ts->rep, cap * sizeof(*ts->rep));
		if (!ts->v || !ts->rep)
			gb_die(GB_EXIT_FAILURE, "out of memory");
	}
	ts->v[ts->n] = v;
	ts->rep[ts->n++] = (unsigned int)rep;
	ts->last_rep = (unsigned long)rep;
	ts->last_trial = (unsigned long)trial;
	return 0;
}

long gb_trials_read(const char *path, struct gb_trial_series **series,
		    char *err, size_t errlen)
{
	struct gb_tsv *t = gb_zalloc(sizeof(*t));
	struct gb_trial_series *s = NULL, *ts;
	const struct trials_cols *c = &cols_v2;
	size_t n = 0, cap = 0, hint = 0;
	long ret = -1;
	int r;

	if (gb_tsv_open(t, path, gb_trials_header, err, errlen)) {
		char err1[1024];

		/* an older run: the same columns less the replicate */
		if (gb_tsv_open(t, path, trials_header_v1, err1, sizeof(err1)))
			goto out;
		c = &cols_v1;
	}
	while ((r = gb_tsv_next(t, err, errlen)) == 1) {
		ts = find_series(s, n, &hint, t, c);
		if (!ts) {
			ts = new_series(&s, &n, &cap, t, c, err, errlen);
			if (!ts)
				goto out;
			hint = n;
		}
		if (add_trial(ts, t, c, err, errlen))
			goto out;
	}
	if (r == 0)
		ret = (long)n;
out:
	gb_tsv_close(t);
	free(t);
	if (ret < 0) {
		gb_trials_free(s, (long)n);
		s = NULL;
	}
	*series = s;
	return ret;
}

void gb_trials_free(struct gb_trial_series *series, long n)
{
	for (long i = 0; i < n; i++) {
		free(series[i].v);
		free(series[i].rep);
	}
	free(series);
}
