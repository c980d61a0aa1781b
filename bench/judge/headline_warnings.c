// SPDX-License-Identifier: GPL-2.0
/*
 * The warnings a headline ends with: what about the run makes its
 * numbers less trustworthy (a VM, noisy trials, a machine whose speed
 * moved, an incomplete run, an emulated baseline), each in one
 * sentence for headline.c to wrap.
 */
#define _GNU_SOURCE
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "judge/headline.h"
#include "judge/report.h"
#include "files/run_dir.h"
#include "measure/scenario.h"

static void vm(const struct gb_run *r, gb_say_fn say, void *ctx)
{
	const char *virt = gb_run_meta(r, "virt");
	char buf[512];

	if (strcmp(virt, "none") && strcmp(virt, "?")) {
		snprintf(buf, sizeof(buf), "warning: a VM (%s): host load is "
			 "in every number; trust ratios within one run", virt);
		say(ctx, buf);
	}
}

static void noisy_trials(const struct gb_run *r, gb_say_fn say, void *ctx)
{
	size_t noisy = 0, rows = 0;
	const struct gb_summary_row *worst = NULL;
	char buf[512];

	for (size_t i = 0; i < r->nr_rows; i++) {
		const struct gb_run_row *row = &r->rows[i];

		if (!gb_metric_primary(row->sum->scenario, row->sum->metric) ||
		    row->n < 2)
			continue;
		rows++;
		if (row->sum->s.cv > GB_DEFAULT_DELTA) {
			noisy++;
			if (!worst || row->sum->s.cv > worst->s.cv)
				worst = row->sum;
		}
	}
	if (noisy) {
		snprintf(buf, sizeof(buf), "warning: noisy trials: %zu of %zu "
			 "primary rows have cv > %.0f%% (worst %.0f%%: %s %s "
			 "%s)", noisy, rows, GB_DEFAULT_DELTA * 100,
			 worst->s.cv * 100, worst->scenario, worst->cell,
			 worst->metric);
		say(ctx, buf);
	}
}

static void speed_moved(const struct gb_run *r, gb_say_fn say, void *ctx)
{
	const struct gb_run_row *sys = NULL, *loop = NULL;
	char buf[512];

	if (strcmp(gb_run_meta(r, "speed_ref_moved"), "yes"))
		return;
	for (size_t i = 0; i < r->nr_rows; i++) {
		if (!strcmp(r->rows[i].sum->metric, "ref_syscall_ns"))
			sys = &r->rows[i];
		if (!strcmp(r->rows[i].sum->metric, "ref_loop_ns"))
			loop = &r->rows[i];
	}
	snprintf(buf, sizeof(buf), "warning: the machine's speed moved "
		 "during the run (speed_ref_moved: yes");
	if (sys)
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf),
			 ", ref_syscall_ns cv %.0f%%", sys->sum->s.cv * 100);
	if (loop)
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf),
			 ", ref_loop_ns cv %.0f%%", loop->sum->s.cv * 100);
	snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "): "
		 "rerun on a quiet machine");
	say(ctx, buf);
}

void gb_headline_warnings(const struct gb_run *r, gb_say_fn say, void *ctx)
{
	char buf[512];

	vm(r, say, ctx);
	noisy_trials(r, say, ctx);
	speed_moved(r, say, ctx);
	if (!gb_run_complete(r)) {
		snprintf(buf, sizeof(buf), "warning: incomplete run (complete: "
			 "%s): cells it did not finish are missing",
			 gb_run_meta(r, "complete"));
		say(ctx, buf);
	}
	if (gb_run_emulated(r)) {
		/* the words summary.txt and compare use for it */
		snprintf(buf, sizeof(buf), "warning: EMULATED write-lock "
			 "baseline: a same-kernel proxy, not a v1 kernel "
			 "(meta.txt emulation)");
		say(ctx, buf);
	}
}
