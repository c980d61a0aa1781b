// SPDX-License-Identifier: GPL-2.0
/*
 * What compare and trend agree on before a row is judged: which way is
 * better for a metric, the names of the verdicts, which runs may pool
 * as replicates, the settings that skew numbers, and the noise floors.
 * The rows are judged in report_diff.c, printed with report_fmt.c.
 */
#define _GNU_SOURCE
#include <fnmatch.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "judge/report.h"
#include "base/util.h"

/*
 * Which way is better, by metric name: the first matching pattern
 * wins, a name no pattern matches is reported without a direction.
 * This table is the only place that knows.
 */
static const struct metric_rule {
	const char *pattern;		/* fnmatch(3) */
	enum gb_direction dir;
} metric_rules[] = {
	{ "mmap_lock_*",	GB_DIR_NONE },	/* counts: report only */
	{ "lock_contention_*",	GB_DIR_NONE },
	{ "pmu.*",		GB_DIR_NONE },	/* events per op: diagnosis */
	{ "pmu_*",		GB_DIR_NONE },	/* multiplexing, not speed */
	{ "*_latency_*_ns",	GB_DIR_LOWER },
	{ "*_latency_*_ns_vs_*", GB_DIR_LOWER },	/* a latency's ratio */
	{ "*_per_sec*",		GB_DIR_HIGHER },
	{ "*_vs_control",	GB_DIR_HIGHER },
};

enum gb_direction gb_metric_direction(const char *metric)
{
	for (size_t i = 0; i < ARRAY_SIZE(metric_rules); i++)
		if (!fnmatch(metric_rules[i].pattern, metric, 0))
			return metric_rules[i].dir;
	return GB_DIR_NONE;
}

const char *gb_direction_text(enum gb_direction d)
{
	switch (d) {
	case GB_DIR_LOWER:
		return "lower is better";
	case GB_DIR_HIGHER:
		return "higher is better";
	case GB_DIR_NONE:
		break;
	}
	return "no direction";
}

const char *gb_outcome_name(enum gb_outcome o)
{
	static const char *const names[] = {
		[GB_OUT_INCONCLUSIVE] = "inconclusive",
		[GB_OUT_EQUIVALENT] = "equivalent",
		[GB_OUT_BETTER] = "better",
		[GB_OUT_WORSE] = "worse",
		[GB_OUT_CHANGED] = "changed",
		[GB_OUT_EQUAL] = "equal",
		[GB_OUT_DIFFERS] = "differs",
		[GB_OUT_NA] = "n/a",
		[GB_OUT_DESCRIPTIVE] = "-",
	};

	return (size_t)o < ARRAY_SIZE(names) ? names[o] : "?";
}

/* ---- pooled runs ---------------------------------------------------- */

/*
 * What must be the same for runs to be replicates of one thing: the
 * kernel, the machine, the tool, and what was measured.
 */
const char *const gb_pool_keys[] = {
	"kernel_release", "kernel_version", "arch", "cpu_model", "nr_cpus",
	"tool_version", "guard_path", "emulation", "placement", "timer",
	"label", NULL
};

int gb_group_check(struct gb_group *g, bool force, char *err,
		   size_t errlen)
{
	g->override[0] = '\0';
	snprintf(g->name, sizeof(g->name), "%s", g->runs[0].name);
	if (g->nr > 1)
		snprintf(g->name + strlen(g->name),
			 sizeof(g->name) - strlen(g->name), " (+%zu more)",
			 g->nr - 1);
	for (size_t i = 1; i < g->nr; i++)
		for (const char *const *k = gb_pool_keys; *k; k++) {
			const char *a = gb_run_meta(&g->runs[0], *k);
			const char *b = gb_run_meta(&g->runs[i], *k);

			if (!strcmp(a, b))
				continue;
			if (force) {
				if (!g->override[0])
					snprintf(g->override,
						 sizeof(g->override), "%s "
						 "('%s' and '%s')", *k, a, b);
				continue;
			}
			snprintf(err, errlen, "cannot pool %s with %s: %s "
				 "differs ('%s' and '%s'); pool only runs of "
				 "one kernel on one machine, or add "
				 "--force-pool (recorded in the report)",
				 g->runs[i].dir, g->runs[0].dir, *k, b, a);
			return -1;
		}
	return 0;
}

size_t gb_group_replicates(const struct gb_group *g)
{
	size_t n = 0;

	for (size_t i = 0; i < g->nr; i++)
		n += g->runs[i].nr_replicates;
	return n;
}

/* ---- noise floors ---------------------------------------------------- */

static const char *const floor_header[] = {
	"scenario", "cell", "metric", "log_sd", "df", "cpu_model", NULL
};

int gb_floors_load(struct gb_floors *fl, const char *path, char *err,
		   size_t errlen)
{
	struct gb_tsv *t;
	size_t cap = 0;
	int r, ret = -1;

	memset(fl, 0, sizeof(*fl));
	if (!path)
		return 0;
	snprintf(fl->path, sizeof(fl->path), "%s", path);
	t = gb_zalloc(sizeof(*t));
	if (gb_tsv_open(t, path, floor_header, err, errlen))
		goto out;
	while ((r = gb_tsv_next(t, err, errlen)) == 1) {
		struct gb_floor_row *f;

		if (fl->n == cap) {
			cap = cap ? 2 * cap : 64;
			fl->rows = realloc(fl->rows, cap * sizeof(*fl->rows));
			if (!fl->rows)
				gb_die(GB_EXIT_FAILURE, "out of memory");
		}
		f = &fl->rows[fl->n];
		memset(f, 0, sizeof(*f));
		if (gb_tsv_number(t, 3, &f->f.log_sd, err, errlen) ||
		    gb_tsv_number(t, 4, &f->f.df, err, errlen))
			goto out;
		if (!(f->f.log_sd >= 0) || !(f->f.df >= 1)) {
			snprintf(err, errlen, "%s:%lu: log_sd must be >= 0 and "
				 "df >= 1", path, t->line);
			goto out;
		}
		snprintf(f->scenario, sizeof(f->scenario), "%s", t->col[0]);
		snprintf(f->cell, sizeof(f->cell), "%s", t->col[1]);
		snprintf(f->metric, sizeof(f->metric), "%s", t->col[2]);
		snprintf(fl->cpu_model, sizeof(fl->cpu_model), "%s",
			 t->col[5]);
		fl->n++;
	}
	if (r == 0)
		ret = 0;
out:
	gb_tsv_close(t);
	free(t);
	if (ret)
		gb_floors_free(fl);
	return ret;
}

const struct gb_floor *gb_floors_find(const struct gb_floors *fl,
				      const struct gb_summary_row *key)
{
	for (size_t i = 0; fl && i < fl->n; i++)
		if (!strcmp(fl->rows[i].metric, key->metric) &&
		    !strcmp(fl->rows[i].cell, key->cell) &&
		    !strcmp(fl->rows[i].scenario, key->scenario))
			return &fl->rows[i].f;
	return NULL;
}

void gb_floors_free(struct gb_floors *fl)
{
	free(fl->rows);
	fl->rows = NULL;
	fl->n = 0;
}

const char *const gb_skew_keys[] = {
	"cpu_model", "nr_cpus", "virt", "governor", "turbo", "smt", "thp",
	"mitigations", "aslr", "placement", "timer", "duration_s",
	"tool_version", NULL
};

