// SPDX-License-Identifier: GPL-2.0
/*
 * run: validate everything first (a usage error writes nothing), then
 * measure, then write one results directory.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "measure/clock.h"
#include "cmd/commands.h"
#include "measure/harness.h"
#include "judge/headline.h"
#include "measure/kernel.h"
#include "files/label.h"
#include "files/leftovers.h"
#include "measure/order.h"
#include "measure/params.h"
#include "files/results.h"
#include "cmd/run.h"
#include "measure/sysinfo.h"
#include "measure/topo.h"
#include "base/util.h"

char **gb_main_argv;

static void run_usage(void)
{
	printf("usage: guard-bench run [options]\n\n");
	gb_config_usage(stdout);
	printf("\nExit status: see guard-bench --help.\n");
}

static void select_scenarios(struct gb_run_state *st)
{
	const char *list = st->cfg.scenarios;
	char *copy, *tok, *save;

	if (!list) {
		for (size_t i = 0; i < gb_nr_scenarios; i++)
			st->selected[st->nr_selected++] = gb_scenarios[i];
		return;
	}
	copy = gb_strdup(list);
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		const struct gb_scenario *sc = gb_scenario_find(tok);

		if (!sc)
			gb_die(GB_EXIT_USAGE, "unknown scenario '%s': "
			       "`guard-bench list` shows them", tok);
		for (size_t i = 0; i < st->nr_selected; i++)
			if (st->selected[i] == sc)
				gb_die(GB_EXIT_USAGE, "scenario '%s' given "
				       "twice: name each once", tok);
		if (st->nr_selected == ARRAY_SIZE(st->selected))
			gb_die(GB_EXIT_USAGE, "too many scenarios");
		st->selected[st->nr_selected++] = sc;
	}
	free(copy);
	if (!st->nr_selected)
		gb_die(GB_EXIT_USAGE, "--scenario: empty list: name at least "
		       "one (guard-bench list)");
}

/* A parameter given for scenarios that are not selected is a mistake. */
static void check_params_used(struct gb_run_state *st)
{
	for (size_t i = 0; i < st->cfg.nr_params; i++) {
		const struct gb_param_val *p = &st->cfg.params[i];
		bool used = false;

		if (!p->given)
			continue;
		for (size_t s = 0; s < st->nr_selected; s++)
			used |= gb_param_use(st->selected[s], p->def) != NULL;
		if (!used)
			gb_die(GB_EXIT_USAGE, "--%s applies to no selected "
			       "scenario: drop it or add its scenario with "
			       "--scenario", p->def->name);
	}
}

static void parse(struct gb_run_state *st, int argc, char **argv)
{
	struct gb_config *cfg = &st->cfg;
	char err[512];

	gb_config_init(cfg);
	if (gb_config_parse(cfg, argc, argv, err, sizeof(err)))
		gb_die(GB_EXIT_USAGE, "%s", err);
	if (cfg->help) {
		run_usage();
		exit(GB_EXIT_OK);
	}
	select_scenarios(st);
	check_params_used(st);
	if (cfg->label && gb_label_check(cfg->label, err, sizeof(err)))
		gb_die(GB_EXIT_USAGE, "%s", err);
	if (cfg->interleave && !cfg->emulate)
		gb_die(GB_EXIT_USAGE, "--interleave alternates normal and "
		       "emulated replicates: add --emulate write-lock");
	st->order_seed = cfg->order_seed >= 0 ? (uint64_t)cfg->order_seed :
			 gb_order_seed_now();
	st->replicate = cfg->replicate ? (unsigned int)cfg->replicate : 1;
}

/* This replicate's cell order, and where its run directory goes. */
static void order_cells(struct gb_run_state *st)
{
	st->order = gb_zalloc((st->plan.nr + 1) * sizeof(*st->order));
	gb_cell_order(st->order_seed, st->replicate, st->order,
		      st->plan.nr);
}


/*
 * Page-table layout follows the address layout, so randomisation moves
 * results between runs.  Re-exec once with ADDR_NO_RANDOMIZE (the
 * personality survives exec), as setarch -R would: @self_argv is
 * main()'s whole argv, the command line this process runs again.
 */
static void aslr_off(struct gb_run_state *st, char **self_argv)
{
	int pers = personality(0xffffffff);
	char sys[16] = "?";

	gb_read_line("/proc/sys/kernel/randomize_va_space", sys, sizeof(sys));
	if (!strcmp(st->cfg.aslr, "keep")) {
		snprintf(st->aslr, sizeof(st->aslr),
			 "as system (randomize_va_space=%s, --aslr keep)", sys);
		return;
	}
	if (pers != -1 && (pers & ADDR_NO_RANDOMIZE)) {
		snprintf(st->aslr, sizeof(st->aslr),
			 "off for this run (personality ADDR_NO_RANDOMIZE)");
		return;
	}
	if (pers == -1 || personality((unsigned long)pers | ADDR_NO_RANDOMIZE) == -1) {
		snprintf(st->aslr, sizeof(st->aslr),
			 "as system (randomize_va_space=%s): personality() "
			 "refused: %s", sys, strerror(errno));
		return;
	}
	execv("/proc/self/exe", self_argv);
	personality((unsigned long)pers);
	snprintf(st->aslr, sizeof(st->aslr),
		 "as system (randomize_va_space=%s): re-exec failed: %s", sys,
		 strerror(errno));
}

static void setup_topology(struct gb_run_state *st)
{
	struct gb_config *cfg = &st->cfg;
	int ret = gb_topo_init(&st->topo, (int)cfg->subject_cpu);
	unsigned int want;

	if (ret == -ENODEV)
		gb_die(GB_EXIT_USAGE, "--cpu %ld is not a CPU this process may "
		       "use: pick one that `guard-bench detect` lists",
		       cfg->subject_cpu);
	if (ret)
		gb_die(GB_EXIT_FAILURE, "hwloc cannot load the topology: %s",
		       strerror(-ret));
	st->nr_placement_cpus = gb_topo_placement_cpus(
		&st->topo, cfg->placement, st->placement_cpus,
		ARRAY_SIZE(st->placement_cpus), st->placement_note,
		sizeof(st->placement_note));
	st->max_contenders = (unsigned int)st->nr_placement_cpus;
	if (!st->nr_placement_cpus) {
		gb_note("%s: cells with contenders are skipped",
			st->placement_note);
		return;
	}
	if (!cfg->threads)
		return;
	want = (unsigned int)cfg->threads - 1;
	if (want > st->nr_placement_cpus && !cfg->oversubscribe)
		gb_die(GB_EXIT_USAGE, "--threads %ld needs %u contender CPUs "
		       "but placement %s offers %zu here: lower --threads or "
		       "add --oversubscribe", cfg->threads, want,
		       cfg->placement, st->nr_placement_cpus);
	st->max_contenders = want;
}

static void check_dirs(struct gb_run_state *st)
{
	struct gb_config *cfg = &st->cfg;
	char probe[4096], *slash;
	int ret;

	if (cfg->tmpdir) {
		ret = gb_dir_writable(cfg->tmpdir);
		if (ret)
			gb_die(GB_EXIT_ENV, "--tmpdir %s is not usable: %s: "
			       "give a writable directory", cfg->tmpdir,
			       strerror(-ret));
	}
	/* the nearest existing ancestor of the results dir must take files */
	snprintf(probe, sizeof(probe), "%s", cfg->results_dir);
	while (access(probe, F_OK) && (slash = strrchr(probe, '/')) &&
	       slash != probe)
		*slash = '\0';
	if (access(probe, F_OK) && !strchr(probe, '/'))
		snprintf(probe, sizeof(probe), ".");
	ret = gb_dir_writable(probe);
	if (ret)
		gb_die(GB_EXIT_ENV, "results directory %s is not writable (%s: "
		       "%s): give --results-dir a writable place",
		       cfg->results_dir, probe, strerror(-ret));
}

static char *own_tmpdir;

/* Whatever way we exit, the temporary directory we made goes too. */
static void remove_own_tmpdir(void)
{
	if (own_tmpdir && getpid() == gb_owner_pid)
		rmdir(own_tmpdir);
}

static void check_kernel(struct gb_run_state *st)
{
	struct utsname u;

	/* what killed runs left: $TMPDIR's goes, results' are named */
	gb_leftovers_report(st->cfg.results_dir, true);
	if (!st->cfg.tmpdir) {
		if (!gb_own_tmpdir(st->tmpdir, sizeof(st->tmpdir)))
			gb_die(GB_EXIT_ENV, "cannot create a temporary "
			       "directory (%s): set TMPDIR or give --tmpdir",
			       strerror(errno));
		st->own_tmpdir = true;
		st->cfg.tmpdir = st->tmpdir;
		own_tmpdir = st->tmpdir;
		atexit(remove_own_tmpdir);
	}
	gb_kernel_probe(&st->caps, st->cfg.tmpdir);
	if (st->caps.supported[GB_BACKING_ANON] == 0) {
		uname(&u);
		gb_die(GB_EXIT_NO_GUARD, "kernel %s lacks MADV_GUARD_INSTALL "
		       "(EINVAL): boot Linux 6.13 or later; nothing measured",
		       u.release);
	}
}

static void setup_clock(struct gb_run_state *st)
{
	int ret = gb_clock_init(&st->clock, st->cfg.timer);

	if (ret == -EINVAL)
		gb_die(GB_EXIT_USAGE, "--timer %s does not exist on this "
		       "architecture: use auto", st->cfg.timer);
	if (ret == -ENOTSUP)
		gb_die(GB_EXIT_USAGE, "--timer %s: %s: use --timer auto to "
		       "fall back to clock_gettime", st->cfg.timer,
		       st->clock.fallback_reason);
	st->loop_overhead_ns = gb_measure_loop_overhead(&st->clock);
}

/*
 * Resolve --events once, in the main thread: workers only open what is
 * resolved.  A name no PMU knows is a usage error; an event this CPU
 * lacks is listed in meta and skipped.
 */
static void setup_pmu(struct gb_run_state *st)
{
	const char *ev = st->cfg.events;
	char err[1024];

	if (!ev || !strcmp(ev, "none"))
		return;
	if (gb_pmu_init(err, sizeof(err)))
		gb_die(GB_EXIT_FAILURE, "libpfm4: %s", err);
	/* kernel+user or user-only: resolve decides, and says why */
	if (gb_pmu_resolve(&st->pmu, ev, 0, err, sizeof(err)))
		gb_die(GB_EXIT_USAGE, "--events: %s", err);
	st->pmu_on = true;
}

#define MIN_TRIAL_S 0.05

/*
 * --budget: scale trial and warm-up lengths down so the plan fits.  The
 * trial count stays (the statistics need it); a trial never drops below
 * MIN_TRIAL_S, and the run says so when even that does not fit.
 */
static void fit_budget(struct gb_run_state *st)
{
	struct gb_config *cfg = &st->cfg;
	double est = gb_plan_estimate(&st->plan, cfg), f;

	cfg->planned_duration_s = cfg->duration_s;
	if (!cfg->budget_s || est <= cfg->budget_s)
		return;
	f = cfg->budget_s / est;
	cfg->duration_s *= f;
	cfg->warmup_s *= f;
	if (cfg->duration_s < MIN_TRIAL_S) {
		cfg->warmup_s *= MIN_TRIAL_S / cfg->duration_s;
		cfg->duration_s = MIN_TRIAL_S;
	}
	gb_note("--budget %.0f s: trials of %.3f s (asked %.3f s) to fit "
		"%zu cells; about %.0f s", cfg->budget_s, cfg->duration_s,
		cfg->planned_duration_s, st->plan.nr,
		gb_plan_estimate(&st->plan, cfg));
}

static void plan(struct gb_run_state *st)
{
	char err[512];

	for (size_t i = 0; i < st->nr_selected; i++) {
		const struct gb_scenario *sc = st->selected[i];

		if (sc->plan(&st->plan, &st->cfg, sc->contender_role ?
			     st->max_contenders : 0, err, sizeof(err)))
			gb_die(GB_EXIT_USAGE, "%s", err);
	}
	/* an orchestrator's replicates fit their own share of the budget */
	if (st->cfg.replicate || (st->cfg.replicates == 1 &&
				  !st->cfg.interleave))
		fit_budget(st);
}

static struct gb_run_state *dying;

static int finish(struct gb_run_state *st, int rc, const char *why)
{
	char err[1024];
	int ret;

	dying = NULL;
	gb_die_hook = NULL;
	if (st->pmu_on)
		gb_pmu_exit();	/* the trials are over: libpfm4 is done */
	gb_meta_finish(st, rc, why);
	ret = gb_results_finish(&st->res, st->plan.cells, st->plan.nr,
				&st->meta, st->clock.ns_per_tick, err,
				sizeof(err));
	if (ret)
		gb_die(GB_EXIT_KEPT, "%s: every finished trial is kept in %s "
		       "(trials.tsv, complete: no): free space, then "
		       "`guard-bench clean -o %s` keeps it as an incomplete "
		       "run", err,
		       st->res.tmp, st->cfg.results_dir);
	gb_run_outcome(stdout, st->cfg.verbose, st->plan.cells,
		       st->plan.nr, st->res.final);
	printf("results: %s%s\nfull table: %s/summary.txt\n", st->res.final,
	       rc ? "  (incomplete: complete: no)" : "", st->res.final);
	return rc;
}

/*
 * gb_die() mid-run (out of memory, a limit hit): the same way out as
 * any error, so every finished trial is written with complete: no.
 */
static void die_in_run(int status, const char *msg)
{
	struct gb_run_state *st = dying;

	if (!st)
		return;
	for (size_t i = 0; i < st->plan.nr; i++) {
		struct gb_cell *c = st->plan.cells[i];

		if (c->status == GB_CELL_PENDING && c->nr_series) {
			c->status = GB_CELL_PARTIAL;
			snprintf(c->reason, sizeof(c->reason), "%s", msg);
		}
	}
	finish(st, status, msg);
}

/* Another run on our CPUs makes both runs' numbers wrong: say so. */
static void claim_cpus(struct gb_run_state *st)
{
	unsigned int cpus[ARRAY_SIZE(st->placement_cpus) + 1], cpu = 0;
	size_t n = 0, taken;

	cpus[n++] = st->topo.subject_cpu;
	for (size_t i = 0; i < st->nr_placement_cpus; i++) {
		bool dup = false;

		for (size_t j = 0; j < n; j++)
			dup |= cpus[j] == st->placement_cpus[i];
		if (!dup)
			cpus[n++] = st->placement_cpus[i];
	}
	taken = gb_claim_cpus(cpus, n, &cpu);
	if (!taken)
		return;
	gb_warn("another guard-bench run is measuring on CPU %u (%zu of this "
		"run's CPUs in all): both runs' numbers are wrong; let one "
		"finish first", cpu, taken);
	gb_meta_set(&st->meta, "concurrent_run", "another guard-bench run "
		    "held %zu of this run's CPUs (CPU %u) at the start", taken,
		    cpu);
}

/*
 * The run directory's names from the machine: release (@rel) and
 * host-time (@name), never a '/', "..", or a hidden name.
 */
static void run_names(struct gb_run_state *st, char *rel, size_t rellen,
		      char *name, size_t namelen)
{
	char host[256], safe_host[256], ts[32];
	struct utsname u;
	bool same;

	uname(&u);
	gethostname(host, sizeof(host));
	host[sizeof(host) - 1] = '\0';
	gb_utc_compact(ts, sizeof(ts), st->started);
	same = gb_path_name(safe_host, sizeof(safe_host), host);
	same &= gb_path_name(rel, rellen, u.release);
	if (!same)
		gb_meta_set(&st->meta, "path_names", "host and release written "
			    "as %s and %s in paths (meta host and "
			    "kernel_release keep the originals)", safe_host,
			    rel);
	snprintf(name, namelen, "%s-%s", safe_host, ts);
}

/* Every planned cell, timed; the exit status it comes to. */
static int run_cells(struct gb_run_state *st, char *why, size_t whylen)
{
	/* st->run: gb_meta_finish() reads its PMU status after the cells */
	static struct gb_runner run;
	int ret;

	memset(&run, 0, sizeof(run));
	run.cfg = &st->cfg;
	run.topo = &st->topo;
	run.clock = &st->clock;
	run.lock_ids = &st->caps.lock_ids;
	run.pmu = st->pmu_on ? &st->pmu : NULL;
	st->run = &run;
	run.res = &st->res;
	run.plan = &st->plan;
	run.placement_cpus = st->placement_cpus;
	run.nr_placement_cpus = st->nr_placement_cpus;
	run.order = st->order;
	st->setup_s = gb_mono_sec() - st->t_entry;
	ret = gb_run_cells(&run, why, whylen);
	st->cells_s = gb_mono_sec() - st->t_entry - st->setup_s;

	if (ret == -EINTR) {
		gb_warn("interrupted by signal %d: keeping finished trials",
			(int)gb_signalled);
		return GB_EXIT_INTERRUPTED;
	} else if (ret == -GB_ERR_LOST) {
		gb_warn("%s: keeping finished cells", why);
		return GB_EXIT_LOST;
	} else if (ret) {
		gb_warn("%s: keeping finished trials", why);
		return GB_EXIT_FAILURE;
	}
	return GB_EXIT_OK;
}

int gb_cmd_run(int argc, char **argv)
{
	static struct gb_run_state st;
	char why[512] = "", err[1024], name[512], safe_rel[256];
	int ret, rc;

	st.t_entry = gb_mono_sec();
	st.argc = argc;
	st.argv = argv;
	st.self_argv = gb_main_argv;
	gb_owner_pid = getpid();
	parse(&st, argc, argv);
	aslr_off(&st, st.self_argv);
	/* from here a signal ends the run cleanly, whatever it was doing */
	gb_install_signal_handlers();
	setup_topology(&st);
	check_dirs(&st);
	setup_clock(&st);
	setup_pmu(&st);
	plan(&st);
	/* the first thing left on disk: every usage error comes before it */
	check_kernel(&st);
	if (gb_signalled)
		gb_die(GB_EXIT_INTERRUPTED, "interrupted by signal %d before "
		       "the first trial: nothing written", (int)gb_signalled);

	st.started = time(NULL);
	run_names(&st, safe_rel, sizeof(safe_rel), name, sizeof(name));
	if (!st.cfg.replicate && (st.cfg.replicates > 1 || st.cfg.interleave))
		return gb_replicates_run(&st, safe_rel, name);
	order_cells(&st);
	/* a replicate's directory: <parent>/replicates/./r<K> */
	if (st.cfg.replicate)
		snprintf(name, sizeof(name), "r%u", st.replicate);
	if (gb_results_create(&st.res, st.cfg.results_dir,
			      st.cfg.replicate ? "." : safe_rel, name,
			      err, sizeof(err)))
		gb_die(GB_EXIT_ENV, "%s: give --results-dir a writable place",
		       err);
	ret = gb_hold_dir(st.res.tmp);
	if (ret && ret != -ENOSYS)
		gb_warn("cannot lock %s (%s): other runs tell it from a "
			"leftover by the PID in its name alone", st.res.tmp,
			strerror(-ret));
	st.res.topo = &st.topo;
	dying = &st;
	gb_die_hook = die_in_run;
	claim_cpus(&st);
	gb_meta_start(&st);
	fprintf(stderr, "guard-bench: %zu cells, about %.0f s; writing %s\n",
		st.plan.nr, gb_plan_estimate(&st.plan, &st.cfg), st.res.tmp);

	rc = run_cells(&st, why, sizeof(why));
	rc = finish(&st, rc, why);
	gb_plan_free(&st.plan);
	return rc;
}
