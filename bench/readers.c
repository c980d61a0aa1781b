// SPDX-License-Identifier: GPL-2.0
/*
 * Readers for the files of a run directory.  Everything compare and
 * trend will trust goes through here, so each rejects what it does not
 * expect with "file:line: reason" instead of guessing.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "results.h"
#include "util.h"

/* Format 2: trials nest in replicates (independent re-execs). */
const char *const gb_trials_header[] = {
	"scenario", "cell", "replicate", "trial", "metric", "value", "unit",
	NULL
};
/* Format 1, before replicates: read as one replicate. */
static const char *const trials_header_v1[] = {
	"scenario", "cell", "trial", "metric", "value", "unit", NULL
};
const char *const gb_summary_header[] = {
	"scenario", "cell", "metric", "unit", "n", "median", "min", "max",
	"mean", "stddev", "cv", NULL
};
const char *const gb_cells_header[] = {
	"scenario", "cell", "status", "threads", "cpus", "relations",
	"reason", NULL
};

static int fail(char *err, size_t errlen, const char *path,
		unsigned long line, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static int fail(char *err, size_t errlen, const char *path,
		unsigned long line, const char *fmt, ...)
{
	int n = snprintf(err, errlen, "%s:%lu: ", path, line);
	va_list ap;

	if (n < 0 || (size_t)n >= errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

/*
 * Read one line into @buf.  1: a line; 0: EOF; -1: error (too long,
 * NUL byte, no final newline).
 */
static int read_line(FILE *f, char *buf, size_t cap, const char *path,
		     unsigned long line, char *err, size_t errlen)
{
	size_t len;

	if (!fgets(buf, (int)cap, f))
		return ferror(f) ? fail(err, errlen, path, line,
					"read error: %s", strerror(errno)) : 0;
	len = strlen(buf);
	if (len == 0 || buf[len - 1] != '\n') {
		if (len + 1 == cap)
			return fail(err, errlen, path, line,
				    "line longer than %d bytes", GB_MAX_LINE);
		return fail(err, errlen, path, line,
			    "truncated line (no newline at end of file)");
	}
	buf[len - 1] = '\0';
	for (size_t i = 0; i + 1 < len; i++) {
		unsigned char ch = (unsigned char)buf[i];

		if (ch < 0x20 && ch != '\t')
			return fail(err, errlen, path, line,
				    "control byte 0x%02x: binary data", ch);
	}
	return 1;
}

/* fgets cannot report an embedded NUL; find it by scanning raw. */
static int check_binary(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	unsigned long line = 1;
	long off = 0;
	int ch;

	if (!f)
		return 0;	/* the caller's fopen reports it */
	while ((ch = getc(f)) != EOF) {
		if (ch == 0) {
			fclose(f);
			return fail(err, errlen, path, line,
				    "NUL byte at offset %ld: binary data", off);
		}
		line += ch == '\n';
		off++;
	}
	fclose(f);
	return 0;
}

static bool valid_key(const char *k)
{
	if (!*k)
		return false;
	for (; *k; k++)
		if (!((*k >= 'a' && *k <= 'z') || (*k >= '0' && *k <= '9') ||
		      *k == '_'))
			return false;
	return true;
}

int gb_meta_read(struct gb_meta *m, const char *path, char *err,
		 size_t errlen)
{
	char *buf = gb_zalloc(GB_MAX_LINE + 2);
	unsigned long line = 0;
	const char *ver;
	int ret = -1, r;
	FILE *f;

	memset(m, 0, sizeof(*m));
	if (check_binary(path, err, errlen))
		goto out_free;
	f = fopen(path, "r");
	if (!f) {
		fail(err, errlen, path, 0, "cannot open: %s", strerror(errno));
		goto out_free;
	}
	while ((r = read_line(f, buf, GB_MAX_LINE + 2, path, ++line, err,
			      errlen)) == 1) {
		char *sep = strstr(buf, ": ");
		size_t len = strlen(buf);

		if (!sep && len && buf[len - 1] == ':')
			sep = buf + len - 1;	/* "key:" with an empty value */
		if (!sep) {
			fail(err, errlen, path, line,
			     "not a 'key: value' line");
			goto out_close;
		}
		*sep = '\0';
		if (!valid_key(buf)) {
			fail(err, errlen, path, line,
			     "bad key '%s' (want [a-z0-9_]+)", buf);
			goto out_close;
		}
		if (gb_meta_get(m, buf)) {
			fail(err, errlen, path, line, "duplicate key '%s'",
			     buf);
			goto out_close;
		}
		if (m->n == ARRAY_SIZE(m->key)) {
			fail(err, errlen, path, line, "more than %zu keys",
			     ARRAY_SIZE(m->key));
			goto out_close;
		}
		m->key[m->n] = gb_strdup(buf);
		m->val[m->n++] = gb_strdup(sep[1] ? sep + 2 : "");
	}
	if (r < 0)
		goto out_close;
	ver = gb_meta_get(m, "format_version");
	if (!ver) {
		fail(err, errlen, path, line, "no format_version key");
		goto out_close;
	}
	if (strcmp(ver, "1")) {
		fail(err, errlen, path, line,
		     "unknown format_version '%s' (this guard-bench reads 1)",
		     ver);
		goto out_close;
	}
	ret = 0;
out_close:
	fclose(f);
out_free:
	free(buf);
	if (ret)
		gb_meta_free(m);
	return ret;
}

static size_t split_tabs(char *s, char **col, size_t max)
{
	size_t n = 0;

	col[n++] = s;
	for (; *s; s++) {
		if (*s != '\t')
			continue;
		*s = '\0';
		if (n == max)
			return max + 1;
		col[n++] = s + 1;
	}
	return n;
}

int gb_tsv_open(struct gb_tsv *t, const char *path,
		const char *const *header, char *err, size_t errlen)
{
	size_t want = 0, n;
	int r;

	memset(t->col, 0, sizeof(t->col));
	t->path = path;
	t->line = 0;
	t->f = NULL;
	while (header[want])
		want++;
	t->ncols = want;
	if (check_binary(path, err, errlen))
		return -1;
	t->f = fopen(path, "r");
	if (!t->f)
		return fail(err, errlen, path, 0, "cannot open: %s",
			    strerror(errno));
	r = read_line(t->f, t->buf, sizeof(t->buf), path, ++t->line, err,
		      errlen);
	if (r == 0)
		fail(err, errlen, path, 1, "empty file: no header");
	if (r != 1)
		goto bad;
	n = split_tabs(t->buf, t->col, GB_TSV_MAX_COLS);
	if (n != want) {
		fail(err, errlen, path, 1, "header has %zu columns, want %zu",
		     n, want);
		goto bad;
	}
	for (size_t i = 0; i < want; i++) {
		if (strcmp(t->col[i], header[i])) {
			fail(err, errlen, path, 1,
			     "header column %zu is '%s', want '%s'", i + 1,
			     t->col[i], header[i]);
			goto bad;
		}
	}
	return 0;
bad:
	fclose(t->f);
	t->f = NULL;
	return -1;
}

int gb_tsv_next(struct gb_tsv *t, char *err, size_t errlen)
{
	size_t n;
	int r;

	r = read_line(t->f, t->buf, sizeof(t->buf), t->path, ++t->line, err,
		      errlen);
	if (r != 1)
		return r;
	n = split_tabs(t->buf, t->col, GB_TSV_MAX_COLS);
	if (n != t->ncols)
		return fail(err, errlen, t->path, t->line,
			    "%zu columns, want %zu", n, t->ncols);
	return 1;
}

int gb_tsv_number(struct gb_tsv *t, size_t col, double *v, char *err,
		  size_t errlen)
{
	if (gb_parse_double(t->col[col], -HUGE_VAL, HUGE_VAL, v))
		return fail(err, errlen, t->path, t->line,
			    "column %zu: '%.40s' is not a finite number",
			    col + 1, t->col[col]);
	return 0;
}

void gb_tsv_close(struct gb_tsv *t)
{
	if (t->f)
		fclose(t->f);
	t->f = NULL;
}

static int copy_field(struct gb_tsv *t, size_t col, char *dst, size_t len,
		      char *err, size_t errlen)
{
	size_t n = strlen(t->col[col]);

	if (n == 0 || n >= len)
		return fail(err, errlen, t->path, t->line,
			    "column %zu: %s", col + 1,
			    n ? "too long" : "empty");
	memcpy(dst, t->col[col], n + 1);
	return 0;
}

long gb_summary_read(const char *path, struct gb_summary_row **rows,
		     char *err, size_t errlen)
{
	struct gb_tsv *t = gb_zalloc(sizeof(*t));
	struct gb_summary_row *out = NULL;
	size_t n = 0, cap = 0;
	long ret = -1;
	int r;

	if (gb_tsv_open(t, path, gb_summary_header, err, errlen))
		goto out;
	while ((r = gb_tsv_next(t, err, errlen)) == 1) {
		struct gb_summary_row *row;
		double v[7];

		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			out = realloc(out, cap * sizeof(*out));
			if (!out)
				gb_die(GB_EXIT_FAILURE, "out of memory");
		}
		row = &out[n];
		if (copy_field(t, 0, row->scenario, sizeof(row->scenario),
			       err, errlen) ||
		    copy_field(t, 1, row->cell, sizeof(row->cell), err,
			       errlen) ||
		    copy_field(t, 2, row->metric, sizeof(row->metric), err,
			       errlen) ||
		    copy_field(t, 3, row->unit, sizeof(row->unit), err,
			       errlen))
			goto out;
		for (size_t i = 0; i < 7; i++)
			if (gb_tsv_number(t, 4 + i, &v[i], err, errlen))
				goto out;
		if (v[0] < 1 || v[0] > 1e9 || v[0] != floor(v[0])) {
			fail(err, errlen, path, t->line,
			     "column 5: n must be an integer from 1 to 1e9");
			goto out;
		}
		row->s.n = (size_t)v[0];
		row->s.median = v[1];
		row->s.min = v[2];
		row->s.max = v[3];
		row->s.mean = v[4];
		row->s.stddev = v[5];
		row->s.cv = v[6];
		if (!(row->s.min <= row->s.median && row->s.median <= row->s.max)) {
			fail(err, errlen, path, t->line,
			     "median outside [min, max]");
			goto out;
		}
		n++;
	}
	if (r == 0)
		ret = (long)n;
out:
	gb_tsv_close(t);
	free(t);
	if (ret < 0) {
		free(out);
		out = NULL;
	}
	*rows = out;
	return ret;
}

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
	if (copy_field(t, 0, ts->scenario, sizeof(ts->scenario), err,
		       errlen) ||
	    copy_field(t, 1, ts->cell, sizeof(ts->cell), err, errlen) ||
	    copy_field(t, (size_t)c->metric, ts->metric, sizeof(ts->metric),
		       err, errlen) ||
	    copy_field(t, (size_t)c->unit, ts->unit, sizeof(ts->unit), err,
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
		return fail(err, errlen, t->path, t->line,
			    "column %d: trial must be an integer from 1 to "
			    "1e9", c->trial + 1);
	if (rep < 1 || rep > 1e6 || rep != floor(rep))
		return fail(err, errlen, t->path, t->line,
			    "column %d: replicate must be an integer from 1 "
			    "to 1e6", c->rep + 1);
	if ((unsigned long)rep < ts->last_rep ||
	    ((unsigned long)rep == ts->last_rep &&
	     (unsigned long)trial <= ts->last_trial))
		return fail(err, errlen, t->path, t->line,
			    "replicate %lu trial %lu of %s %s %s comes after "
			    "replicate %lu trial %lu: duplicated or out of "
			    "order", (unsigned long)rep, (unsigned long)trial,
			    ts->scenario, ts->cell, ts->metric, ts->last_rep,
			    ts->last_trial);
	if (strcmp(ts->unit, t->col[c->unit]))
		return fail(err, errlen, t->path, t->line,
			    "unit '%.20s' differs from '%s' earlier in %s %s",
			    t->col[c->unit], ts->unit, ts->cell, ts->metric);
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
