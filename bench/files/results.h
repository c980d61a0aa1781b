/* SPDX-License-Identifier: GPL-2.0 */
/* A run directory's files: the writer a run uses, the strict readers. */
#ifndef GB_RESULTS_H
#define GB_RESULTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "files/trials_file.h"

#include "base/stats.h"

/*
 * A run directory: results/<kernel-release>/<host>-<UTC time>/ holding
 * meta.txt, topology.xml, cells.tsv, trials.tsv, summary.tsv,
 * summary.txt and hist/.  It is built under a dot-name in the same
 * directory and renamed into place last, so the final name never holds
 * a half-written run.
 */
#define GB_FORMAT_VERSION 1
#define GB_MAX_LINE 65536
/* The readers refuse larger files: hostile input, not a run. */
#define GB_MAX_FILE_BYTES (1LL << 30)
#define GB_MAX_META_BYTES (1LL << 20)

struct gb_cell;
struct gb_topo;

/* meta.txt: ordered "key: value" lines, keys unique. */
struct gb_meta {
	size_t n;
	char *key[128];
	char *val[128];
};

void gb_meta_set(struct gb_meta *m, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
const char *gb_meta_get(const struct gb_meta *m, const char *key);
void gb_meta_free(struct gb_meta *m);
int gb_meta_write(const struct gb_meta *m, const char *path);
/* cp @from @to, checked to the disk; 0 or -errno. */
int gb_copy_file(const char *from, const char *to);
/*
 * Rejects malformed input with "path:line: reason" in @err.  The
 * readers of a run's files are runfile_read.c (meta.txt, summary.tsv,
 * the TSV reader) and runfile_trials.c (trials.tsv).
 */
int gb_meta_read(struct gb_meta *m, const char *path, char *err,
		 size_t errlen);

/* A strict TSV reader: fixed header, fixed column count, no surprises. */
#define GB_TSV_MAX_COLS 16
struct gb_tsv {
	const char *path;
	FILE *f;
	unsigned long line;
	size_t ncols;
	char buf[GB_MAX_LINE + 2];
	char *col[GB_TSV_MAX_COLS];
};

int gb_tsv_open(struct gb_tsv *t, const char *path,
		const char *const *header, char *err, size_t errlen);
/* 1: a row in t->col; 0: end of file; -1: error in @err. */
int gb_tsv_next(struct gb_tsv *t, char *err, size_t errlen);
int gb_tsv_number(struct gb_tsv *t, size_t col, double *v, char *err,
		  size_t errlen);
/* Column @col of the row into @dst: not empty, shorter than @len. */
int gb_tsv_string(struct gb_tsv *t, size_t col, char *dst, size_t len,
		  char *err, size_t errlen);
/* "path:line: reason" for the row last read into @err; returns -1. */
int gb_tsv_fail(const struct gb_tsv *t, char *err, size_t errlen,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void gb_tsv_close(struct gb_tsv *t);

extern const char *const gb_summary_header[];
extern const char *const gb_trials_header[];
extern const char *const gb_cells_header[];

struct gb_summary_row {
	char scenario[32];
	char cell[192];
	char metric[96];
	char unit[16];
	struct gb_summary s;
};

/* Read summary.tsv; *rows is malloc'd.  Returns count or -1 (@err). */
long gb_summary_read(const char *path, struct gb_summary_row **rows,
		     char *err, size_t errlen);

/*
 * trials.tsv grouped by cell x metric: the per-trial values, each with
 * its replicate, that the comparison needs (summary.tsv holds only
 * their summary).  Series appear in the order of their first row,
 * values in (replicate, trial) order.
 */
struct gb_trial_series {
	char scenario[32];
	char cell[192];
	char metric[96];
	char unit[16];
	size_t n;
	double *v;
	unsigned int *rep;		/* each value's replicate, from 1 */
	unsigned long last_rep, last_trial;	/* (rep, trial) rise */
};

/*
 * Read trials.tsv; *series is malloc'd, free it with gb_trials_free().
 * Returns the number of series or -1 with "path:line: reason" in @err.
 */
long gb_trials_read(const char *path, struct gb_trial_series **series,
		    char *err, size_t errlen);
void gb_trials_free(struct gb_trial_series *series, long n);

/* The writer used by a run. */
struct gb_results {
	char final[4096];
	char tmp[4096];
	FILE *trials;
	struct gb_trials_file trials_file;	/* under @trials */
	unsigned int replicate;	/* this process's replicate; 0: 1 */
	struct gb_topo *topo;	/* names contenders' relations in cells.tsv */
	const char *cells_from;	/* copy this cells.tsv instead of writing */
};

/*
 * Create <root>/<release>/.<name>.tmp.<pid>/ and open trials.tsv.
 * Returns 0 or -errno with @err naming the path.
 */
int gb_results_create(struct gb_results *r, const char *root,
		      const char *release, const char *name, char *err,
		      size_t errlen);
void gb_results_trial(struct gb_results *r, const struct gb_cell *c,
		      unsigned int trial, const char *metric,
		      const char *unit, double v);
/* One trials.tsv row as it is, for merging replicates. */
void gb_results_trial_row(struct gb_results *r, const char *scenario,
			  const char *cell, unsigned int replicate,
			  unsigned int trial, const char *metric,
			  const char *unit, double v);
/* Push trials.tsv to disk after each trial: a crash keeps them. */
int gb_results_flush(struct gb_results *r, char *err, size_t errlen);
/*
 * Write summaries, cells and meta, then rename into place under a name
 * no other run holds (<name>-2, -3, ... when two finish in one second)
 * and fsync the parent.  Returns 0 or -errno (@err names the path); on
 * error before the rename r->tmp still holds every trial flushed, and
 * after it r->tmp is "".
 */
int gb_results_finish(struct gb_results *r, struct gb_cell **cells,
		      size_t nr_cells, const struct gb_meta *meta,
		      double ns_per_tick, char *err, size_t errlen);
void gb_results_abort(struct gb_results *r);
/* Path of a file inside the (temporary) run directory. */
char *gb_results_path(const struct gb_results *r, const char *name);

/* "hist/<scenario>.<cell>.<op>.tsv", spaces and '=' made safe. */
void gb_hist_file_name(char *buf, size_t len, const struct gb_cell *c,
		       const char *op);

/* summary.txt, also printed at the end of a run. */
void gb_summary_print(FILE *f, struct gb_cell **cells, size_t nr_cells);

#endif
