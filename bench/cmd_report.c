// SPDX-License-Identifier: GPL-2.0
/*
 * guard-bench report BASE NEW: the block a developer pastes under a
 * cover letter.  The test setup from both runs' meta.txt, compare's
 * table (compare itself, through compare_table.c), the commands that
 * reproduce it, and the plots drawn for it.  Text fits 72 columns like
 * compare's; markdown is the same for a web archive or a pull request.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "compare_table.h"
#include "report.h"
#include "run_dir.h"
#include "scenario.h"
#include "util.h"

struct report_args {
	bool markdown;
	const char *plots;		/* directory plot.sh drew into */
	const char *opts[7];		/* passed on to compare, NULL-ended */
	size_t nr_opts;
	const char *runs[2];
	int nr_runs;
};

static void report_usage(FILE *f)
{
	fprintf(f, "usage: guard-bench report [options] BASE NEW\n\n"
		"The block to paste under a cover letter: the test setup, "
		"compare's table,\nthe commands that reproduce it and the "
		"plots drawn for it.\n\nOptions:\n"
		"  --format FMT     text (default: <= 72 columns) or markdown\n"
		"  --threshold PCT  passed to compare (default: 2)\n"
		"  --seed N         passed to compare (default: 1)\n"
		"  --plots DIR      where scripts/plot.sh compare drew "
		"(default: $PLOTS_DIR,\n                   else plots)\n"
		"  --help           this text\n\n"
		"Exit status: 0 a report was printed, %d usage, %d a run "
		"directory missing,\nempty or corrupt, %d the runs share no "
		"primary row (nothing in common).\n", GB_EXIT_USAGE,
		GB_EXIT_ENV, GB_EXIT_NOTHING_IN_COMMON);
}

static void parse(struct report_args *a, int argc, char **argv)
{
	const char *env = getenv("PLOTS_DIR");

	memset(a, 0, sizeof(*a));
	a->plots = env && *env ? env : "plots";
	for (int i = 0; i < argc; i++) {
		const char *arg = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
			report_usage(stdout);
			exit(GB_EXIT_OK);
		}
		if (arg[0] != '-' || !arg[1]) {
			if (a->nr_runs == 2)
				gb_die(GB_EXIT_USAGE, "report takes two run "
				       "directories, BASE and NEW: '%s' is a "
				       "third", arg);
			a->runs[a->nr_runs++] = arg;
			continue;
		}
		if (strcmp(arg, "--format") && strcmp(arg, "--threshold") &&
		    strcmp(arg, "--seed") && strcmp(arg, "--plots"))
			gb_die(GB_EXIT_USAGE, "unknown option '%s': see "
			       "guard-bench report --help", arg);
		if (!val || !*val)
			gb_die(GB_EXIT_USAGE, "%s needs a value: see "
			       "guard-bench report --help", arg);
		i++;
		if (!strcmp(arg, "--plots")) {
			a->plots = val;
			continue;
		}
		if (!strcmp(arg, "--format")) {
			if (strcmp(val, "text") && strcmp(val, "markdown"))
				gb_die(GB_EXIT_USAGE, "--format: unknown "
				       "format '%s': use text or markdown",
				       val);
			a->markdown = !strcmp(val, "markdown");
		}
		for (size_t k = 0; k < a->nr_opts; k += 2)
			if (!strcmp(a->opts[k], arg))
				gb_die(GB_EXIT_USAGE, "%s given twice: give it "
				       "once", arg);
		a->opts[a->nr_opts++] = arg;
		a->opts[a->nr_opts++] = val;
	}
	if (a->nr_runs != 2)
		gb_die(GB_EXIT_USAGE, "report takes two run directories, BASE "
		       "and NEW, got %d: guard-bench report results/<old>/"
		       "<run> results/<new>/<run>", a->nr_runs);
}

/* The number of cell x primary metric rows both runs have. */
static size_t shared_primary(const struct gb_run *b, const struct gb_run *n)
{
	size_t shared = 0;

	for (size_t i = 0; i < b->nr_rows; i++) {
		const struct gb_summary_row *s = b->rows[i].sum;

		shared += gb_metric_primary(s->scenario, s->metric) &&
			  gb_run_find(n, s->scenario, s->cell, s->metric);
	}
	return shared;
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

static void print_setup(FILE *f, bool md, const struct gb_run *b,
			const struct gb_run *n)
{
	char lb[512], ln[512];

	gb_run_label(b, lb, sizeof(lb));
	gb_run_label(n, ln, sizeof(ln));
	if (md)
		fprintf(f, "### Test setup\n\n| meta.txt | base, new |\n"
			"|---|---|\n"
			"| base | `%s` (%s) |\n| new | `%s` (%s) |\n", lb,
			b->name, ln, n->name);
	else
		fprintf(f, "Test setup (meta.txt of each run)\n  %-18s %s\n"
			"  %-18s %s\n  %-18s %s\n  %-18s %s\n", "base", lb, "",
			b->name, "new", ln, "", n->name);
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

static void print_commands(FILE *f, bool md, const struct report_args *a,
			   const struct gb_run *b, const struct gb_run *n)
{
	const char *ind = md ? "" : "  ";
	char *cmd;

	fprintf(f, md ? "\n### Reproduce\n\n```\n" : "\nReproduce\n");
	fprintf(f, "%s# on %s (base), guard-bench %s:\n", ind,
		gb_run_meta(b, "kernel_release"),
		gb_run_meta(b, "tool_version"));
	put_command(f, ind, gb_run_meta(b, "command"));
	fprintf(f, "%s# on %s (new), guard-bench %s:\n", ind,
		gb_run_meta(n, "kernel_release"),
		gb_run_meta(n, "tool_version"));
	put_command(f, ind, gb_run_meta(n, "command"));
	fprintf(f, "%s# then, with both run directories here:\n", ind);
	cmd = gb_strdup("guard-bench report");
	for (size_t i = 0; i < a->nr_opts; i++)
		append(&cmd, a->opts[i]);
	append(&cmd, a->runs[0]);
	append(&cmd, a->runs[1]);
	put_command(f, ind, cmd);
	free(cmd);
	cmd = gb_asprintf("scripts/plot.sh compare %s %s", a->runs[0],
			  a->runs[1]);
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
			char *want = gb_asprintf("compare-%s.png", *p);
			bool hit = !strcmp(name, want);

			free(want);
			if (hit)
				return true;
		}
	return false;
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
		size_t len = strlen(de->d_name);

		if (strncmp(de->d_name, "compare-", 8) || len < 4 ||
		    strcmp(de->d_name + len - 4, ".png") ||
		    !strcmp(de->d_name, "compare-overview.png"))
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
	struct report_args a;
	struct gb_run *runs;
	int rc;

	parse(&a, argc, argv);
	runs = gb_report_load((char **)a.runs, 2);
	if (!shared_primary(&runs[0], &runs[1]))
		gb_die(GB_EXIT_NOTHING_IN_COMMON, "%s and %s share no primary "
		       "row (guard-bench primary RUN lists them): nothing to "
		       "report; run the same scenarios (-s) on both kernels",
		       a.runs[0], a.runs[1]);
	print_setup(stdout, a.markdown, &runs[0], &runs[1]);
	if (!a.markdown)
		fputc('\n', stdout);
	rc = gb_compare_print_table(stdout, a.runs[0], a.runs[1], a.opts);
	print_commands(stdout, a.markdown, &a, &runs[0], &runs[1]);
	print_plots(stdout, a.markdown, a.plots);
	gb_run_free(&runs[0]);
	gb_run_free(&runs[1]);
	free(runs);
	if (fflush(stdout))
		return GB_EXIT_FAILURE;
	return rc;
}
