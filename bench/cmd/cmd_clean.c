// SPDX-License-Identifier: GPL-2.0
/*
 * clean: what runs killed outright left behind.  $TMPDIR's directories
 * go; a results dot-dir is kept as an incomplete run (its summaries
 * rebuilt from trials.tsv, complete: no) or, with --remove, deleted.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cmd/commands.h"
#include "files/leftovers.h"
#include "files/results.h"
#include "measure/scenario.h"
#include "base/util.h"

struct clean_ctx {
	bool remove;
	int failed;
};

/* A kill between two writes leaves half a line: drop it. */
static int trim_partial_line(const char *path)
{
	char buf[GB_MAX_LINE + 2];
	int fd = open(path, O_RDWR | O_NOFOLLOW | O_CLOEXEC), ret = 0;
	struct stat st;
	off_t from;
	ssize_t got;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	from = st.st_size > (off_t)sizeof(buf) ?
	       st.st_size - (off_t)sizeof(buf) : 0;
	got = pread(fd, buf, (size_t)(st.st_size - from), from);
	while (got > 0 && buf[got - 1] != '\n')
		got--;
	if (got >= 0 && from + got != st.st_size && ftruncate(fd, from + got))
		ret = -errno;
	close(fd);
	return ret;
}

/* The cells of a killed run, as far as trials.tsv tells them. */
static long cells_from_trials(struct gb_trial_series *ser, long nser,
			      struct gb_cell **cells, char *why, size_t len)
{
	long n = 0;

	for (long i = 0; i < nser; i++) {
		const struct gb_scenario *sc;
		struct gb_cell *c = NULL;

		sc = gb_scenario_find(ser[i].scenario);
		if (!sc) {
			snprintf(why, len, "trials.tsv names scenario '%s', "
				 "which this guard-bench lacks",
				 ser[i].scenario);
			return -1;
		}
		for (long k = 0; k < n && !c; k++)
			if (cells[k]->sc == sc &&
			    !strcmp(cells[k]->label, ser[i].cell))
				c = cells[k];
		if (!c) {
			c = cells[n++] = gb_zalloc(sizeof(*c));
			c->sc = sc;
			snprintf(c->label, sizeof(c->label), "%s", ser[i].cell);
			c->status = GB_CELL_PARTIAL;
			snprintf(c->reason, sizeof(c->reason), "recovered from "
				 "trials.tsv by guard-bench clean: the run was "
				 "killed (threads and CPUs unknown)");
		}
		if (c->nr_series == GB_MAX_METRICS) {
			snprintf(why, len, "cell %s has over %d metrics",
				 c->label, GB_MAX_METRICS);
			return -1;
		}
		c->series[c->nr_series++] = (struct gb_series) {
			.unit = ser[i].unit, .n = ser[i].n, .v = ser[i].v,
		};
		snprintf(c->series[c->nr_series - 1].name,
			 sizeof(c->series[0].name), "%s", ser[i].metric);
	}
	return n;
}

/* The leftover's meta.txt, or -1 with why (a -R run's says where). */
static int leftover_meta(const struct gb_leftover *l, struct gb_meta *m,
			 char *why, size_t len)
{
	char *meta = gb_asprintf("%s/meta.txt", l->path);
	int ret = gb_meta_read(m, meta, why, len);

	if (ret) {
		char *reps = gb_asprintf("%s/replicates", l->path);

		/* a -R run killed before its merge wrote meta.txt */
		if (!access(reps, F_OK))
			snprintf(why, len, "a -R run killed before its merge: "
				 "its replicates are runs of their own in %s",
				 reps);
		free(reps);
	}
	free(meta);
	return ret;
}

/* Marked incomplete and killed, summarised and renamed into place. */
static int finish_kept(const struct gb_leftover *l, struct gb_results *r,
		       const char *trials, struct gb_cell **cells, long n,
		       struct gb_meta *m, char *why, size_t len)
{
	char ts[32];

	gb_utc_iso(ts, sizeof(ts), time(NULL));
	gb_meta_set(m, "complete", "no");
	gb_meta_set(m, "stopped_by", "killed: PID %d was gone before the "
		    "run finished; kept by guard-bench clean at %s",
		    (int)l->pid, ts);
	memset(r, 0, sizeof(*r));
	snprintf(r->tmp, sizeof(r->tmp), "%s", l->path);
	snprintf(r->final, sizeof(r->final), "%s", l->final);
	r->trials = gb_trials_open(&r->trials_file, trials, O_APPEND);
	if (!r->trials) {
		snprintf(why, len, "%s: %s", trials, strerror(errno));
		return -1;
	}
	return gb_results_finish(r, cells, (size_t)n, m, 1.0, why, len);
}

static int keep_run(const struct gb_leftover *l, struct gb_results *r,
		    char *why, size_t len)
{
	char *trials = gb_asprintf("%s/trials.tsv", l->path);
	struct gb_trial_series *ser = NULL;
	struct gb_cell **cells = NULL;
	struct gb_meta m = { 0 };
	long nser = -1, n = -1;
	int ret = -1;
	struct stat st;

	if (leftover_meta(l, &m, why, len))
		goto out;
	/* killed before its first trial: nothing to keep */
	if (!stat(trials, &st) && st.st_size == 0) {
		ret = 1;
		goto out;
	}
	if (trim_partial_line(trials) ||
	    (nser = gb_trials_read(trials, &ser, why, len)) < 0)
		goto out;
	if (!nser) {
		ret = 1;
		goto out;
	}
	cells = gb_zalloc((size_t)nser * sizeof(*cells));
	n = cells_from_trials(ser, nser, cells, why, len);
	if (n < 0)
		goto out;
	ret = finish_kept(l, r, trials, cells, n, &m, why, len);
out:
	for (long i = 0; cells && i < n; i++)
		free(cells[i]);
	free(cells);
	if (nser > 0)
		gb_trials_free(ser, nser);
	gb_meta_free(&m);
	free(trials);
	return ret;
}

static void clean_one(const struct gb_leftover *l, void *arg)
{
	struct clean_ctx *ctx = arg;
	struct gb_results r;
	char why[1024] = "";
	int ret;

	if (!l->is_run || ctx->remove) {
		gb_leftover_remove(l);
		printf("removed %s (left by PID %d, gone)\n", l->path,
		       (int)l->pid);
		return;
	}
	ret = keep_run(l, &r, why, sizeof(why));
	if (!ret) {
		printf("kept %s as %s (complete: no; left by PID %d, gone)\n",
		       l->path, r.final, (int)l->pid);
		return;
	}
	if (ret > 0) {
		gb_leftover_remove(l);
		printf("removed %s (left by PID %d, gone): no trial finished\n",
		       l->path, (int)l->pid);
		return;
	}
	ctx->failed++;
	gb_warn("cannot keep %s as a run: %s: `guard-bench clean --remove` "
		"deletes it", l->path, why);
}

struct clean_args {
	const char *results_dir;
	bool remove;
	bool help;
};

static const struct gb_opt clean_table[] = {
	GB_OPT_RESULTS_DIR(struct clean_args, "where runs land"),
	{ "remove", 0, NULL, GB_OPT_FLAG, offsetof(struct clean_args, remove),
	  NULL, "delete what killed runs left instead of keeping it" },
	GB_OPT_HELP(struct clean_args),
};

static const struct gb_optset clean_opts = {
	GB_OPTSET("clean", clean_table),
};

static void clean_usage(FILE *f)
{
	fprintf(f, "usage: guard-bench clean [options]\n\n"
		"What runs killed outright (SIGKILL, the OOM killer) left:\n"
		"their $TMPDIR/guard-bench.PID.* directories are removed;\n"
		"their DIR/<release>/.<name>.tmp.PID directories (DIR:\n"
		"-o, --results-dir, default results) are kept as incomplete\n"
		"runs under <name> (summaries rebuilt from trials.tsv,\n"
		"complete: no), or with --remove deleted.  A run still in\n"
		"progress is never touched.\n\n");
	gb_opts_usage(&clean_opts, f);
}

int gb_cmd_clean(int argc, char **argv)
{
	struct clean_ctx ctx = { 0 };
	struct clean_args args;
	const char *root;
	size_t n;

	gb_opts_parse_or_die(&clean_opts, &args, argc, argv, NULL, NULL);
	if (args.help) {
		clean_usage(stdout);
		return GB_EXIT_OK;
	}
	ctx.remove = args.remove;
	root = args.results_dir;
	n = gb_leftovers(root, clean_one, &ctx);
	if (!n)
		printf("nothing left by killed runs under %s or in $TMPDIR\n",
		       root);
	return ctx.failed ? GB_EXIT_ENV : GB_EXIT_OK;
}
