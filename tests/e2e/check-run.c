// SPDX-License-Identifier: GPL-2.0
/*
 * check-run: read a run directory with guard-bench's own readers and
 * check what must hold of any run: every file parses, meta has every
 * key, latencies are positive and ordered p50 <= p90 <= p99 <= p99.9 <=
 * max in every trial, rates are positive, each done cell has all its
 * trials.
 *
 *	check-run DIR [complete|incomplete]
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "files/results.h"
#include "base/util.h"

static const char *const required[] = {
	"format_version", "kernel_release", "kernel_version", "arch",
	"cpu_model", "nr_cpus", "maybe_guard_flag", "timer",
	"timer_overhead_ns", "placement", "governor", "smt", "thp", "aslr",
	"tool_version", "command", "started", "finished", "complete",
	"turbo", "mitigations", "trials", "duration_s", "guard_path",
	"lock_accounting", "emulation", "virt",
};

static int failures;

#define CHECK(cond, ...) do {					\
	if (!(cond)) {						\
		fprintf(stderr, "check-run: " __VA_ARGS__);	\
		fputc('\n', stderr);				\
		failures++;					\
	}							\
} while (0)

static void check_meta(const char *dir, const char *want_complete,
		       long *trials, long *replicates)
{
	char *path = gb_asprintf("%s/meta.txt", dir), err[1024];
	struct gb_meta m;

	if (gb_meta_read(&m, path, err, sizeof(err))) {
		CHECK(0, "%s", err);
		free(path);
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(required); i++)
		CHECK(gb_meta_get(&m, required[i]), "meta.txt lacks %s",
		      required[i]);
	if (want_complete && gb_meta_get(&m, "complete"))
		CHECK(!strcmp(gb_meta_get(&m, "complete"), want_complete),
		      "complete: %s, want %s", gb_meta_get(&m, "complete"),
		      want_complete);
	*trials = gb_meta_get(&m, "trials") ?
		  atol(gb_meta_get(&m, "trials")) : 0;
	*replicates = gb_meta_get(&m, "replicates") ?
		      atol(gb_meta_get(&m, "replicates")) : 1;
	gb_meta_free(&m);
	free(path);
}

/* Per trial: latencies of one op in quantile order must not decrease. */
struct trial_row {
	char key[256];		/* scenario|cell|replicate|trial|op */
	double q[5];
	int seen;
};

static const char *const qnames[] = { "p50", "p90", "p99", "p999", "max" };

static void check_trials(const char *dir)
{
	char *path = gb_asprintf("%s/trials.tsv", dir), err[1024];
	struct gb_tsv *t = gb_zalloc(sizeof(*t));
	struct trial_row *rows = NULL;
	size_t n = 0;
	int r;

	if (gb_tsv_open(t, path, gb_trials_header, err, sizeof(err))) {
		CHECK(0, "%s", err);
		goto out;
	}
	while ((r = gb_tsv_next(t, err, sizeof(err))) == 1) {
		double v;
		char *lat;

		if (gb_tsv_number(t, 5, &v, err, sizeof(err))) {
			CHECK(0, "%s", err);
			continue;
		}
		CHECK(v > 0 || strstr(t->col[4], "vs_control") ||
		      strstr(t->col[4], "lock_") ||
		      !strncmp(t->col[4], "pmu", 3),
		      "%s:%lu: %s = %g, want > 0", path, t->line, t->col[4],
		      v);
		lat = strstr(t->col[4], "_latency_");
		if (!lat)
			continue;
		for (int q = 0; q < 5; q++) {
			char key[256];
			size_t i;

			if (strcmp(lat + 9, qnames[q]) &&
			    !(strncmp(lat + 9, qnames[q], strlen(qnames[q])) == 0 &&
			      !strcmp(lat + 9 + strlen(qnames[q]), "_ns")))
				continue;
			snprintf(key, sizeof(key), "%s|%s|%s|%s|%.*s",
				 t->col[0], t->col[1], t->col[2], t->col[3],
				 (int)(lat - t->col[4]), t->col[4]);
			for (i = 0; i < n; i++)
				if (!strcmp(rows[i].key, key))
					break;
			if (i == n) {
				rows = realloc(rows, (n + 1) * sizeof(*rows));
				memset(&rows[n], 0, sizeof(*rows));
				snprintf(rows[n].key, sizeof(rows[n].key),
					 "%s", key);
				n++;
			}
			rows[i].q[q] = v;
			rows[i].seen |= 1 << q;
		}
	}
	if (r < 0)
		CHECK(0, "%s", err);
	for (size_t i = 0; i < n; i++) {
		CHECK(rows[i].seen == 0x1f, "%s: missing quantiles",
		      rows[i].key);
		for (int q = 1; q < 5; q++)
			CHECK(rows[i].q[q - 1] <= rows[i].q[q],
			      "%s: %s %g > %s %g", rows[i].key, qnames[q - 1],
			      rows[i].q[q - 1], qnames[q], rows[i].q[q]);
	}
	printf("check-run: %zu op-trials ordered p50<=p90<=p99<=p999<=max\n",
	       n);
out:
	free(rows);
	gb_tsv_close(t);
	free(t);
	free(path);
}

/* n: @trials in each of @reps replicates; one value each for @once rows */
static void check_summary(const char *dir, long trials, long reps,
			  bool complete)
{
	char *path = gb_asprintf("%s/summary.tsv", dir), err[1024];
	struct gb_summary_row *rows;
	long n = gb_summary_read(path, &rows, err, sizeof(err));

	CHECK(n >= 0, "%s", err);
	CHECK(n != 0 || !complete, "%s: no rows", path);
	for (long i = 0; i < n; i++) {
		/*
		 * lock counts come from one accounting phase, and ratios
		 * between two cells' medians (scaling) are one value: n = 1
		 */
		bool once = strstr(rows[i].metric, "lock_") != NULL ||
			    strstr(rows[i].metric, "_vs_own_vma") != NULL ||
			    strstr(rows[i].metric, "_minus_own_vma") != NULL;

		/*
		 * a replicate whose lock phase saw no op has no lock counts:
		 * merged, such a row has fewer values than replicates
		 */
		CHECK(!complete || (long)rows[i].s.n == trials * reps ||
		      (once && (long)rows[i].s.n <= reps),
		      "%s %s %s: n = %zu, want %ld trials x %ld replicates",
		      rows[i].scenario, rows[i].cell, rows[i].metric,
		      rows[i].s.n, once ? 1 : trials, reps);
		CHECK(rows[i].s.min > 0 || once ||
		      !strncmp(rows[i].metric, "pmu", 3) ||
		      strstr(rows[i].metric, "vs_control"),
		      "%s %s %s: min %g", rows[i].scenario, rows[i].cell,
		      rows[i].metric, rows[i].s.min);
	}
	if (n >= 0)
		printf("check-run: %ld summary rows\n", n);
	free(rows);
	free(path);
}

static void check_cells(const char *dir)
{
	char *path = gb_asprintf("%s/cells.tsv", dir), err[1024];
	struct gb_tsv *t = gb_zalloc(sizeof(*t));
	int r, cells = 0;

	if (gb_tsv_open(t, path, gb_cells_header, err, sizeof(err))) {
		CHECK(0, "%s", err);
	} else {
		while ((r = gb_tsv_next(t, err, sizeof(err))) == 1)
			cells++;
		CHECK(r == 0, "%s", err);
		CHECK(cells > 0, "%s: no cells", path);
	}
	gb_tsv_close(t);
	free(t);
	free(path);
}

static void check_exists(const char *dir, const char *name)
{
	char *path = gb_asprintf("%s/%s", dir, name);
	struct stat st;

	CHECK(!stat(path, &st) && st.st_size > 0, "%s missing or empty",
	      path);
	free(path);
}

int main(int argc, char **argv)
{
	const char *want = argc > 2 && !strcmp(argv[2], "incomplete") ?
			   "no" : "yes";
	long trials = 0, reps = 1;

	if (argc < 2) {
		fprintf(stderr, "usage: check-run DIR [complete|incomplete]\n");
		return 2;
	}
	check_meta(argv[1], want, &trials, &reps);
	check_trials(argv[1]);
	check_summary(argv[1], trials, reps, !strcmp(want, "yes"));
	check_cells(argv[1]);
	check_exists(argv[1], "topology.xml");
	check_exists(argv[1], "summary.txt");
	if (failures)
		fprintf(stderr, "check-run: %d problem(s) in %s\n", failures,
			argv[1]);
	return failures ? 1 : 0;
}
