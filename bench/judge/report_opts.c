// SPDX-License-Identifier: GPL-2.0
/*
 * compare's and trend's options (tables for the option engine in
 * optparse.c), their usage text, and loading the runs they name.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/optparse.h"
#include "judge/report.h"
#include "base/util.h"

static int set_threshold(void *obj, const char *val, char *err,
			 size_t errlen)
{
	struct gb_report_opts *o = obj;
	char *num = gb_strdup(val);
	size_t n = strlen(num);
	double pct;
	int r;

	if (n && num[n - 1] == '%')
		num[n - 1] = '\0';
	r = gb_parse_double(num, 0.01, 50, &pct);
	free(num);
	if (r) {
		snprintf(err, errlen, "--threshold: '%s' is %s: give a "
			 "percentage from 0.01 to 50, e.g. 2 or 2%%", val,
			 r == -EINVAL ? "not a number" : "out of range");
		return -1;
	}
	o->delta = pct / 100;
	return 0;
}

static const struct gb_word compare_formats[] = {
	{ "text", GB_FMT_TEXT }, { "markdown", GB_FMT_MARKDOWN },
	{ "tsv", GB_FMT_TSV }, { NULL, 0 }
};
static const struct gb_word trend_formats[] = {
	{ "text", GB_FMT_TEXT }, { "tsv", GB_FMT_TSV }, { NULL, 0 }
};
/* chosen by A/A and injected-delay runs: METHODOLOGY.md */
static const struct gb_word normalisations[] = {
	{ "syscall", 1 }, { "none", 0 }, { NULL, 0 }
};

#define OPTS(field) offsetof(struct gb_report_opts, field)
#define FORMAT(table, what)						\
	{ "format", 0, "FMT", GB_OPT_CHOICE, OPTS(format), "text",	\
	  "text: " what, .words = (table), .stride = sizeof((table)[0]), \
	  .bad_word = "--format: unknown format '%s': use %s" }
/* the options compare and trend share, each written once */
#define SHARED_OPTS							\
	{ "threshold", 0, "PCT", GB_OPT_CUSTOM, 0, "2",			\
	  "delta: a change must exceed PCT% to count, and a CI inside "	\
	  "+-PCT% is equivalent", .set = set_threshold },		\
	{ "all", 0, NULL, GB_OPT_FLAG, OPTS(all), NULL,			\
	  "every row: the descriptive ones (tails, rates, counts, PMU) " \
	  "too, not only the primary rows that get a verdict" },	\
	{ "noise-floor", 0, "FILE", GB_OPT_STRING, OPTS(noise_floor), NULL, \
	  "a noise floor measured on this machine by make validate: lets " \
	  "a side with one replicate be judged" },			\
	{ "allow-incomplete", 0, NULL, GB_OPT_FLAG,			\
	  OPTS(allow_incomplete), NULL,					\
	  "take runs with complete: no (marked in every table)" },	\
	{ "force-pool", 0, NULL, GB_OPT_FLAG, OPTS(force_pool), NULL,	\
	  "pool runs that differ in a key that should match (recorded " \
	  "in the report)" }

static const struct gb_opt compare_table[] = {
	FORMAT(compare_formats, "<= 72 columns, for email"),
	SHARED_OPTS,
	{ "normalise", 0, "REF", GB_OPT_CHOICE, OPTS(normalise), "syscall",
	  "syscall: each latency divided by the same trial's speed "
	  "reference (ref_syscall_ns) before comparing, shown in ns at "
	  "base's speed; none: raw ns", .words = normalisations,
	  .stride = sizeof(normalisations[0]),
	  .bad_word = "--normalise: '%s': use %s" },
	GB_OPT_HELP(struct gb_report_opts),
};

static const struct gb_opt trend_table[] = {
	FORMAT(trend_formats, "<= 72 columns"),
	SHARED_OPTS,
	{ "changed", 0, NULL, GB_OPT_FLAG, OPTS(changed_only), NULL,
	  "text: only the cell x metric rows with a marked step" },
	GB_OPT_HELP(struct gb_report_opts),
};

static const struct gb_optset compare_opts = {
	GB_OPTSET("compare", compare_table), .positional = true,
};
static const struct gb_optset trend_opts = {
	GB_OPTSET("trend", trend_table), .positional = true,
};

void gb_report_usage(FILE *f, unsigned int cmd)
{
	if (cmd == GB_CMD_COMPARE)
		fprintf(f, "usage: guard-bench compare [options] BASE NEW\n\n"
			"The cover-letter table: NEW against BASE, primary row "
			"by primary row,\nwith a 95%% CI over replicates, a "
			"Holm-adjusted p, the change the\ncomparison could "
			"detect and a verdict.  BASE and NEW may each be\n"
			"several runs of one kernel, comma-separated "
			"(A1,A2,A3): pooled as\nreplicates.\n");
	else
		fprintf(f, "usage: guard-bench trend [options] RUN...\n\n"
			"Each primary row across kernels in version order; "
			"runs of one kernel\n(same release, label and "
			"machine) pool into one point as replicates;\nsteps "
			"that are significant (Holm within each step) and "
			"beyond the\nthreshold are marked.\n");
	fprintf(f, "%s: run directories, results/<kernel-release>/<host>-"
		"<UTC time>/\n\n",
		cmd == GB_CMD_COMPARE ? "BASE, NEW" : "RUN");
	gb_opts_usage(cmd == GB_CMD_COMPARE ? &compare_opts : &trend_opts, f);
	fprintf(f, "\nExit status: 0 a report was printed (whatever its "
		"verdicts), %d usage,\n%d a run directory missing, empty, "
		"corrupt or incomplete, or runs that\ncannot be pooled, %d "
		"the runs share no cell (compare: no primary row).\n", GB_EXIT_USAGE,
		GB_EXIT_ENV, GB_EXIT_NOTHING_IN_COMMON);
}

void gb_report_parse(struct gb_report_opts *o, unsigned int cmd,
		     int argc, char **argv)
{
	memset(o, 0, sizeof(*o));
	o->runs = gb_zalloc(((size_t)argc + 1) * sizeof(*o->runs));
	gb_opts_parse_or_die(cmd == GB_CMD_COMPARE ? &compare_opts :
			     &trend_opts, o, argc, argv, o->runs, &o->nr_runs);
}

struct gb_run *gb_report_load(const struct gb_report_opts *o, char **dirs,
			      int n)
{
	struct gb_run *runs = gb_zalloc((size_t)(n ? n : 1) * sizeof(*runs));
	char err[2048];

	for (int i = 0; i < n; i++) {
		if (gb_run_load(&runs[i], dirs[i], err, sizeof(err)))
			gb_die(GB_EXIT_ENV, "%s", err);
		if (!gb_run_complete(&runs[i]) && !o->allow_incomplete)
			gb_die(GB_EXIT_ENV, "%s is incomplete (complete: %s): "
			       "its cells may be missing or short; re-run it, "
			       "or add --allow-incomplete to use it anyway",
			       dirs[i], gb_run_meta(&runs[i], "complete"));
	}
	return runs;
}

char **gb_split_runs(const char *arg, int *n)
{
	char *copy = gb_strdup(arg), *tok, *save;
	char **out = gb_zalloc((strlen(arg) + 2) * sizeof(*out));

	*n = 0;
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save))
		out[(*n)++] = gb_strdup(tok);
	free(copy);
	return out;
}
