// SPDX-License-Identifier: GPL-2.0
/*
 * The per-trial reference workload (speedref.h) and the check that
 * says when it moved within a run.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "measure/harness.h"
#include "measure/balance.h"
#include "base/hist.h"
#include "files/results.h"
#include "measure/scenario.h"
#include "measure/speedref.h"
#include "base/stats.h"
#include "base/util.h"

static double spread(const double *v, size_t n, double med)
{
	return med > 0 ? (gb_max(v, n) - gb_min(v, n)) / med : 0;
}

/* One repeat of getppid round trips, timed as the subject loop times. */
static double syscall_repeat(const struct gb_clock *clock, struct gb_hist *h)
{
	uint64_t t0, t1;

	gb_hist_reset(h);
	t0 = gb_clock_read();
	for (int i = 0; i < GB_REF_SYSCALLS; i++) {
		getppid();
		t1 = gb_clock_read();
		gb_hist_add(h, t1 - t0);
		t0 = t1;
	}
	return gb_quantile_ns(clock, h, 0.5);
}

/* A dependent multiply-add chain: no memory, no syscall, no branch miss. */
static double loop_block(const struct gb_clock *clock)
{
	uint64_t x = 1, t0, t1;

	t0 = gb_clock_read();
	for (int i = 0; i < GB_REF_LOOP_ITERS * GB_REF_LOOP_UNITS; i++) {
		x = x * 6364136223846793005ull + 1442695040888963407ull;
		__asm__ volatile("" : "+r"(x));
	}
	t1 = gb_clock_read();
	return gb_ticks_to_ns(clock, (double)(t1 - t0)) / GB_REF_LOOP_UNITS;
}

static double loop_repeat(const struct gb_clock *clock)
{
	double b[GB_REF_LOOP_BLOCKS];

	for (int i = 0; i < GB_REF_LOOP_BLOCKS; i++)
		b[i] = loop_block(clock);
	return gb_median(b, GB_REF_LOOP_BLOCKS);
}

void gb_speedref_measure(const struct gb_clock *clock, struct gb_speedref *r)
{
	double sys[GB_REF_REPEATS], loop[GB_REF_REPEATS];
	struct gb_hist *h = gb_zalloc(sizeof(*h));

	/* interleaved, so a change of speed falls on both */
	for (int i = 0; i < GB_REF_REPEATS; i++) {
		sys[i] = syscall_repeat(clock, h);
		loop[i] = loop_repeat(clock);
	}
	free(h);
	r->syscall_ns = gb_median(sys, GB_REF_REPEATS);
	r->loop_ns = gb_median(loop, GB_REF_REPEATS);
	r->syscall_noise = spread(sys, GB_REF_REPEATS, r->syscall_ns);
	r->loop_noise = spread(loop, GB_REF_REPEATS, r->loop_ns);
}

void gb_speedref_mean(struct gb_speedref *r, const struct gb_speedref *other)
{
	r->syscall_ns = (r->syscall_ns + other->syscall_ns) / 2;
	r->loop_ns = (r->loop_ns + other->loop_ns) / 2;
	r->syscall_noise = (r->syscall_noise + other->syscall_noise) / 2;
	r->loop_noise = (r->loop_noise + other->loop_noise) / 2;
}

/* ---- did it move? ---------------------------------------------------- */

static const struct gb_series *find(const struct gb_cell *c, const char *name)
{
	for (size_t i = 0; i < c->nr_series; i++)
		if (!strcmp(c->series[i].name, name))
			return &c->series[i];
	return NULL;
}

/* Every trial's value of @metric and its noise, over all cells. */
static size_t gather(struct gb_cell **cells, size_t n, int which,
		     double **val, double **noise)
{
	static const char *const names[] = { "ref_syscall_ns", "ref_loop_ns" };
	size_t k = 0, room = 0;

	*val = NULL;
	*noise = NULL;
	for (size_t i = 0; i < n; i++) {
		const struct gb_series *s = find(cells[i], names[which]);

		if (s)
			room += s->n;
	}
	if (!room)
		return 0;
	*val = gb_zalloc(room * sizeof(double));
	*noise = gb_zalloc(room * sizeof(double));
	for (size_t i = 0; i < n; i++) {
		const struct gb_series *s = find(cells[i], names[which]);

		for (size_t t = 0; s && t < s->n; t++) {
			(*val)[k] = s->v[t];
			(*noise)[k++] = t < cells[i]->nr_ref_noise ?
					cells[i]->ref_noise[t][which] : 0;
		}
	}
	return k;
}

static void append(char *note, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void append(char *note, size_t len, const char *fmt, ...)
{
	size_t used = strlen(note);
	va_list ap;

	if (used + 1 >= len)
		return;
	va_start(ap, fmt);
	vsnprintf(note + used, len - used, fmt, ap);
	va_end(ap);
}

static bool check(struct gb_cell **cells, size_t n, int which, char *note,
		  size_t len)
{
	static const char *const names[] = { "ref_syscall_ns", "ref_loop_ns" };
	double *val, *noise, med, thr;
	size_t k = gather(cells, n, which, &val, &noise);
	bool moved = false;

	if (k < 2) {
		free(val);
		free(noise);
		return false;
	}
	med = gb_median(val, k);
	thr = GB_REF_MOVE_NOISES * gb_median(noise, k);
	if (thr < GB_REF_MOVE_FLOOR)
		thr = GB_REF_MOVE_FLOOR;
	free(val);
	free(noise);
	for (size_t i = 0; i < n; i++) {
		const struct gb_series *s = find(cells[i], names[which]);
		bool first = true;

		for (size_t t = 0; s && t < s->n; t++) {
			if (fabs(s->v[t] - med) <= thr * med)
				continue;
			if (!moved)
				append(note, len, "%s%s beyond +-%.1f%% of the "
				       "run's median %.1f ns in", note[0] ?
				       "; " : "", names[which], thr * 100, med);
			/* a merge keeps no noise: its values span replicates */
			if (first)
				append(note, len, "%s %s %s: %s", moved ?
				       "," : "", cells[i]->sc->name,
				       cells[i]->label, cells[i]->nr_ref_noise ?
				       "trial" : "value (trials.tsv order)");
			append(note, len, "%s %zu (%.1f ns)", first ? "" : ",",
			       t + 1, s->v[t]);
			moved = true;
			first = false;
		}
	}
	return moved;
}

bool gb_speedref_moved(struct gb_cell **cells, size_t n, char *note,
		       size_t len)
{
	bool a, b;

	note[0] = '\0';
	a = check(cells, n, 0, note, len);
	b = check(cells, n, 1, note, len);
	if (!a && !b)
		snprintf(note, len, "none");
	return a || b;
}

void gb_meta_checks(struct gb_meta *m, struct gb_cell **cells, size_t n)
{
	char note[2048];
	bool yes = gb_speedref_moved(cells, n, note, sizeof(note));

	gb_meta_set(m, "speed_ref_moved", "%s", yes ? "yes" : "no");
	gb_meta_set(m, "speed_ref_note", "%s", note);
	yes = gb_imbalanced(cells, n, note, sizeof(note));
	gb_meta_set(m, "thread_imbalance", "%s", yes ? "yes" : "no");
	gb_meta_set(m, "thread_imbalance_note", "%s", note);
}
