// SPDX-License-Identifier: GPL-2.0
/*
 * run -R N: the process that validated the options becomes an
 * orchestrator.  Each replicate is a fresh exec of this binary with the
 * same options, writing an ordinary run directory under
 * <run>/replicates/r<K>/; what finished is merged into <run>/ (merge.c).
 * With --interleave the normal and the emulated run are made side by
 * side, their replicates alternating, so drift falls on both alike.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cmd/commands.h"
#include "judge/headline.h"
#include "files/leftovers.h"
#include "files/merge.h"
#include "cmd/run.h"
#include "measure/speedref.h"
#include "base/util.h"

/* Options the orchestrator sets itself on each replicate's command. */
static const char *const own_options[] = {
	"replicates", "order-seed", "interleave", "results-dir", "budget",
	"emulate", "replicate", NULL
};

/* Keys of a replicate's meta.txt that describe it, not the merge. */
static const char *const replicate_keys[] = {
	"replicate", "cell_order", "setup_s", "cells_s", "planned_s",
	"stopped_by", "started", "finished", "complete", "command",
	"budget_s", NULL
};

/* --interleave: the order replicates were launched in, for meta.txt */
static char sequence[8192];

struct side {
	const char *what;		/* "normal", "emulated"; "" alone */
	bool emulated;
	struct gb_results res;
	struct gb_meta meta;
	char root[4096];		/* <run>/replicates */
	int *rc;			/* per launched replicate: exit status */
	char (*why)[256];		/* per replicate: why it failed */
	double *overhead_s;		/* wall time minus planned_s */
	unsigned int launched;
};

static bool in_list(const char *const *list, const char *s)
{
	for (; *list; list++)
		if (!strcmp(*list, s))
			return true;
	return false;
}

/* Poll so a signal is forwarded however it races with the wait. */
static int wait_child(pid_t pid, int *status)
{
	struct timespec nap = { 0, 20 * 1000 * 1000 };
	bool forwarded = false;

	for (;;) {
		pid_t r;

		if (gb_signalled && !forwarded) {
			/* its own handler keeps what finished, complete: no */
			kill(pid, (int)gb_signalled);
			forwarded = true;
		}
		r = waitpid(pid, status, WNOHANG);
		if (r == pid)
			return 0;
		if (r < 0 && errno != EINTR)
			return -errno;
		nanosleep(&nap, NULL);
	}
}

static pid_t launch(char **args)
{
	pid_t pid = fork();
	int fd;

	if (pid)
		return pid;
	/* its own group: a terminal's ^C reaches us, and we forward it */
	setpgid(0, 0);
	/* each replicate's table is noise; ours comes after the merge */
	fd = open("/dev/null", O_WRONLY);
	if (fd >= 0)
		dup2(fd, STDOUT_FILENO);
	execv("/proc/self/exe", args);
	fprintf(stderr, "guard-bench: error: cannot exec /proc/self/exe: %s\n",
		strerror(errno));
	_exit(GB_EXIT_FAILURE);
}

/* argv of replicate @k of @sd: the user's options, then ours. */
static char **child_args(struct gb_run_state *st, const struct side *sd,
			 unsigned int k, double budget)
{
	char **args = gb_zalloc(((size_t)st->argc + 16) * sizeof(*args));
	int n = 0;

	args[n++] = st->self_argv[0];
	args[n++] = "run";
	n += gb_config_strip(st->argc, st->argv, own_options, args + n);
	if (sd->emulated) {
		args[n++] = "--emulate";
		args[n++] = "write-lock";
	}
	if (budget > 0) {
		args[n++] = "--budget";
		args[n++] = gb_asprintf("%.3f", budget);
	}
	args[n++] = "--replicate";
	args[n++] = gb_asprintf("%u", k);
	args[n++] = "--order-seed";
	args[n++] = gb_asprintf("%llu", (unsigned long long)st->order_seed);
	args[n++] = "--results-dir";
	args[n++] = (char *)sd->root;
	args[n] = NULL;
	return args;
}

static void free_args(char **args)
{
	bool value = false;	/* args[i] is the value of one of ours */

	/* the ones we printed: budget, replicate, order seed */
	for (int i = 0; args[i]; i++) {
		bool ours = !strcmp(args[i], "--budget") ||
			    !strcmp(args[i], "--replicate") ||
			    !strcmp(args[i], "--order-seed");

		if (value)
			free(args[i]);
		value = ours;
	}
	free(args);
}

static char *replicate_dir(const struct side *sd, unsigned int k)
{
	return gb_asprintf("%s/r%u", sd->root, k);
}

/* After replicate @k of @sd exited with @status: say how it went. */
static void judge(struct gb_run_state *st, struct side *sd, unsigned int k,
		  int status, double wall)
{
	char *dir = replicate_dir(sd, k), *path, err[512];
	struct gb_meta *m = gb_zalloc(sizeof(*m));
	const char *v;
	int i = (int)k - 1;

	sd->rc[i] = WIFEXITED(status) ? WEXITSTATUS(status) :
		    128 + WTERMSIG(status);
	path = gb_asprintf("%s/meta.txt", dir);
	if (!gb_meta_read(m, path, err, sizeof(err))) {
		/* all that the plan's estimate of its cells leaves out */
		v = gb_meta_get(m, "planned_s");
		if (v)
			sd->overhead_s[i] = wall - atof(v);
		v = gb_meta_get(m, "stopped_by");
		if (v)
			snprintf(sd->why[i], sizeof(sd->why[i]), "%s (exit "
				 "status %d)", v, sd->rc[i]);
	}
	if (!sd->rc[i]) {
		fprintf(stderr, "replicate %u/%ld%s%s: done in %.1f s\n", k,
			st->cfg.replicates, sd->what[0] ? " " : "", sd->what,
			wall);
	} else {
		if (!WIFEXITED(status))
			snprintf(sd->why[i], sizeof(sd->why[i]), "killed by "
				 "signal %d, its trials left in %s/.r%u.tmp.*",
				 WTERMSIG(status), sd->root, k);
		else if (!sd->why[i][0])
			snprintf(sd->why[i], sizeof(sd->why[i]), "exit status "
				 "%d and no run directory: see its message "
				 "above", sd->rc[i]);
		gb_warn("replicate %u/%ld%s%s %s: %s", k, st->cfg.replicates,
			sd->what[0] ? " " : "", sd->what,
			sd->rc[i] == GB_EXIT_INTERRUPTED ? "interrupted" :
			"failed", sd->why[i]);
	}
	gb_meta_free(m);
	free(m);
	free(path);
	free(dir);
}

/* One replicate: exec, wait, judge.  Budget 0: none. */
static void run_one(struct gb_run_state *st, struct side *sd, unsigned int k,
		    double budget)
{
	char **args = child_args(st, sd, k, budget);
	double t0 = gb_mono_sec();
	int status = 0;
	pid_t pid;

	fprintf(stderr, "replicate %u/%ld%s%s: starting%s", k,
		st->cfg.replicates, sd->what[0] ? " " : "", sd->what,
		budget > 0 ? "" : "\n");
	if (budget > 0)
		fprintf(stderr, ", budget %.1f s\n", budget);
	sd->launched = k;
	if (strlen(sequence) + 32 < sizeof(sequence))
		snprintf(sequence + strlen(sequence), 32, "%s%s:r%u",
			 sequence[0] ? "," : "", sd->what, k);
	pid = launch(args);
	free_args(args);
	if (pid < 0) {
		sd->rc[k - 1] = GB_EXIT_FAILURE;
		snprintf(sd->why[k - 1], sizeof(sd->why[k - 1]), "fork: %s",
			 strerror(errno));
		gb_warn("replicate %u: %s", k, sd->why[k - 1]);
		return;
	}
	setpgid(pid, pid);
	if (wait_child(pid, &status)) {
		sd->rc[k - 1] = GB_EXIT_FAILURE;
		snprintf(sd->why[k - 1], sizeof(sd->why[k - 1]), "waitpid: %s",
			 strerror(errno));
		return;
	}
	judge(st, sd, k, status, gb_mono_sec() - t0);
}

/* Mean fixed cost of the replicates so far; @first before any ran. */
static double overhead(const struct side *sides, size_t nsides, double first)
{
	double sum = 0;
	unsigned int n = 0;

	for (size_t s = 0; s < nsides; s++)
		for (unsigned int k = 0; k < sides[s].launched; k++)
			if (sides[s].overhead_s[k] > 0) {
				sum += sides[s].overhead_s[k];
				n++;
			}
	return n ? sum / n : first;
}

/*
 * What a cell costs beyond its warm-up, trials and lock phase (threads,
 * mappings, teardown): 0.15-0.18 s measured with the default matrix on
 * the 2-vCPU VM (cells_s - planned_s over 55 cells, at -d 0.05 and 0.2).
 * Only the first replicate's guess; later ones use the measured cost.
 */
#define CELL_FIXED_S 0.16

static void run_all(struct gb_run_state *st, struct side *sides, size_t nsides)
{
	unsigned int total = (unsigned int)st->cfg.replicates *
			     (unsigned int)nsides, done = 0;
	double t0 = gb_mono_sec(), setup = t0 - st->t_entry;
	size_t cells = 0;

	for (size_t i = 0; i < st->plan.nr; i++)
		cells += !st->plan.cells[i]->is_control;
	setup += CELL_FIXED_S * (double)cells;

	for (unsigned int k = 1; k <= st->cfg.replicates; k++) {
		for (size_t s = 0; s < nsides; s++, done++) {
			double budget = 0;

			if (gb_signalled)
				return;
			/* what is left, shared by what is left to run */
			if (st->cfg.budget_s)
				budget = (st->cfg.budget_s -
					  (gb_mono_sec() - t0)) /
					 (total - done) -
					 overhead(sides, nsides, setup);
			if (st->cfg.budget_s && budget < 1)
				budget = 1;	/* --budget's least */
			run_one(st, &sides[s], k, budget);
		}
	}
}

/* The merged run's meta: the first replicate's, less what was its own. */
static void side_meta(struct gb_run_state *st, struct side *sd,
		      const struct gb_meta *first, const char *merged,
		      unsigned int nr_merged, bool complete)
{
	struct gb_meta *m = &sd->meta;
	char ts[32], fail[4096] = "", over[4096] = "";
	size_t fu = 0, ou = 0;

	for (size_t i = 0; i < first->n; i++)
		if (!in_list(replicate_keys, first->key[i]))
			gb_meta_set(m, first->key[i], "%s", first->val[i]);
	gb_meta_set(m, "replicates", "%u", nr_merged);
	gb_meta_set(m, "replicates_planned", "%ld", st->cfg.replicates);
	gb_meta_set(m, "replicates_merged", "%s", merged);
	for (unsigned int k = 0; k < sd->launched; k++) {
		if (sd->rc[k] && fu < sizeof(fail))
			fu += (size_t)snprintf(fail + fu, sizeof(fail) - fu,
					       "%sr%u: %s", fu ? "; " : "",
					       k + 1, sd->why[k]);
		if (sd->overhead_s[k] > 0 && ou < sizeof(over))
			ou += (size_t)snprintf(over + ou, sizeof(over) - ou,
					       "%s%.3f", ou ? "," : "",
					       sd->overhead_s[k]);
	}
	if (fu)
		gb_meta_set(m, "replicate_failures", "%s", fail);
	if (st->cfg.interleave)
		gb_meta_set(m, "replicate_sequence", "%s", sequence);
	gb_meta_set(m, "replicate_overhead_s", "%s", ou ? over : "-");
	gb_meta_set(m, "order_seed", "%llu",
		    (unsigned long long)st->order_seed);
	if (st->cfg.budget_s)
		gb_meta_set(m, "budget_s", "%g over all replicates",
			    st->cfg.budget_s);
	gb_meta_command(st, m);
	gb_utc_iso(ts, sizeof(ts), st->started);
	gb_meta_set(m, "started", "%s", ts);
	gb_utc_iso(ts, sizeof(ts), time(NULL));
	gb_meta_set(m, "finished", "%s", ts);
	gb_meta_set(m, "complete", "%s", complete ? "yes" : "no");
	if (gb_signalled)
		gb_meta_set(m, "stopped_by", "signal %d", (int)gb_signalled);
	else if (!complete)
		gb_meta_set(m, "stopped_by", "replicates failed: %s",
			    fu ? fail : "see replicates/");
}

/*
 * The replicates to merge: those that completed; when none did, those
 * that left a run directory at all (interrupted: finished trials kept).
 * Their directories in @dirs, 1..nr in @reps, "r1,r3" in @merged.
 */
static unsigned int pick_replicates(struct side *sd, char **dirs,
				    unsigned int *reps, char *merged,
				    size_t mergedlen)
{
	unsigned int nr = 0;
	size_t used = 0;

	for (int pass = 0; pass < 2 && !nr; pass++) {
		for (unsigned int k = 1; k <= sd->launched; k++) {
			char *dir = replicate_dir(sd, k);
			char *meta = gb_asprintf("%s/meta.txt", dir);

			if ((!pass && sd->rc[k - 1]) || access(meta, F_OK)) {
				free(dir);
				free(meta);
				continue;
			}
			free(meta);
			dirs[nr] = dir;
			/* 1..nr: readers count replicates by the highest */
			reps[nr] = nr + 1;
			nr++;
			used += (size_t)snprintf(merged + used,
					mergedlen - used, "%sr%u%s",
					used ? "," : "", k,
					pass ? " (incomplete)" : "");
		}
	}
	return nr;
}

/* The merged side's meta, topology and tables; 0 or -1. */
static int write_side(struct gb_run_state *st, struct side *sd,
		      struct gb_merge *mg, const char *first,
		      const char *merged, unsigned int nr, bool complete)
{
	char err[1024], *from, *to;
	int ret;

	side_meta(st, sd, &mg->meta, merged, nr, complete);
	/* the first replicate's speed and balance checks: over all */
	gb_meta_checks(&sd->meta, mg->cells, mg->nr_cells);
	if (mg->unplanned)
		gb_meta_set(&sd->meta, "rows_not_merged", "%zu rows of cells "
			    "the emulated side does not run (fork, stacks' "
			    "other modes): nothing to compare them with; each "
			    "replicate under replicates/ keeps them",
			    mg->unplanned);
	from = gb_asprintf("%s/topology.xml", first);
	to = gb_results_path(&sd->res, "topology.xml");
	gb_copy_file(from, to);
	free(from);
	free(to);
	sd->res.cells_from = mg->cells_tsv;
	ret = gb_results_finish(&sd->res, mg->cells, mg->nr_cells, &sd->meta,
				mg->ns_per_tick, err, sizeof(err));
	if (ret)
		gb_warn("%s: every finished replicate is kept in %s: free "
			"space, then merge or compare them from there", err,
			sd->root);
	else
		gb_run_outcome(stdout, st->cfg.verbose, mg->cells,
			       mg->nr_cells, sd->res.final);
	return ret;
}

/* Merge one side's replicates into its run directory; 0 or -1. */
static int finish_side(struct gb_run_state *st, struct side *sd,
		       struct gb_merge *mg, bool *complete)
{
	unsigned int nr, *reps;
	char **dirs;
	char merged[4096] = "", err[1024];
	int ret = -1;

	reps = gb_zalloc(sd->launched * sizeof(*reps) + 1);
	dirs = gb_zalloc(sd->launched * sizeof(*dirs) + 1);
	*complete = sd->launched == st->cfg.replicates;
	for (unsigned int k = 1; k <= sd->launched; k++)
		*complete &= !sd->rc[k - 1];
	nr = pick_replicates(sd, dirs, reps, merged, sizeof(merged));
	if (!nr) {
		gb_warn("%s%sno replicate left a run directory: nothing "
			"merged; see the messages above", sd->what,
			sd->what[0] ? ": " : "");
		gb_results_abort(&sd->res);
		goto out;
	}
	mg->emulated = sd->emulated;
	mg->skip_unplanned = st->cfg.interleave && !sd->emulated;
	mg->unplanned = 0;
	ret = gb_merge_dirs(mg, &sd->res, dirs, reps, nr, err, sizeof(err));
	if (ret) {
		gb_warn("merging %s: %s", sd->res.tmp, err);
		gb_results_abort(&sd->res);
		goto out;
	}
	ret = write_side(st, sd, mg, dirs[0], merged, nr, *complete);
out:
	for (unsigned int i = 0; i < nr; i++)
		free(dirs[i]);
	free(dirs);
	free(reps);
	return ret;
}

/* Each side of --interleave names the other in its meta.txt. */
static void link_sides(struct side *sides)
{
	for (int s = 0; s < 2; s++) {
		char *path = gb_asprintf("%s/meta.txt", sides[s].res.final);
		char *tmp = gb_asprintf("%s.new", path);

		gb_meta_set(&sides[s].meta, "interleaved_with", "%s",
			    sides[!s].res.final);
		if (gb_meta_write(&sides[s].meta, tmp) || rename(tmp, path))
			gb_warn("cannot record interleaved_with in %s: %s",
				path, strerror(errno));
		free(tmp);
		free(path);
	}
}

static void create_side(struct gb_run_state *st, struct side *sd,
			const char *release, const char *name)
{
	char err[1024];
	unsigned int r = (unsigned int)st->cfg.replicates;

	if (gb_results_create(&sd->res, st->cfg.results_dir, release, name,
			      err, sizeof(err)))
		gb_die(GB_EXIT_ENV, "%s: give --results-dir a writable place",
		       err);
	/* ours while we live: no other run takes it for a leftover */
	gb_hold_dir(sd->res.tmp);
	snprintf(sd->root, sizeof(sd->root), "%s/replicates", sd->res.tmp);
	if (mkdir(sd->root, 0755))
		gb_die(GB_EXIT_ENV, "cannot create %s: %s: give "
		       "--results-dir a writable place", sd->root,
		       strerror(errno));
	sd->rc = gb_zalloc(r * sizeof(*sd->rc));
	sd->why = gb_zalloc(r * sizeof(*sd->why));
	sd->overhead_s = gb_zalloc(r * sizeof(*sd->overhead_s));
}

int gb_replicates_run(struct gb_run_state *st, const char *release,
		      const char *base)
{
	static struct side sides[2];
	struct gb_merge mg = { .cells = st->plan.cells,
			       .nr_cells = st->plan.nr };
	size_t nsides = st->cfg.interleave ? 2 : 1;
	bool complete, all = true;
	char name[512];
	int rc = GB_EXIT_OK;

	sides[0].what = st->cfg.interleave ? "normal" : "";
	sides[0].emulated = st->cfg.emulate && !st->cfg.interleave;
	sides[1].what = "emulated";
	sides[1].emulated = true;
	for (size_t s = 0; s < nsides; s++) {
		snprintf(name, sizeof(name), "%s%s%s", base, s ? "-" : "",
			 s ? sides[s].what : "");
		create_side(st, &sides[s], release, name);
	}
	fprintf(stderr, "guard-bench: %ld replicate%s%s of %zu cells, order "
		"seed %llu; writing %s%s%s\n", st->cfg.replicates,
		st->cfg.replicates == 1 ? "" : "s",
		nsides == 2 ? " a side, normal and emulated alternating" : "",
		st->plan.nr, (unsigned long long)st->order_seed,
		sides[0].res.tmp, nsides == 2 ? " and " : "",
		nsides == 2 ? sides[1].res.tmp : "");
	run_all(st, sides, nsides);

	for (size_t s = 0; s < nsides; s++) {
		if (s)
			gb_merge_reset(&mg);
		if (finish_side(st, &sides[s], &mg, &complete))
			rc = GB_EXIT_FAILURE;
		all &= complete;
	}
	if (nsides == 2 && !access(sides[0].res.final, F_OK) &&
	    !access(sides[1].res.final, F_OK))
		link_sides(sides);
	if (gb_signalled)
		rc = GB_EXIT_INTERRUPTED;
	else if (!all && rc == GB_EXIT_OK)
		rc = GB_EXIT_FAILURE;
	for (size_t s = 0; s < nsides; s++)
		if (sides[s].res.final[0] && !access(sides[s].res.final, F_OK))
			printf("results%s%s: %s%s\nfull table: %s/summary.txt\n",
			       sides[s].what[0] ? " " : "", sides[s].what,
			       sides[s].res.final,
			       rc ? "  (incomplete: complete: no)" : "",
			       sides[s].res.final);
	if (nsides == 2 && rc != GB_EXIT_FAILURE)
		printf("compare: guard-bench compare %s %s\n",
		       sides[0].res.final, sides[1].res.final);
	gb_merge_reset(&mg);
	for (size_t s = 0; s < nsides; s++)
		gb_meta_free(&sides[s].meta);
	return rc;
}
