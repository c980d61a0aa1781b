// SPDX-License-Identifier: GPL-2.0
/* summary.txt: the human table, also printed at the end of a run. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "measure/balance.h"
#include "files/results.h"
#include "measure/scenario.h"
#include "base/stats.h"

/* 2240000 -> "2.240M": fixed width, readable at a glance. */
static void fmt_si(char *buf, size_t len, double v)
{
	double a = fabs(v);

	if (a >= 1e9)
		snprintf(buf, len, "%.3fG", v / 1e9);
	else if (a >= 1e6)
		snprintf(buf, len, "%.3fM", v / 1e6);
	else if (a >= 1e4)
		snprintf(buf, len, "%.2fk", v / 1e3);
	else if (a >= 10 || a == 0)
		snprintf(buf, len, "%.1f", v);
	else
		snprintf(buf, len, "%.3f", v);
}

static void print_series(FILE *f, const struct gb_series *s)
{
	char med[32], lo[32], hi[32];
	struct gb_summary sm;

	gb_summarise(s->v, s->n, &sm);
	fmt_si(med, sizeof(med), sm.median);
	fmt_si(lo, sizeof(lo), sm.min);
	fmt_si(hi, sizeof(hi), sm.max);
	fprintf(f, "  %-44s %9s %-8s %9s %9s %6.1f%%\n", s->name, med, s->unit,
		lo, hi, sm.cv * 100);
}

/* The run-wide checks: the speed reference and thread balance. */
static void print_checks(FILE *f, struct gb_cell **cells, size_t n)
{
	char note[2048];

	if (gb_speedref_moved(cells, n, note, sizeof(note)))
		fprintf(f, "SPEED REFERENCE MOVED between trials: the machine "
			"changed speed; read *_above_syscall_ns\nand compare "
			"trials only within one speed: %s\n", note);
	else
		fprintf(f, "Speed reference (ref_syscall_ns, ref_loop_ns): "
			"steady over all trials.\n");
	if (gb_imbalanced(cells, n, note, sizeof(note)))
		fprintf(f, "IMBALANCED threads (same work, rates apart by more "
			"than %.0f%%): %s\n", GB_IMBALANCE_MARGIN * 100, note);
}

void gb_summary_print(FILE *f, struct gb_cell **cells, size_t n)
{
	if (n && cells[0]->emulate_write_lock)
		fprintf(f, "EMULATED write-lock baseline (--emulate "
			"write-lock): a same-kernel proxy, not a v1 kernel.\n");
	fprintf(f, "Each row: median of the per-trial values [min, max over "
		"trials], cv = stddev/mean.\nLock counts (mmap_lock_*, "
		"lock_contention_*) come from one extra phase with\n"
		"tracepoints on, whose timings are discarded: n = 1.\n");
	print_checks(f, cells, n);
	for (size_t i = 0; i < n; i++) {
		const struct gb_cell *c = cells[i];
		size_t trials = c->nr_series ? c->series[0].n : 0;

		fprintf(f, "\n%s: %s", c->sc->name, c->label);
		if (c->status == GB_CELL_SKIPPED) {
			fprintf(f, "\n  skipped: %s\n", c->reason);
			continue;
		}
		fprintf(f, "  (%zu trial%s, %u contender%s%s%s)\n", trials,
			trials == 1 ? "" : "s", c->nr_contenders,
			c->nr_contenders == 1 ? "" : "s",
			c->status == GB_CELL_PARTIAL ? "; " : "",
			c->status == GB_CELL_PARTIAL ? c->reason : "");
		if (!trials)
			continue;
		fprintf(f, "  %-44s %9s %-8s %9s %9s %7s\n", "metric",
			"median", "unit", "min", "max", "cv");
		for (size_t m = 0; m < c->nr_series; m++)
			if (c->series[m].n)
				print_series(f, &c->series[m]);
		if (c->locks_na[0] && !c->is_control)
			fprintf(f, "  lock accounting: n/a: %s\n", c->locks_na);
	}
}
