// SPDX-License-Identifier: GPL-2.0
/*
 * Parsers for the files of a run directory: each opened as untrusted
 * input, meta.txt, the strict TSV reader and summary.tsv (trials.tsv's
 * series are runfile_trials.c's).  Everything compare and trend will
 * trust goes through here, so each rejects what it does not expect
 * with "file:line: reason" instead of guessing.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "files/results.h"
#include "base/util.h"

/* Format 2: trials nest in replicates (independent re-execs). */
const char *const gb_trials_header[] = {
	"scenario", "cell", "replicate", "trial", "metric", "value", "unit",
	NULL
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
static int vfail(char *err, size_t errlen, const char *path,
		 unsigned long line, const char *fmt, va_list ap)
	__attribute__((format(printf, 5, 0)));

/* "path:line: " and the reason into @err; always -1. */
static int vfail(char *err, size_t errlen, const char *path,
		 unsigned long line, const char *fmt, va_list ap)
{
	int n = snprintf(err, errlen, "%s:%lu: ", path, line);

	if (n < 0 || (size_t)n >= errlen)
		return -1;
	vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
	return -1;
}

static int fail(char *err, size_t errlen, const char *path,
		unsigned long line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(err, errlen, path, line, fmt, ap);
	va_end(ap);
	return -1;
}

int gb_tsv_fail(const struct gb_tsv *t, char *err, size_t errlen,
		const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(err, errlen, t->path, t->line, fmt, ap);
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
static int check_binary(FILE *f, const char *path, char *err, size_t errlen)
{
	unsigned long line = 1;
	long off = 0;
	int ch;

	while ((ch = getc(f)) != EOF) {
		if (ch == 0)
			return fail(err, errlen, path, line,
				    "NUL byte at offset %ld: binary data", off);
		line += ch == '\n';
		off++;
	}
	if (ferror(f))
		return fail(err, errlen, path, line, "read error: %s",
			    strerror(errno));
	rewind(f);
	return 0;
}

static const char *file_kind(mode_t mode)
{
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISSOCK(mode))
		return "a socket";
	if (S_ISCHR(mode) || S_ISBLK(mode))
		return "a device";
	return "not a regular file";
}

/*
 * Open a result file as untrusted input: never through a symbolic link,
 * never block on a FIFO or device, a regular file of at most @max bytes.
 */
static FILE *open_result(const char *path, off_t max, char *err,
			 size_t errlen)
{
	struct stat st;
	FILE *f;
	int fd;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ELOOP)
			fail(err, errlen, path, 0, "a symbolic link: a run "
			     "holds its own files, never links; replace it "
			     "with the file it points to");
		else
			fail(err, errlen, path, 0, "cannot open: %s",
			     strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st)) {
		fail(err, errlen, path, 0, "cannot stat: %s", strerror(errno));
		goto bad;
	}
	if (!S_ISREG(st.st_mode)) {
		fail(err, errlen, path, 0, "%s, not a regular file: not "
		     "written by guard-bench; remove it", file_kind(st.st_mode));
		goto bad;
	}
	if (st.st_size > max) {
		fail(err, errlen, path, 0, "%lld bytes, more than the %lld "
		     "a guard-bench results file may hold: not one of its "
		     "files", (long long)st.st_size, (long long)max);
		goto bad;
	}
	if (fcntl(fd, F_SETFL, 0) || !(f = fdopen(fd, "r"))) {
		fail(err, errlen, path, 0, "cannot open: %s", strerror(errno));
		goto bad;
	}
	if (check_binary(f, path, err, errlen)) {
		fclose(f);
		return NULL;
	}
	return f;
bad:
	close(fd);
	return NULL;
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

/* One "key: value" line of meta.txt into @m; 0, or -1 with why. */
static int meta_line(struct gb_meta *m, char *buf, const char *path,
		     unsigned long line, char *err, size_t errlen)
{
	char *sep = strstr(buf, ": ");
	size_t len = strlen(buf);

	/* the writer flattens values to one printable line */
	if (strpbrk(buf, "\t\x7f"))
		return fail(err, errlen, path, line, "%s byte in a value: "
			    "meta.txt holds one printable line per key; "
			    "remove it", strchr(buf, '\t') ? "TAB" : "DEL");
	if (!sep && len && buf[len - 1] == ':')
		sep = buf + len - 1;	/* "key:" with an empty value */
	if (!sep)
		return fail(err, errlen, path, line,
			    "not a 'key: value' line");
	*sep = '\0';
	if (!valid_key(buf))
		return fail(err, errlen, path, line,
			    "bad key '%s' (want [a-z0-9_]+)", buf);
	if (gb_meta_get(m, buf))
		return fail(err, errlen, path, line, "duplicate key '%s'",
			    buf);
	if (m->n == ARRAY_SIZE(m->key))
		return fail(err, errlen, path, line, "more than %zu keys",
			    ARRAY_SIZE(m->key));
	m->key[m->n] = gb_strdup(buf);
	m->val[m->n++] = gb_strdup(sep[1] ? sep + 2 : "");
	return 0;
}

/* The format this reader knows, or -1 with why. */
static int meta_version(const struct gb_meta *m, const char *path,
			unsigned long line, char *err, size_t errlen)
{
	const char *ver = gb_meta_get(m, "format_version");

	if (!ver)
		return fail(err, errlen, path, line, "no format_version key");
	if (strcmp(ver, "1"))
		return fail(err, errlen, path, line,
			    "unknown format_version '%s' (this guard-bench "
			    "reads 1)", ver);
	return 0;
}

int gb_meta_read(struct gb_meta *m, const char *path, char *err,
		 size_t errlen)
{
	char *buf = gb_zalloc(GB_MAX_LINE + 2);
	unsigned long line = 0;
	int ret = -1, r;
	FILE *f;

	memset(m, 0, sizeof(*m));
	f = open_result(path, GB_MAX_META_BYTES, err, errlen);
	if (!f)
		goto out_free;
	while ((r = read_line(f, buf, GB_MAX_LINE + 2, path, ++line, err,
			      errlen)) == 1)
		if (meta_line(m, buf, path, line, err, errlen))
			goto out_close;
	if (r == 0)
		ret = meta_version(m, path, line, err, errlen);
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
	t->f = open_result(path, GB_MAX_FILE_BYTES, err, errlen);
	if (!t->f)
		return -1;
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

int gb_tsv_string(struct gb_tsv *t, size_t col, char *dst, size_t len,
		     char *err, size_t errlen)
{
	size_t n = strlen(t->col[col]);

	if (n == 0 || n >= len)
		return gb_tsv_fail(t, err, errlen, "column %zu: %s", col + 1,
				   n ? "too long" : "empty");
	memcpy(dst, t->col[col], n + 1);
	return 0;
}

/* A summary row and its line, sorted by key to find duplicates. */
struct row_ref {
	const struct gb_summary_row *row;
	unsigned long line;
};

static int cmp_row_ref(const void *a, const void *b)
{
	const struct row_ref *x = a, *y = b;
	int c = strcmp(x->row->scenario, y->row->scenario);

	if (!c)
		c = strcmp(x->row->cell, y->row->cell);
	if (!c)
		c = strcmp(x->row->metric, y->row->metric);
	if (!c)
		c = x->line < y->line ? -1 : x->line > y->line;
	return c;
}

/*
 * Each cell x metric once: a second row would be compared twice and
 * counted twice in the multiplicity correction.  O(n log n).
 */
static int check_duplicates(const char *path, const struct gb_summary_row *rows,
			    const unsigned long *lines, size_t n, char *err,
			    size_t errlen)
{
	struct row_ref *ref = gb_zalloc((n ? n : 1) * sizeof(*ref));
	const struct row_ref *dup = NULL;
	unsigned long first = 0;

	for (size_t i = 0; i < n; i++) {
		ref[i].row = &rows[i];
		ref[i].line = lines[i];
	}
	qsort(ref, n, sizeof(*ref), cmp_row_ref);
	for (size_t i = 1; i < n; i++) {
		const struct gb_summary_row *x = ref[i - 1].row, *y = ref[i].row;

		if (strcmp(x->metric, y->metric) || strcmp(x->cell, y->cell) ||
		    strcmp(x->scenario, y->scenario))
			continue;
		/* report the duplicate that comes first in the file */
		if (!dup || ref[i].line < dup->line) {
			dup = &ref[i];
			first = ref[i - 1].line;
		}
	}
	if (dup)
		fail(err, errlen, path, dup->line, "duplicate row %s %s %s "
		     "(first on line %lu): each cell x metric once; remove "
		     "one", dup->row->scenario, dup->row->cell,
		     dup->row->metric, first);
	free(ref);
	return dup ? -1 : 0;
}

/* One summary.tsv row into @row; 0, or -1 with why. */
static int summary_row(struct gb_tsv *t, struct gb_summary_row *row,
		       char *err, size_t errlen)
{
	double v[7];

	if (gb_tsv_string(t, 0, row->scenario, sizeof(row->scenario), err,
			  errlen) ||
	    gb_tsv_string(t, 1, row->cell, sizeof(row->cell), err, errlen) ||
	    gb_tsv_string(t, 2, row->metric, sizeof(row->metric), err,
			  errlen) ||
	    gb_tsv_string(t, 3, row->unit, sizeof(row->unit), err, errlen))
		return -1;
	for (size_t i = 0; i < 7; i++)
		if (gb_tsv_number(t, 4 + i, &v[i], err, errlen))
			return -1;
	if (v[0] < 1 || v[0] > 1e9 || v[0] != floor(v[0]))
		return gb_tsv_fail(t, err, errlen, "column 5: n must be an "
				   "integer from 1 to 1e9");
	row->s.n = (size_t)v[0];
	row->s.median = v[1];
	row->s.min = v[2];
	row->s.max = v[3];
	row->s.mean = v[4];
	row->s.stddev = v[5];
	row->s.cv = v[6];
	if (!(row->s.min <= row->s.median && row->s.median <= row->s.max))
		return gb_tsv_fail(t, err, errlen, "median outside [min, max]");
	return 0;
}

long gb_summary_read(const char *path, struct gb_summary_row **rows,
		     char *err, size_t errlen)
{
	struct gb_tsv *t = gb_zalloc(sizeof(*t));
	struct gb_summary_row *out = NULL;
	unsigned long *lines = NULL;
	size_t n = 0, cap = 0;
	long ret = -1;
	int r;

	if (gb_tsv_open(t, path, gb_summary_header, err, errlen))
		goto out;
	while ((r = gb_tsv_next(t, err, errlen)) == 1) {
		struct gb_summary_row *row;

		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			out = realloc(out, cap * sizeof(*out));
			lines = realloc(lines, cap * sizeof(*lines));
			if (!out || !lines)
				gb_die(GB_EXIT_FAILURE, "out of memory");
		}
		row = &out[n];
		lines[n] = t->line;
		if (summary_row(t, row, err, errlen))
			goto out;
		n++;
	}
	if (r == 0 && !check_duplicates(path, out, lines, n, err, errlen))
		ret = (long)n;
out:
	gb_tsv_close(t);
	free(t);
	free(lines);
	if (ret < 0) {
		free(out);
		out = NULL;
	}
	*rows = out;
	return ret;
}
