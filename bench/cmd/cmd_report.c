// SPDX-License-Identifier: GPL-2.0
/*
 * guard-bench report BASE NEW: the block a developer pastes under a
 * cover letter.  The test setup from both sides' meta.txt, compare's
 * table (gb_compare_build and compare's own printers: the report cannot
 * disagree with compare), the commands that reproduce it, and the plots
 * drawn for it.  Text fits 72 columns like compare's; markdown is the
 * same for a web archive or a pull request.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/commands.h"
#include "judge/compare.h"
#include "base/optparse.h"
#include "judge/report.h"
#include "files/run_dir.h"
#include "measure/scenario.h"
#include "base/util.h"

struct report_args {
	const char *plots;		/* directory plot.sh drew into */
	bool help;
	char **cmp_argv;		/* the rest, for compare's parser */
	int cmp_argc;
	int argc;			/* as given, for "Reproduce" */
	char **argv;
};

#define ARGS(field) offsetof(struct report_args, field)

/* report's own options; the rest are compare's */
static const struct gb_opt report_table[] = {
	{ "plots", 0, "DIR", GB_OPT_STRING, ARGS(plots), NULL,
	  "where scripts/plot.sh compare drew", "$PLOTS_DIR, else plots" },
	GB_OPT_HELP(struct report_args),
};

static const struct gb_optset report_opts = {
	GB_OPTSET("report", report_table), .pass_unknown = true,
};

static void report_usage(FILE *f)
{
	fprintf(f, "usage: guard-bench report [options] BASE NEW\n\n"
		"The block to paste under a cover letter: the test setup, "
		"compare's table,\nthe commands that reproduce it and the "
		"plots drawn for it.  BASE and NEW\nare run directories, or "
		"RUN1,RUN2,... for replicate runs of one kernel.\n\n");
	gb_opts_usage(&report_opts, f);
	fprintf(f, "\ncompare's options (--format text or markdown, "
		"--threshold, --all, ...) are\npassed on to it: see "
		"guard-bench compare --help\n\n"
		"Exit status: 0 a report was printed, %d usage, %d a run "
		"directory missing,\nempty or corrupt, %d the runs share no "
		"primary row (nothing in common).\n", GB_EXIT_USAGE,
		GB_EXIT_ENV, GB_EXIT_NOTHING_IN_COMMON);
}

/* --plots is ours; everything else is compare's to parse. */
static void parse(struct report_args *a, struct gb_compare *c, int argc,
		  char **argv)
{
	const char *env = getenv("PLOTS_DIR");

	memset(a, 0, sizeof(*a));
	a->argc = argc;
	a->argv = argv;
	a->cmp_argv = gb_zalloc(((size_t)argc + 1) * sizeof(*a->cmp_argv));
	gb_opts_parse_or_die(&report_opts, a, argc, argv, a->cmp_argv,
			     &a->cmp_argc);
	if (a->help) {
		report_usage(stdout);
		exit(GB_EXIT_OK);
	}
	if (!a->plots)
		a->plots = env && *env ? env : "plots";
	gb_report_parse(&c->opts, GB_CMD_COMPARE, a->cmp_argc, a->cmp_argv);
	if (c->opts.format == GB_FMT_TSV)
		gb_die(GB_EXIT_USAGE, "report --format tsv: a report is text "
		       "or markdown; for TSV use guard-bench compare --format "
		       "tsv");
	if (c->opts.nr_runs != 2)
		gb_die(GB_EXIT_USAGE, "report takes two run directories, BASE "
		       "and NEW, got %d: guard-bench report results/<old>/"
		       "<run> results/<new>/<run>", c->opts.nr_runs);
}

/* What the reader needs to judge the numbers, in this order. */
static const char *const setup_keys[] = {
	"kernel_release", "guard_path_detail", "cpu_model", "nr_cpus",
	"topology", "virt", "governor", "turbo", "smt", "thp", "mitigations",
	"aslr", "placement", "timer", "trials", "duration_s", "warmup_s",
	"emulation", "complete", "host", "tool_version", NULL
};

static void setup_line(FILE *f, bool md, const char *key, const char *bv,
		       const char *nv)
{
	char first[64], buf[2048];

	if (md) {
		if (!strcmp(bv, nv))
			fprintf(f, "| %s | %s (both) |\n", key, bv);
		else
			fprintf(f, "| %s | base: %s<br>new: %s |\n", key, bv,
				nv);
		return;
	}
	snprintf(first, sizeof(first), "  %-18s ", key);
	if (!strcmp(bv, nv)) {
		gb_put_wrapped(f, first, "                     ", bv);
		return;
	}
	snprintf(buf, sizeof(buf), "base: %s", bv);
	gb_put_wrapped(f, first, "                     ", buf);
	snprintf(buf, sizeof(buf), "new: %s", nv);
	gb_put_wrapped(f, "                     ", "                     ",
		       buf);
}

static void print_setup(FILE *f, bool md, const struct gb_compare *c)
{
	const struct gb_run *b = c->base, *n = c->new;
	char lb[512], ln[512];
	size_t rb = gb_group_replicates(&c->base_group);
	size_t rn = gb_group_replicates(&c->new_group);

	gb_run_label(b, lb, sizeof(lb));
	gb_run_label(n, ln, sizeof(ln));
	if (md)
		fprintf(f, "### Test setup\n\n| meta.txt | base, new |\n"
			"|---|---|\n| base | `%s`, %zu replicate(s): %s |\n"
			"| new | `%s`, %zu replicate(s): %s |\n", lb, rb,
			c->base_group.name, ln, rn, c->new_group.name);
	else
		fprintf(f, "Test setup (meta.txt of each side's first run)\n");
	if (!md) {
		char side[1024];

		snprintf(side, sizeof(side), "%s, %zu replicate(s) in %s", lb,
			 rb, c->base_group.name);
		setup_line(f, false, "base", side, side);
		snprintf(side, sizeof(side), "%s, %zu replicate(s) in %s", ln,
			 rn, c->new_group.name);
		setup_line(f, false, "new", side, side);
	}
	for (const char *const *k = setup_keys; *k; k++)
		setup_line(f, md, *k, gb_run_meta(b, *k), gb_run_meta(n, *k));
	if (md)
		fputc('\n', f);
}

/*
 * A shell command in lines of at most GB_TEXT_WIDTH columns, broken
 * with " \\" between words, never inside a quoted word.
 */
static void put_command(FILE *f, const char *indent, const char *cmd)
{
	size_t col = 0, ind = strlen(indent);
	const char *p = cmd;

	while (*p) {
		const char *w = p;
		bool quoted = false;
		size_t len;

		while (*p && (quoted || *p != ' ')) {
			quoted ^= *p == '\'';
			p++;
		}
		len = (size_t)(p - w);
		if (!col) {
			fputs(indent, f);
			col = ind;
		} else if (col + 1 + len + 2 > GB_TEXT_WIDTH) {
			fprintf(f, " \\\n%s    ", indent);
			col = ind + 4;
		} else {
			fputc(' ', f);
			col++;
		}
		fwrite(w, 1, len, f);
		col += len;
		while (*p == ' ')
			p++;
	}
	fputc('\n', f);
}

static void append(char **s, const char *word)
{
	char *t = gb_asprintf("%s %s", *s, word);

	free(*s);
	*s = t;
}

/* Each run's command as its meta.txt has it, once per distinct one. */
static void side_commands(FILE *f, const char *ind, const char *side,
			  const struct gb_group *g)
{
	fprintf(f, "%s# on %s (%s), guard-bench %s%s:\n", ind,
		gb_run_meta(&g->runs[0], "kernel_release"), side,
		gb_run_meta(&g->runs[0], "tool_version"),
		g->nr > 1 ? ", once per replicate run" : "");
	for (size_t i = 0; i < g->nr; i++) {
		const char *cmd = gb_run_meta(&g->runs[i], "command");
		bool seen = false;

		for (size_t k = 0; k < i; k++)
			seen |= !strcmp(cmd, gb_run_meta(&g->runs[k],
							 "command"));
		if (!seen)
			put_command(f, ind, cmd);
	}
}

static void print_commands(FILE *f, bool md, const struct report_args *a,
			   const struct gb_compare *c)
{
	const char *ind = md ? "" : "  ";
	char *cmd;

	fprintf(f, md ? "\n### Reproduce\n\n```\n" : "\nReproduce\n");
	if (c->base_group.nr == 1 && c->new_group.nr == 1 &&
	    !strcmp(gb_run_meta(c->base, "command"),
		    gb_run_meta(c->new, "command"))) {
		/* one command made both sides (--interleave) */
		fprintf(f, "%s# on %s, guard-bench %s: both sides\n", ind,
			gb_run_meta(c->base, "kernel_release"),
			gb_run_meta(c->base, "tool_version"));
		put_command(f, ind, gb_run_meta(c->base, "command"));
	} else {
		side_commands(f, ind, "base", &c->base_group);
		side_commands(f, ind, "new", &c->new_group);
	}
	fprintf(f, "%s# then, with both sides' run directories here:\n", ind);
	cmd = gb_strdup("guard-bench report");
	for (int i = 0; i < a->argc; i++)
		append(&cmd, a->argv[i]);
	put_command(f, ind, cmd);
	free(cmd);
	cmd = gb_asprintf("scripts/plot.sh compare %s %s", c->opts.runs[0],
			  c->opts.runs[1]);
	put_command(f, ind, cmd);
	free(cmd);
	if (md)
		fprintf(f, "```\n");
}

static int by_name(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/* Is compare-<metric>.png, or a sweep or CDF of it, about a primary metric? */
static bool primary_plot(const char *name)
{
	for (size_t s = 0; s < gb_nr_scenarios; s++)
		for (const char *const *p = gb_scenarios[s]->primary;
		     p && *p; p++) {
			char *want = gb_asprintf("compare-%.*s.png",
						 (int)strcspn(*p, "@"), *p);
			bool hit = !strcmp(name, want);

			free(want);
			if (hit)
				return true;
		}
	return false;
}

/* compare-*.png other than the overview: one metric's chart */
static bool metric_png(const char *name)
{
	size_t len = strlen(name);

	return !strncmp(name, "compare-", 8) && len >= 4 &&
	       !strcmp(name + len - 4, ".png") &&
	       strcmp(name, "compare-overview.png");
}

/*
 * plot.sh compare's PNGs: the overview and index first, then the ratio
 * chart of each primary metric; the others are counted, not listed.
 */
static void print_plots(FILE *f, bool md, const char *dir)
{
	static const char *const first[] = {
		"compare-overview.png", "index.html", NULL
	};
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, other = 0;

	fprintf(f, md ? "\n### Plots\n\n" : "\nPlots (PNG; SVG beside each)\n");
	for (const char *const *p = first; *p; p++) {
		char *path = gb_asprintf("%s/%s", dir, *p);

		if (!access(path, R_OK))
			fprintf(f, md ? "- `%s`\n" : "  %s\n", path);
		free(path);
	}
	while (d && (de = readdir(d))) {
		if (!metric_png(de->d_name))
			continue;
		if (!primary_plot(de->d_name)) {
			other++;
			continue;
		}
		names = realloc(names, (n + 1) * sizeof(*names));
		if (!names)
			gb_die(GB_EXIT_FAILURE, "out of memory");
		names[n++] = gb_strdup(de->d_name);
	}
	if (d)
		closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), by_name);
	for (size_t i = 0; i < n; i++) {
		fprintf(f, md ? "- `%s/%s`\n" : "  %s/%s\n", dir, names[i]);
		free(names[i]);
	}
	free(names);
	if (n || other) {
		char *more = gb_asprintf("and %zu more compare-*.png in %s/ "
					 "(CDFs, sweeps, descriptive metrics)",
					 other, dir);

		gb_put_wrapped(f, md ? "" : "  ", md ? "" : "  ", more);
		free(more);
		return;
	}
	{
		char *why = gb_asprintf("no compare plots in %s/: draw them "
					"with scripts/plot.sh compare BASE NEW "
					"(make report does)", dir);

		gb_put_wrapped(f, md ? "" : "  ", md ? "" : "  ", why);
		free(why);
	}
}

int gb_cmd_report(int argc, char **argv)
{
	struct gb_compare c = { 0 };
	struct report_args a;
	bool md;

	parse(&a, &c, argc, argv);
	/* bad input dies here as compare does: 3, or 6 for no primary row */
	gb_compare_build(&c);
	md = c.opts.format == GB_FMT_MARKDOWN;
	print_setup(stdout, md, &c);
	if (md) {
		fprintf(stdout, "### Compare\n\n");
		gb_compare_print_markdown(stdout, &c);
	} else {
		fputc('\n', stdout);
		gb_compare_print_text(stdout, &c);
	}
	print_commands(stdout, md, &a, &c);
	print_plots(stdout, md, a.plots);
	gb_compare_free(&c);
	free(a.cmp_argv);
	return fflush(stdout) ? GB_EXIT_FAILURE : GB_EXIT_OK;
}
