// SPDX-License-Identifier: GPL-2.0
/*
 * meta.txt: everything a stranger needs to trust or reproduce a run.
 * Written when the run starts (complete: no) so even a crashed run's
 * temporary directory says what it was, and again at the end.
 */
#define _GNU_SOURCE
#include <hwloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "cmd/commands.h"
#include "measure/harness.h"
#include "cmd/run.h"
#include "measure/speedref.h"
#include "base/stats.h"
#include "measure/sysinfo.h"
#include "measure/stackguard.h"
#include "base/util.h"
#include "measure/virt.h"

static char *shell_join(int argc, char **argv)
{
	size_t len = 1;
	char *s, *p;

	for (int i = 0; i < argc; i++)
		len += 4 * strlen(argv[i]) + 3;
	s = p = gb_zalloc(len);
	for (int i = 0; i < argc; i++) {
		bool plain = argv[i][0] &&
			     !argv[i][strcspn(argv[i], " \t'\"\\$`*?;&|<>()")];

		if (i)
			*p++ = ' ';
		if (plain) {
			p = stpcpy(p, argv[i]);
			continue;
		}
		*p++ = '\'';
		for (const char *a = argv[i]; *a; a++) {
			if (*a == '\'')
				p = stpcpy(p, "'\\''");
			else
				*p++ = *a;
		}
		*p++ = '\'';
	}
	return s;
}

static void join_list(char *buf, size_t len, const unsigned int *v, size_t n)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%u",
					 i ? "," : "", v[i]);
}

static void meta_params(struct gb_run_state *st)
{
	for (size_t i = 0; i < st->cfg.nr_params; i++) {
		const struct gb_param_val *p = &st->cfg.params[i];
		char key[64], val[512];
		size_t used = 0;

		snprintf(key, sizeof(key), "param_%s", p->def->name);
		for (char *k = key; *k; k++)
			if (*k == '-')
				*k = '_';
		val[0] = '\0';
		for (size_t j = 0; j < p->n && used < sizeof(val); j++) {
			if (p->def->words)
				used += (size_t)snprintf(val + used,
					sizeof(val) - used, "%s%s",
					j ? "," : "", p->def->words[p->v[j]]);
			else
				used += (size_t)snprintf(val + used,
					sizeof(val) - used, "%s%ld",
					j ? "," : "", p->v[j]);
		}
		gb_meta_set(&st->meta, key, "%s", val);
	}
}

static void meta_system(struct gb_run_state *st)
{
	struct gb_meta *m = &st->meta;
	struct gb_setting set[GB_NR_SETTINGS];
	char buf[512], host[256];
	struct utsname u;
	const char *virt;

	uname(&u);
	gethostname(host, sizeof(host));
	host[sizeof(host) - 1] = '\0';
	gb_meta_set(m, "host", "%s", host);
	gb_meta_set(m, "kernel_release", "%s", u.release);
	gb_meta_set(m, "kernel_version", "%s", u.version);
	gb_meta_set(m, "arch", "%s", u.machine);
	gb_cpu_model(buf, sizeof(buf));
	gb_meta_set(m, "cpu_model", "%s", buf);
	gb_meta_set(m, "nr_cpus", "%ld", gb_nr_cpus());
	virt = gb_virt_detect(buf, sizeof(buf));
	gb_meta_set(m, "virt", "%s", virt);
	gb_meta_set(m, "virt_detail", "%s", buf);
	if (strcmp(virt, "none") && st->replicate == 1)
		gb_warn("running under %s (%s): timings are not bare-metal "
			"numbers; compare ratios within one run", virt, buf);
	gb_meta_set(m, "nr_cpus_allowed", "%u", st->topo.nr_pus);
	gb_topo_describe(&st->topo, buf, sizeof(buf));
	gb_meta_set(m, "topology", "%s", buf);
	gb_meta_set(m, "page_size", "%ld", sysconf(_SC_PAGESIZE));
	gb_meta_set(m, "cache_line_size", "%ld", gb_cache_line_size());
	gb_meta_set(m, "hwloc_version", "%s", HWLOC_VERSION);
	gb_settings_read("", set);
	for (int i = 0; i < GB_NR_SETTINGS; i++)
		gb_meta_set(m, set[i].key, "%s", set[i].value);
	gb_meta_set(m, "aslr", "%s", st->aslr);
	{
		char mit[1024];

		gb_mitigations_detail("", mit, sizeof(mit));
		gb_meta_set(m, "mitigations_detail", "%s", mit);
	}
}

static void meta_kernel(struct gb_run_state *st)
{
	char buf[512], key[64];

	for (int b = 0; b < GB_NR_BACKINGS; b++) {
		snprintf(key, sizeof(key), "guard_install_%s",
			 gb_backing_names[b]);
		gb_meta_set(&st->meta, key, "%s",
			    gb_kernel_support_str(&st->caps, b, buf,
						  sizeof(buf)));
	}
	gb_meta_set(&st->meta, "maybe_guard_flag", "%s",
		    gb_kernel_flag_str(&st->caps));
	gb_meta_set(&st->meta, "guard_path", "%s",
		    gb_guard_path_name(st->caps.path));
	gb_kernel_path_str(&st->caps, buf, sizeof(buf));
	gb_meta_set(&st->meta, "guard_path_detail", "%s", buf);
	gb_stack_guard_describe(buf, sizeof(buf));
	gb_meta_set(&st->meta, "stack_guard", "%s", buf);
	gb_meta_set(&st->meta, "libc_version", "%s", gb_libc_version());
}

/*
 * Replicates and the cells' order: cell_order lists the rows of
 * cells.tsv (1-based, controls run with their cell) as they ran.
 */
static void meta_order(struct gb_run_state *st)
{
	struct gb_meta *m = &st->meta;
	size_t len = st->plan.nr * 8 + 1, used = 0;
	char *buf = gb_zalloc(len);

	gb_meta_set(m, "replicates", "1");
	if (st->cfg.replicate)
		gb_meta_set(m, "replicate", "%u", st->replicate);
	gb_meta_set(m, "order_seed", "%llu",
		    (unsigned long long)st->order_seed);
	for (size_t k = 0; k < st->plan.nr && st->order; k++) {
		if (st->plan.cells[st->order[k]]->is_control)
			continue;
		used += (size_t)snprintf(buf + used, len - used, "%s%zu",
					 used ? "," : "", st->order[k] + 1);
	}
	gb_meta_set(m, "cell_order", "%s", buf);
	free(buf);
}

static void meta_method(struct gb_run_state *st)
{
	struct gb_meta *m = &st->meta;
	const struct gb_config *cfg = &st->cfg;
	char buf[4096];

	gb_meta_set(m, "timer", "%s", gb_clock_name(&st->clock));
	gb_meta_set(m, "timer_ns_per_tick", "%.6f", st->clock.ns_per_tick);
	if (st->clock.counter_hz)
		gb_meta_set(m, "timer_counter_hz", "%llu",
			    (unsigned long long)st->clock.counter_hz);
	gb_meta_set(m, "timer_calibration_spread_ppm", "%.1f",
		    st->clock.calib_spread_ppm);
	gb_meta_set(m, "timer_overhead_ns", "%.2f", st->clock.overhead_ns);
	gb_meta_set(m, "timer_resolution_ns", "%.3f",
		    (double)st->clock.resolution_ticks *
		    st->clock.ns_per_tick);
	gb_meta_set(m, "loop_overhead_ns", "%.2f", st->loop_overhead_ns);
	gb_meta_set(m, "timer_fallback", "%s",
		    st->clock.fallback_reason[0] ? st->clock.fallback_reason :
						   "none");
	gb_meta_set(m, "subject_cpu", "%u", st->topo.subject_cpu);
	gb_meta_set(m, "placement", "%s", cfg->placement);
	join_list(buf, sizeof(buf), st->placement_cpus,
		  st->nr_placement_cpus);
	gb_meta_set(m, "placement_cpus", "%s",
		    st->nr_placement_cpus ? buf : "none");
	gb_meta_set(m, "placement_note", "%s",
		    st->placement_note[0] ? st->placement_note : "none");
	gb_meta_set(m, "max_contenders", "%u", st->max_contenders);
	gb_meta_set(m, "oversubscribe", "%s",
		    cfg->oversubscribe ? "yes" : "no");
	gb_meta_set(m, "trials", "%ld", cfg->trials);
	gb_meta_set(m, "duration_s", "%g", cfg->duration_s);
	if (cfg->budget_s)
		gb_meta_set(m, "budget_s", "%g (asked duration_s %g)",
			    cfg->budget_s, cfg->planned_duration_s);
	gb_meta_set(m, "warmup_s", "%g", cfg->warmup_s);
	gb_meta_set(m, "planned_s", "%.3f", gb_plan_estimate(&st->plan, cfg));
	buf[0] = '\0';
	for (size_t i = 0; i < st->nr_selected; i++)
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%s",
			 i ? "," : "", st->selected[i]->name);
	gb_meta_set(m, "scenarios", "%s", buf);
	meta_params(st);
	gb_meta_set(m, "tmpdir", "%s", cfg->tmpdir);
	gb_meta_set(m, "lock_accounting", "%s", st->caps.lock_ids.ok ?
		    "one extra phase per cell with mmap_lock and lock "
		    "tracepoints counted per thread; its timings discarded" :
		    st->caps.lock_ids.why);
	gb_meta_set(m, "emulation", "%s", cfg->emulate ?
		    "write-lock (proxy, unconfirmed until the run ends)" :
		    "none");
	if (cfg->label)
		gb_meta_set(m, "label", "%s", cfg->label);
	meta_order(st);
	gb_meta_command(st, m);
}

void gb_meta_command(struct gb_run_state *st, struct gb_meta *m)
{
	char *cmd = shell_join(st->argc, st->argv);

	gb_meta_set(m, "command", "guard-bench run%s%s", st->argc ? " " : "",
		    cmd);
	free(cmd);
}

void gb_meta_start(struct gb_run_state *st)
{
	struct gb_meta *m = &st->meta;
	char ts[32], *path;

	gb_meta_set(m, "format_version", "%d", GB_FORMAT_VERSION);
	gb_meta_set(m, "tool_version", "%s", GB_VERSION);
	meta_system(st);
	meta_kernel(st);
	meta_method(st);
	gb_utc_iso(ts, sizeof(ts), st->started);
	gb_meta_set(m, "started", "%s", ts);
	gb_meta_set(m, "finished", "-");
	gb_meta_set(m, "complete", "no");
	path = gb_results_path(&st->res, "meta.txt");
	gb_meta_write(m, path);
	free(path);
	path = gb_results_path(&st->res, "topology.xml");
	if (gb_topo_export_xml(&st->topo, path))
		gb_warn("cannot write %s", path);
	free(path);
}

/* Timer cost against the cheapest thing measured: the aim is <= 5%. */
static void meta_overhead_share(struct gb_run_state *st)
{
	for (size_t i = 0; i < st->plan.nr; i++) {
		struct gb_cell *c = st->plan.cells[i];

		if (strcmp(c->sc->name, "install") ||
		    strcmp(c->label, "backing=anon pages=1"))
			continue;
		for (size_t s = 0; s < c->nr_series; s++) {
			double p50;

			if (strcmp(c->series[s].name, "install_latency_p50_ns") ||
			    !c->series[s].n)
				continue;
			p50 = gb_median(c->series[s].v, c->series[s].n);
			gb_meta_set(&st->meta, "timer_overhead_pct_of_install_p50",
				    "%.2f", st->clock.overhead_ns / p50 * 100);
		}
	}
}

/*
 * The emulation label is earned: every finished cell must show at least
 * one mmap_lock write acquisition per subject loop (an install+remove
 * pair, or a fork, thread or allocator cycle).
 */
static void meta_emulation(struct gb_run_state *st)
{
	const char *bad = NULL;
	double worst = 1e9;

	if (!st->cfg.emulate)
		return;
	for (size_t i = 0; i < st->plan.nr; i++) {
		struct gb_cell *c = st->plan.cells[i];
		bool seen = false;
		char want[64];

		if (c->is_control || c->status != GB_CELL_DONE)
			continue;
		/* the subject's own count: per pair, fork, thread or cycle */
		snprintf(want, sizeof(want), "mmap_lock_write_per_%s",
			 c->sc->subject_unit ? c->sc->subject_unit : "pair");
		for (size_t s = 0; s < c->nr_series; s++) {
			if (strcmp(c->series[s].name, want))
				continue;
			seen = true;
			if (c->series[s].v[0] < worst)
				worst = c->series[s].v[0];
		}
		if (!seen || worst < 1.0)
			bad = seen ? "too few mmap_lock write acquisitions" :
				     c->locks_na[0] ? c->locks_na :
				     "no lock accounting";
	}
	if (bad) {
		gb_meta_set(&st->meta, "emulation", "write-lock REFUSED: %s "
			    "(want >= 1 write acquisition per op; saw %.2f)",
			    bad, worst == 1e9 ? 0 : worst);
		gb_warn("--emulate write-lock not confirmed: %s: this run is "
			"not a write-lock baseline", bad);
	} else {
		gb_meta_set(&st->meta, "emulation", "write-lock (proxy: each "
			    "install also flips VM_DONTDUMP on its VMA; "
			    "confirmed %.2f mmap_lock write acquisitions per "
			    "op at least)", worst);
	}
}

/* Which events were counted, and why each of the others was not. */
static void meta_pmu(struct gb_run_state *st)
{
	const struct gb_pmu_set *set = &st->pmu;
	char key[64], buf[512];
	size_t used = 0;

	if (!st->pmu_on) {
		gb_meta_set(&st->meta, "pmu", "off (--events none)");
		return;
	}
	gb_meta_set(&st->meta, "pmu_table", "%s", set->table_why);
	gb_meta_set(&st->meta, "pmu_scope", "%s", st->run && st->run->pmu_seen ?
		    st->run->pmu_scope : set->user_only ? set->scope_why :
		    "kernel+user");
	buf[0] = '\0';
	for (size_t e = 0; e < set->nr; e++) {
		const char *why = !set->ev[e].resolved ? set->ev[e].why :
				  st->run && st->run->pmu_seen ?
				  st->run->pmu_why[e] : "not opened";

		snprintf(key, sizeof(key), "pmu_event_%zu", e + 1);
		gb_meta_set(&st->meta, key, "%s: %s%s", set->ev[e].name,
			    why[0] ? "unavailable: " : "counted", why);
		if (!why[0] && used < sizeof(buf))
			used += (size_t)snprintf(buf + used, sizeof(buf) - used,
						 "%s%s", used ? "," : "",
						 set->ev[e].name);
	}
	gb_meta_set(&st->meta, "pmu", "%s", used ? buf : "none counted");
}

void gb_meta_finish(struct gb_run_state *st, int rc, const char *why)
{
	char ts[32];

	meta_pmu(st);
	meta_overhead_share(st);
	meta_emulation(st);
	/* did the machine change speed, did threads share it alike? */
	gb_meta_checks(&st->meta, st->plan.cells, st->plan.nr);
	gb_utc_iso(ts, sizeof(ts), time(NULL));
	gb_meta_set(&st->meta, "finished", "%s", ts);
	gb_meta_set(&st->meta, "setup_s", "%.3f", st->setup_s);
	gb_meta_set(&st->meta, "cells_s", "%.3f", st->cells_s);
	gb_meta_set(&st->meta, "complete", "%s", rc ? "no" : "yes");
	if (rc == GB_EXIT_INTERRUPTED)
		gb_meta_set(&st->meta, "stopped_by", "signal %d",
			    (int)gb_signalled);
	else if (rc == GB_EXIT_LOST)
		gb_meta_set(&st->meta, "stopped_by", "lost worker: %s", why);
	else if (rc)
		gb_meta_set(&st->meta, "stopped_by", "error: %s", why);
}
