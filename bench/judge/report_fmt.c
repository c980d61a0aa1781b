// SPDX-License-Identifier: GPL-2.0
/*
 * How reports write numbers and name runs: values, changes, p-values
 * and intervals in a few columns, and the label every table and plot
 * gives a run.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "judge/report.h"
#include "base/util.h"

/* 0.00062 -> "6.2e-4": printf's "6.2e-04" is one column too wide. */
static void fmt_small(char *buf, size_t len, double v)
{
	char *e;

	snprintf(buf, len, "%.1e", v);
	e = strstr(buf, "e-0");
	if (e)
		memmove(e + 2, e + 3, strlen(e + 3) + 1);
}

void gb_fmt_value(char *buf, size_t len, double v)
{
	double a = fabs(v);

	if (isnan(v))
		snprintf(buf, len, "-");
	else if (a >= 1e9)
		snprintf(buf, len, "%.3fG", v / 1e9);
	else if (a >= 1e6)
		snprintf(buf, len, a >= 1e8 ? "%.1fM" : a >= 1e7 ? "%.2fM" :
			 "%.3fM", v / 1e6);
	else if (a >= 1e4)
		snprintf(buf, len, a >= 1e5 ? "%.1fk" : "%.2fk", v / 1e3);
	else if (a >= 10)
		snprintf(buf, len, "%.1f", v);
	else if (a >= 0.01 || a == 0)
		snprintf(buf, len, "%.3f", v);
	else
		fmt_small(buf, len, v);
}

void gb_fmt_change(char *buf, size_t len, double ratio)
{
	double pct = (ratio - 1) * 100;

	if (isnan(ratio))
		snprintf(buf, len, "-");
	else if (fabs(pct) < 999.95)
		snprintf(buf, len, "%+.1f%%", pct);
	else
		snprintf(buf, len, ratio < 100 ? "x%.3g" : "x%.0f", ratio);
}

void gb_fmt_p(char *buf, size_t len, double p)
{
	if (isnan(p))
		snprintf(buf, len, "-");
	else if (p < 0.001)
		snprintf(buf, len, "<0.001");
	else
		snprintf(buf, len, "%.3f", p);
}

/* "722.4±2.0%": the median and, LKP-style, its spread beside it. */
void gb_fmt_value_cv(char *buf, size_t len, double v, double cv)
{
	char val[32];

	gb_fmt_value(val, sizeof(val), v);
	if (isnan(cv))
		snprintf(buf, len, "%s", val);
	else
		snprintf(buf, len, cv * 100 < 9.95 ? "%s±%.1f%%" : "%s±%.0f%%",
			 val, cv * 100);
}

/* Ratio as a percent change: "[+1.1%, +3.9%]". */
void gb_fmt_ci(char *buf, size_t len, double lo, double hi)
{
	char a[16], b[16];

	gb_fmt_change(a, sizeof(a), lo);
	gb_fmt_change(b, sizeof(b), hi);
	snprintf(buf, len, "[%s, %s]", a, b);
}

/* "write-lock (proxy: ...)" -> "write-lock": the detail is in meta.txt */
static void emulation_name(const struct gb_run *r, char *buf, size_t len)
{
	const char *v = gb_run_meta(r, "emulation");
	size_t n = strcspn(v, "(");

	while (n && v[n - 1] == ' ')
		n--;
	snprintf(buf, len, "%.*s", (int)n, v);
}

void gb_run_label(const struct gb_run *r, char *buf, size_t len)
{
	const char *label = gb_run_meta(r, "label");
	char emu[128] = "";

	if (gb_run_emulated(r))
		emulation_name(r, emu, sizeof(emu));
	/* a --label names the run first: two runs of one release differ */
	if (strcmp(label, "?"))
		snprintf(buf, len, "%s (%s %s%s%s)", label,
			 gb_run_meta(r, "kernel_release"),
			 gb_run_meta(r, "guard_path"),
			 emu[0] ? " EMULATED " : "", emu);
	else
		snprintf(buf, len, "%s %s%s%s",
			 gb_run_meta(r, "kernel_release"),
			 gb_run_meta(r, "guard_path"),
			 emu[0] ? " EMULATED " : "", emu);
	/*
	 * An incomplete run (taken with --allow-incomplete) says so in its
	 * name, so every table, TSV column and plot legend that names it
	 * carries the mark.
	 */
	if (!gb_run_complete(r) && strlen(buf) + 13 < len)
		strcat(buf, " INCOMPLETE");
}
