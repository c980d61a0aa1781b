// SPDX-License-Identifier: GPL-2.0
/*
 * Writing a run directory: meta.txt, cells.tsv, trials.tsv, summary.tsv,
 * summary.txt and hist/, built under a dot-name and renamed into place.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "files/results.h"
#include "measure/scenario.h"
#include "measure/topo.h"
#include "base/util.h"

void gb_meta_set(struct gb_meta *m, const char *key, const char *fmt, ...)
{
	va_list ap;
	char *val;
	size_t i;

	va_start(ap, fmt);
	val = gb_vasprintf(fmt, ap);
	va_end(ap);
	/* one printable line per key: the reader rejects control bytes */
	for (char *p = val; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	for (const char *k = key; *k; k++)
		if (!((*k >= 'a' && *k <= 'z') || (*k >= '0' && *k <= '9') ||
		      *k == '_'))
			gb_die(GB_EXIT_FAILURE, "bad meta key '%s'", key);
	for (i = 0; i < m->n; i++) {
		if (!strcmp(m->key[i], key)) {
			free(m->val[i]);
			m->val[i] = val;
			return;
		}
	}
	if (m->n == ARRAY_SIZE(m->key))
		gb_die(GB_EXIT_FAILURE, "too many meta keys");
	m->key[m->n] = gb_strdup(key);
	m->val[m->n++] = val;
}

const char *gb_meta_get(const struct gb_meta *m, const char *key)
{
	for (size_t i = 0; i < m->n; i++)
		if (!strcmp(m->key[i], key))
			return m->val[i];
	return NULL;
}

void gb_meta_free(struct gb_meta *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->key[i]);
		free(m->val[i]);
	}
	m->n = 0;
}

/* fclose that reports a failed write (ENOSPC surfaces here). */
static int close_checked(FILE *f)
{
	int err = 0;

	/* a flush retries what an earlier error left: errno says why */
	errno = 0;
	if (fflush(f) || ferror(f))
		err = errno ? errno : EIO;
	if (!err && fsync(fileno(f)))
		err = errno;
	if (fclose(f) && !err)
		err = errno;
	return -err;
}

int gb_copy_file(const char *from, const char *to)
{
	FILE *in = fopen(from, "r"), *out;
	char buf[65536];
	size_t n;
	int ret;

	if (!in)
		return -errno;
	out = fopen(to, "w");
	if (!out) {
		ret = -errno;
		fclose(in);
		return ret;
	}
	while ((n = fread(buf, 1, sizeof(buf), in)))
		fwrite(buf, 1, n, out);
	ret = ferror(in) ? -EIO : 0;
	fclose(in);
	if (ret) {
		fclose(out);
		return ret;
	}
	return close_checked(out);
}

int gb_meta_write(const struct gb_meta *m, const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -errno;
	for (size_t i = 0; i < m->n; i++)
		fprintf(f, "%s: %s\n", m->key[i], m->val[i]);
	return close_checked(f);
}

char *gb_results_path(const struct gb_results *r, const char *name)
{
	return gb_asprintf("%s/%s", r->tmp, name);
}

int gb_results_create(struct gb_results *r, const char *root,
		      const char *release, const char *name, char *err,
		      size_t errlen)
{
	char *dir = gb_asprintf("%s/%s", root, release), *path;
	int ret;

	memset(r, 0, sizeof(*r));
	ret = gb_mkdir_p(dir, 0755);
	if (ret) {
		snprintf(err, errlen, "cannot create %s: %s", dir,
			 strerror(-ret));
		free(dir);
		return ret;
	}
	snprintf(r->final, sizeof(r->final), "%s/%s", dir, name);
	snprintf(r->tmp, sizeof(r->tmp), "%s/.%s.tmp.%d", dir, name,
		 (int)getpid());
	free(dir);
	if (mkdir(r->tmp, 0755)) {
		ret = -errno;
		snprintf(err, errlen, "cannot create %s: %s", r->tmp,
			 strerror(errno));
		return ret;
	}
	path = gb_results_path(r, "trials.tsv");
	r->trials = gb_trials_open(&r->trials_file, path,
				   O_CREAT | O_TRUNC);
	if (!r->trials) {
		ret = -errno;
		snprintf(err, errlen, "cannot create %s: %s", path,
			 strerror(errno));
		free(path);
		gb_rm_rf(r->tmp);
		return ret;
	}
	free(path);
	/* big enough for a whole trial: one write() per flush, never half */
	setvbuf(r->trials, NULL, _IOFBF, 1 << 20);
	for (int i = 0; gb_trials_header[i]; i++)
		fprintf(r->trials, "%s%s", i ? "\t" : "", gb_trials_header[i]);
	fputc('\n', r->trials);
	return 0;
}

void gb_results_trial(struct gb_results *r, const struct gb_cell *c,
		      unsigned int trial, const char *metric,
		      const char *unit, double v)
{
	gb_results_trial_row(r, c->sc->name, c->label,
			     r->replicate ? r->replicate : 1,
			     trial + 1, metric, unit, v);
}

void gb_results_trial_row(struct gb_results *r, const char *scenario,
			  const char *cell, unsigned int replicate,
			  unsigned int trial, const char *metric,
			  const char *unit, double v)
{
	fprintf(r->trials, "%s\t%s\t%u\t%u\t%s\t%.10g\t%s\n", scenario,
		cell, replicate, trial, metric, v, unit);
}

int gb_results_flush(struct gb_results *r, char *err, size_t errlen)
{
	int ret = gb_trials_flush(&r->trials_file, r->trials);

	if (ret)
		snprintf(err, errlen, "writing %s/trials.tsv: %s", r->tmp,
			 strerror(-ret));
	return ret;
}

static const char *status_name(enum gb_cell_status st)
{
	switch (st) {
	case GB_CELL_DONE:
		return "done";
	case GB_CELL_SKIPPED:
		return "skipped";
	case GB_CELL_PARTIAL:
		return "partial";
	case GB_CELL_PENDING:
		break;
	}
	return "not-run";
}

static void write_summary_tsv(FILE *f, struct gb_cell **cells, size_t n)
{
	for (int i = 0; gb_summary_header[i]; i++)
		fprintf(f, "%s%s", i ? "\t" : "", gb_summary_header[i]);
	fputc('\n', f);
	for (size_t i = 0; i < n; i++) {
		for (size_t m = 0; m < cells[i]->nr_series; m++) {
			const struct gb_series *s = &cells[i]->series[m];
			struct gb_summary sm;

			if (!s->n)
				continue;
			gb_summarise(s->v, s->n, &sm);
			fprintf(f, "%s\t%s\t%s\t%s\t%zu\t%.10g\t%.10g\t%.10g"
				"\t%.10g\t%.10g\t%.6g\n", cells[i]->sc->name,
				cells[i]->label, s->name, s->unit, sm.n,
				sm.median, sm.min, sm.max, sm.mean, sm.stddev,
				sm.cv);
		}
	}
}

static void write_cells_tsv(FILE *f, struct gb_cell **cells, size_t n,
			    struct gb_topo *tp)
{
	for (int i = 0; gb_cells_header[i]; i++)
		fprintf(f, "%s%s", i ? "\t" : "", gb_cells_header[i]);
	fputc('\n', f);
	for (size_t i = 0; i < n; i++) {
		const struct gb_cell *c = cells[i];

		fprintf(f, "%s\t%s\t%s\t%u\t", c->sc->name, c->label,
			status_name(c->status), c->nr_contenders + 1);
		for (unsigned int k = 0; k <= c->nr_contenders; k++)
			fprintf(f, "%s%u", k ? "," : "", c->cpus[k]);
		fputc('\t', f);
		for (unsigned int k = 0; k <= c->nr_contenders; k++) {
			bool same_numa = true;
			enum gb_relation rel = GB_REL_SELF;

			if (tp)
				rel = gb_topo_relation(tp, c->cpus[0],
						       c->cpus[k], &same_numa);
			fprintf(f, "%s%s%s", k ? "," : "",
				k ? gb_relation_name(rel) : "subject",
				same_numa ? "" : "+numa");
		}
		fprintf(f, "\t%s\n", c->reason[0] ? c->reason : "-");
	}
}

void gb_hist_file_name(char *buf, size_t len, const struct gb_cell *c,
			   const char *op)
{
	size_t n = (size_t)snprintf(buf, len, "hist/%s.%s.%s.tsv",
				    c->sc->name, c->label, op);

	/* "backing=anon pages=1" -> "backing-anon_pages-1" */
	for (size_t i = 5; i < n && i < len; i++) {
		if (buf[i] == ' ')
			buf[i] = '_';
		else if (buf[i] == '=' || buf[i] == '/')
			buf[i] = '-';
	}
}

static int write_hist(const char *path, const struct gb_hist *h,
		      double ns_per_tick)
{
	FILE *f = fopen(path, "w");
	uint64_t seen = 0;

	if (!f)
		return -errno;
	fprintf(f, "latency_ns\tcount\tcumulative_fraction\n");
	for (unsigned int i = 0; i < GB_HIST_BUCKETS; i++) {
		uint64_t lo, width;

		if (!h->bucket[i])
			continue;
		seen += h->bucket[i];
		gb_hist_bucket_range(i, &lo, &width);
		fprintf(f, "%.3f\t%llu\t%.9f\n",
			((double)lo + (double)(width - 1) / 2) * ns_per_tick,
			(unsigned long long)h->bucket[i],
			(double)seen / (double)h->count);
	}
	return close_checked(f);
}

typedef void (*writer_fn)(FILE *f, const struct gb_results *r,
			  struct gb_cell **cells, size_t n);

static void summary_tsv_writer(FILE *f, const struct gb_results *r,
			       struct gb_cell **cells, size_t n)
{
	(void)r;
	write_summary_tsv(f, cells, n);
}

static void summary_txt_writer(FILE *f, const struct gb_results *r,
			       struct gb_cell **cells, size_t n)
{
	(void)r;
	gb_summary_print(f, cells, n);
}

static void cells_writer(FILE *f, const struct gb_results *r,
			 struct gb_cell **cells, size_t n)
{
	write_cells_tsv(f, cells, n, r->topo);
}

static int write_file(struct gb_results *r, const char *name, writer_fn fn,
		      struct gb_cell **cells, size_t n)
{
	char *path = gb_results_path(r, name);
	FILE *f = fopen(path, "w");
	int ret;

	free(path);
	if (!f)
		return -errno;
	fn(f, r, cells, n);
	ret = close_checked(f);
	return ret;
}

static int write_all(struct gb_results *r, struct gb_cell **cells,
		     size_t n, const struct gb_meta *meta,
		     double ns_per_tick, const char **what)
{
	char *path;
	int ret;

	*what = "trials.tsv";
	ret = gb_trials_close(&r->trials_file, r->trials);
	r->trials = NULL;
	if (ret)
		return ret;
	*what = "summary.tsv";
	ret = write_file(r, "summary.tsv", summary_tsv_writer, cells, n);
	if (ret)
		return ret;
	*what = "summary.txt";
	ret = write_file(r, "summary.txt", summary_txt_writer, cells, n);
	if (ret)
		return ret;
	*what = "cells.tsv";
	if (r->cells_from) {
		path = gb_results_path(r, "cells.tsv");
		ret = gb_copy_file(r->cells_from, path);
		free(path);
	} else {
		ret = write_file(r, "cells.tsv", cells_writer, cells, n);
	}
	if (ret)
		return ret;
	*what = "hist/";
	path = gb_results_path(r, "hist");
	ret = mkdir(path, 0755) ? -errno : 0;
	free(path);
	for (size_t i = 0; i < n && !ret; i++) {
		for (int k = 0; k < GB_MAX_TIMED_OPS && !ret; k++) {
			char name[512];

			if (!cells[i]->merged[k] || !cells[i]->merged[k]->count)
				continue;
			gb_hist_file_name(name, sizeof(name), cells[i],
				       gb_timed_ops(cells[i]->sc)[k]);
			path = gb_results_path(r, name);
			ret = write_hist(path, cells[i]->merged[k],
					 ns_per_tick);
			free(path);
		}
	}
	if (ret)
		return ret;
	*what = "meta.txt";
	path = gb_results_path(r, "meta.txt");
	ret = gb_meta_write(meta, path);
	free(path);
	return ret;
}

/*
 * Rename @from to @to unless @to exists, atomically: RENAME_NOREPLACE,
 * or where the filesystem lacks it, an empty directory claimed with
 * mkdir (exclusive) that rename may then replace.
 */
static int rename_noreplace(const char *from, const char *to)
{
	if (!renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE))
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -errno;
	if (mkdir(to, 0755))
		return -errno;
	if (rename(from, to)) {
		int err = errno;

		rmdir(to);
		return -err;
	}
	return 0;
}

/* Make a rename into @path's directory survive a crash. */
static int fsync_parent(const char *path)
{
	char *dir = gb_strdup(path), *slash = strrchr(dir, '/');
	int fd, ret = 0;

	if (slash)
		*slash = '\0';
	fd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd))
		ret = -errno;
	if (fd >= 0)
		close(fd);
	free(dir);
	return ret;
}

/* Two runs in one second: never overwrite, take the next free name. */
static int rename_into_place(struct gb_results *r, char *err, size_t errlen)
{
	char final[sizeof(r->final)];
	int ret = -EEXIST;

	memcpy(final, r->final, sizeof(final));
	for (int i = 1; ret == -EEXIST || ret == -ENOTEMPTY; i++) {
		if (i > 99)
			break;
		if (i > 1 && snprintf(final, sizeof(final), "%s-%d", r->final,
				      i) >= (int)sizeof(final))
			break;
		ret = rename_noreplace(r->tmp, final);
	}
	if (ret) {
		snprintf(err, errlen, "rename %s to %s: %s", r->tmp, final,
			 strerror(-ret));
		return ret;
	}
	memcpy(r->final, final, sizeof(final));
	r->tmp[0] = '\0';
	ret = fsync_parent(r->final);
	if (ret)
		gb_warn("fsync of the directory holding %s: %s: a crash now "
			"may lose its name", r->final, strerror(-ret));
	return 0;
}

int gb_results_finish(struct gb_results *r, struct gb_cell **cells,
		      size_t nr_cells, const struct gb_meta *meta,
		      double ns_per_tick, char *err, size_t errlen)
{
	const char *what = "";
	int ret;

	ret = write_all(r, cells, nr_cells, meta, ns_per_tick, &what);
	if (ret) {
		/* what was flushed stays: the caller says where */
		snprintf(err, errlen, "writing %s/%s: %s", r->tmp, what,
			 strerror(-ret));
		if (r->trials)
			fclose(r->trials);
		r->trials = NULL;
		return ret;
	}
	return rename_into_place(r, err, errlen);
}

void gb_results_abort(struct gb_results *r)
{
	if (r->trials)
		fclose(r->trials);
	r->trials = NULL;
	if (r->tmp[0])
		gb_rm_rf(r->tmp);
}
