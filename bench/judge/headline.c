// SPDX-License-Identifier: GPL-2.0
/*
 * The headline: what a run says about this kernel and machine, on one
 * screen.  Nothing here names a metric: every number comes from the
 * scenarios' primary metrics (scenario.h), read back from the run
 * directory.  A cell's parameters end with its sweep variable N (the
 * last one with a number: faulters=4, threads=8, guards=1024); the
 * other parameters make its group (share=same-vma).  For each group
 * the headline gives the cell at the largest N against the same
 * group's smallest N, or the scenario's N = 0 cell when the group has
 * none (faults share=none faulters=0).  A scenario without contenders
 * whose sweep does not start at 0 (install: pages=1,16,512) is the
 * uncontended cost: its first cell is printed as it is.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "judge/compare_stats.h"
#include "judge/headline.h"
#include "judge/report.h"
#include "files/results.h"
#include "files/run_dir.h"
#include "measure/scenario.h"
#include "base/util.h"

#define DRAWS		2000
#define SEED		1
#define MAX_LINES	256
#define MAX_CELLS	256
#define MAX_METRICS	8
#define W_GROUP		16
#define W_N		11
#define W_VAL		23

struct lines {
	char *l[MAX_LINES];
	size_t n;
};

static void add(struct lines *ls, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void add(struct lines *ls, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = gb_vasprintf(fmt, ap);
	va_end(ap);
	if (ls->n == MAX_LINES) {
		free(s);
		return;
	}
	ls->l[ls->n++] = s;
}

/* Word-wrap @text into lines of GB_HEADLINE_COLS, continuations indented. */
static void add_wrapped(struct lines *ls, const char *text)
{
	char buf[GB_HEADLINE_COLS + 1];
	size_t col = 0;
	const char *p = text;

	while (*p) {
		size_t word = strcspn(p, " ");

		if (col && col + 1 + word > GB_HEADLINE_COLS) {
			add(ls, "%.*s", (int)col, buf);
			memcpy(buf, "   ", 3);
			col = 3;
		} else if (col) {
			buf[col++] = ' ';
		}
		if (word > GB_HEADLINE_COLS - col)
			word = GB_HEADLINE_COLS - col;	/* one huge word */
		memcpy(buf + col, p, word);
		col += word;
		p += word;
		while (*p == ' ')
			p++;
	}
	if (col)
		add(ls, "%.*s", (int)col, buf);
}

/* One cell of a scenario: its group and its N. */
struct hcell {
	const char *cell;
	char group[192];	/* the other parameters, as written */
	char shown[192];	/* the group for a reader: values only */
	char nkey[48];
	long n;
	bool has_n;
};

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

static void split_cell(struct hcell *h, const char *cell)
{
	char *copy = gb_strdup(cell), *tok, *save;
	size_t gl = 0, sl = 0, n_at = SIZE_MAX;	/* offset of N's "k=v" */

	memset(h, 0, sizeof(*h));
	h->cell = cell;
	for (tok = strtok_r(copy, " ", &save); tok;
	     tok = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(tok, '=');

		if (eq && all_digits(eq + 1))
			n_at = (size_t)(tok - copy);
	}
	free(copy);
	copy = gb_strdup(cell);
	for (tok = strtok_r(copy, " ", &save); tok;
	     tok = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(tok, '=');

		if ((size_t)(tok - copy) == n_at)
			continue;
		gl += (size_t)snprintf(h->group + gl, sizeof(h->group) - gl,
				       "%s%s", gl ? " " : "", tok);
		/* a word stands for itself, a number needs its name */
		sl += (size_t)snprintf(h->shown + sl, sizeof(h->shown) - sl,
				       "%s%s", sl ? " " : "",
				       eq && !all_digits(eq + 1) ? eq + 1 : tok);
	}
	if (n_at != SIZE_MAX) {
		char *n = copy + n_at, *eq = strchr(n, '=');

		h->has_n = true;
		snprintf(h->nkey, sizeof(h->nkey), "%.*s", (int)(eq - n), n);
		h->n = strtol(eq + 1, NULL, 10);
	}
	free(copy);
}

/* Percentile bootstrap of one series' median at 95%. */
static int median_ci(const double *v, size_t n, uint64_t seed, double *lo,
		     double *hi)
{
	double *med, *s;
	struct gb_rng rng;

	if (n < 2)
		return -1;
	med = gb_zalloc(DRAWS * sizeof(*med));
	s = gb_zalloc(n * sizeof(*s));
	gb_rng_seed(&rng, seed);
	for (size_t d = 0; d < DRAWS; d++) {
		for (size_t i = 0; i < n; i++)
			s[i] = v[gb_rng_below(&rng, n)];
		med[d] = gb_quantile(s, n, 0.5);
	}
	*lo = gb_quantile(med, DRAWS, 0.025);
	*hi = gb_quantile(med, DRAWS, 0.975);
	free(s);
	free(med);
	return 0;
}

static void fmt_num(char *buf, size_t len, double v)
{
	double a = fabs(v);

	if (isnan(v))
		snprintf(buf, len, "-");
	else if (a < 10)
		snprintf(buf, len, "%.2f", v);
	else if (a < 100)
		snprintf(buf, len, "%.1f", v);
	else if (a < 1000)
		snprintf(buf, len, "%.0f", v);
	else
		gb_fmt_value(buf, len, v);	/* an outlier's bound: 145.6k */
}

/* "x1.16 [1.05, 1.30]" or "0.75 [0.70, 0.80]"; no CI: "x1.16 (n=1)" */
static void fmt_with_ci(char *buf, size_t len, const char *prefix, double v,
			double lo, double hi, bool ci)
{
	char a[16], b[16], c[16];

	fmt_num(a, sizeof(a), v);
	if (!ci) {
		snprintf(buf, len, "%s%s (no CI)", prefix, a);
		return;
	}
	fmt_num(b, sizeof(b), lo);
	fmt_num(c, sizeof(c), hi);
	snprintf(buf, len, "%s%s [%s, %s]", prefix, a, b, c);
}

/* "install_latency_p50_ns" -> "install_latency_p50": units are below */
static void short_metric(char *buf, size_t len, const char *m)
{
	size_t n = strlen(m);
	const char *vs = strstr(m, "_vs_control");

	if (vs && !vs[11])
		snprintf(buf, len, "%.*s/control", (int)(vs - m), m);
	else if (n > 3 && !strcmp(m + n - 3, "_ns"))
		snprintf(buf, len, "%.*s", (int)(n - 3), m);
	else
		snprintf(buf, len, "%s", m);
}

static uint64_t name_seed(const char *a, const char *b, const char *c)
{
	uint64_t h = 0xcbf29ce484222325ULL ^ SEED;
	const char *parts[] = { a, "\t", b, "\t", c };

	for (size_t i = 0; i < ARRAY_SIZE(parts); i++)
		for (const char *p = parts[i]; *p; p++)
			h = (h ^ (unsigned char)*p) * 0x100000001b3ULL;
	return h;
}

/* One scenario's cells, in run order, and its primary metrics. */
struct hscen {
	const char *name;
	const struct gb_scenario *sc;
	struct hcell cell[MAX_CELLS];
	size_t nr_cells;
	const char *metric[MAX_METRICS];
	size_t nr_metrics;
	long min_n;
};

static void collect(struct hscen *s, const struct gb_run *r, const char *name)
{
	memset(s, 0, sizeof(*s));
	s->name = name;
	s->sc = gb_scenario_find(name);
	s->min_n = -1;
	for (size_t i = 0; i < r->nr_rows; i++) {
		const struct gb_summary_row *row = r->rows[i].sum;
		bool seen = false;

		if (strcmp(row->scenario, name) ||
		    !gb_metric_primary(name, row->metric))
			continue;
		for (size_t m = 0; m < s->nr_metrics; m++)
			seen |= !strcmp(s->metric[m], row->metric);
		if (!seen && s->nr_metrics < MAX_METRICS)
			s->metric[s->nr_metrics++] = row->metric;
		seen = false;
		for (size_t c = 0; c < s->nr_cells; c++)
			seen |= !strcmp(s->cell[c].cell, row->cell);
		if (seen || s->nr_cells == MAX_CELLS)
			continue;
		split_cell(&s->cell[s->nr_cells], row->cell);
		if (s->cell[s->nr_cells].has_n &&
		    (s->min_n < 0 || s->cell[s->nr_cells].n < s->min_n))
			s->min_n = s->cell[s->nr_cells].n;
		s->nr_cells++;
	}
}

/* The uncontended cost: the scenario's first cell as measured. */
static void absolute(struct lines *ls, const struct gb_run *r,
		     const struct hscen *s)
{
	const struct hcell *h = &s->cell[0];
	char text[1024], v[64], unit[32];
	size_t len;

	len = (size_t)snprintf(text, sizeof(text), "%s, uncontended (%s):",
			       s->name, h->cell);
	for (size_t m = 0; m < s->nr_metrics; m++) {
		const struct gb_run_row *row = gb_run_find(r, s->name, h->cell,
							   s->metric[m]);
		char name[96], lo[16], hi[16];
		double a, b;

		if (!row)
			continue;
		short_metric(name, sizeof(name), s->metric[m]);
		gb_fmt_value(v, sizeof(v), row->sum->s.median);
		snprintf(unit, sizeof(unit), "%s", row->sum->unit);
		len += (size_t)snprintf(text + len, sizeof(text) - len,
					"%s %s %s %s", m ? "," : "", name, v,
					unit);
		if (!median_ci(row->v, row->n, name_seed(s->name, h->cell,
							 s->metric[m]), &a, &b)) {
			gb_fmt_value(lo, sizeof(lo), a);
			gb_fmt_value(hi, sizeof(hi), b);
			len += (size_t)snprintf(text + len, sizeof(text) - len,
						" [%s, %s]", lo, hi);
		}
	}
	add_wrapped(ls, text);
}

/* The cell a group's largest N is measured against. */
static const struct hcell *baseline(const struct hscen *s,
				    const struct hcell *top)
{
	const struct hcell *b = NULL;

	for (size_t c = 0; c < s->nr_cells; c++) {
		const struct hcell *h = &s->cell[c];

		if (h->has_n && !strcmp(h->group, top->group) &&
		    h->n < top->n && (!b || h->n < b->n))
			b = h;
	}
	if (b)
		return b;
	for (size_t c = 0; c < s->nr_cells; c++)
		if (s->cell[c].has_n && s->cell[c].n == s->min_n &&
		    s->cell[c].n < top->n)
			return &s->cell[c];
	return NULL;
}

static void cell_value(char *buf, size_t len, const struct gb_run *r,
		       const struct hscen *s, const struct hcell *top,
		       const struct hcell *base, const char *metric)
{
	const struct gb_run_row *t = gb_run_find(r, s->name, top->cell, metric);
	const struct gb_run_row *b = gb_run_find(r, s->name, base->cell,
						 metric);
	uint64_t seed = name_seed(s->name, top->cell, metric);
	double ratio, lo = NAN, hi = NAN;

	if (!t) {
		snprintf(buf, len, "-");
		return;
	}
	/* a ratio already (*_vs_control): as it is, 1.00 = no effect */
	if (!strcmp(t->sum->unit, "ratio")) {
		bool ci = !median_ci(t->v, t->n, seed, &lo, &hi);

		fmt_with_ci(buf, len, "", t->sum->s.median, lo, hi, ci);
		return;
	}
	if (!b || b->sum->s.median <= 0) {
		snprintf(buf, len, "-");
		return;
	}
	if (gb_bootstrap_ratio_ci(b->v, b->n, t->v, t->n, DRAWS, seed, 0.95,
				  &ratio, &lo, &hi)) {
		fmt_with_ci(buf, len, "x", t->sum->s.median / b->sum->s.median,
			    lo, hi, false);
		return;
	}
	fmt_with_ci(buf, len, "x", ratio, lo, hi, true);
}

static void put_cols(char *buf, size_t len, const char *a, const char *b,
		     const char *const *v, size_t nv)
{
	size_t o = (size_t)snprintf(buf, len, "  %-*s %-*s", W_GROUP, a, W_N,
				    b);

	for (size_t i = 0; i < nv && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, " %-*s", W_VAL, v[i]);
	while (o && buf[o - 1] == ' ')
		buf[--o] = '\0';
}

/*
 * One line per group with a cell beyond its baseline: each primary
 * metric at the group's largest N, as a ratio to the baseline (x) or,
 * for a ratio metric, as it is.
 */
static void contended(struct lines *ls, const struct gb_run *r,
		      const struct hscen *s)
{
	char head[256], line[256], title[64], vals[MAX_METRICS][64];
	const char *v[MAX_METRICS];
	bool header = false;

	for (size_t c = 0; c < s->nr_cells; c++) {
		const struct hcell *top = &s->cell[c], *base;
		char nbuf[64];
		bool first = true;

		if (!top->has_n)
			continue;
		/* the group's first cell only, and its largest N */
		for (size_t k = 0; k < c; k++)
			first &= strcmp(s->cell[k].group, top->group) != 0;
		if (!first)
			continue;
		for (size_t k = c + 1; k < s->nr_cells; k++)
			if (!strcmp(s->cell[k].group, top->group) &&
			    s->cell[k].has_n && s->cell[k].n > top->n)
				top = &s->cell[k];
		base = baseline(s, top);
		if (!base)
			continue;
		if (!header) {
			char names[MAX_METRICS][64];

			snprintf(title, sizeof(title), "%s (N: %s)", s->name,
				 top->nkey);
			for (size_t m = 0; m < s->nr_metrics; m++) {
				short_metric(names[m], sizeof(names[m]),
					     s->metric[m]);
				v[m] = names[m];
			}
			put_cols(head, sizeof(head), "", "", v, s->nr_metrics);
			/* the title over the group and N columns */
			memcpy(head, title, strlen(title) < 2 + W_GROUP + W_N ?
			       strlen(title) : 2 + W_GROUP + W_N);
			add(ls, "%s", head);
			header = true;
		}
		for (size_t m = 0; m < s->nr_metrics; m++) {
			cell_value(vals[m], sizeof(vals[m]), r, s, top, base,
				   s->metric[m]);
			v[m] = vals[m];
		}
		snprintf(nbuf, sizeof(nbuf), "%s=%ld", top->nkey, top->n);
		put_cols(line, sizeof(line), top->shown[0] ? top->shown : "-",
			 nbuf, v, s->nr_metrics);
		add(ls, "%s", line);
	}
}

static void scenario_lines(struct lines *top, struct lines *body,
			   const struct gb_run *r, const char *name)
{
	struct hscen *s = gb_zalloc(sizeof(*s));

	collect(s, r, name);
	if (!s->nr_metrics || !s->nr_cells) {
		free(s);
		return;
	}
	/* no contenders, a sweep that does not start from nothing */
	if (s->sc && !s->sc->contender_role && s->min_n != 0)
		absolute(top, r, s);
	else
		contended(body, r, s);
	free(s);
}

/* gb_headline_warnings() says, the headline wraps */
static void add_warning(void *ls, const char *text)
{
	add_wrapped(ls, text);
}

static void print_run(FILE *f, const struct gb_run *r)
{
	struct lines top = { 0 }, body = { 0 }, warn = { 0 };
	char label[512], buf[1024], reps[64] = "";
	const char *names[64];
	size_t nr_names = 0, room, shown;

	gb_run_label(r, label, sizeof(label));
	/* a merged run (-R): its replicates, each of `trials` trials */
	if (strcmp(gb_run_meta(r, "replicates"), "?"))
		snprintf(reps, sizeof(reps), "%s replicates x ",
			 gb_run_meta(r, "replicates"));
	snprintf(buf, sizeof(buf), "%s on %s, %s CPUs; %s%s trials of %.3g s",
		 label, gb_run_meta(r, "cpu_model"),
		 gb_run_meta(r, "nr_cpus"), reps, gb_run_meta(r, "trials"),
		 atof(gb_run_meta(r, "duration_s")));
	add_wrapped(&top, buf);
	snprintf(buf, sizeof(buf), "lock path: %s",
		 strcmp(gb_run_meta(r, "guard_path_detail"), "?") ?
		 gb_run_meta(r, "guard_path_detail") :
		 gb_run_meta(r, "guard_path"));
	add_wrapped(&top, buf);

	for (size_t i = 0; i < r->nr_rows; i++) {
		const char *sc = r->rows[i].sum->scenario;
		bool seen = false;

		for (size_t k = 0; k < nr_names; k++)
			seen |= !strcmp(names[k], sc);
		if (!seen && nr_names < ARRAY_SIZE(names))
			names[nr_names++] = sc;
	}
	for (size_t k = 0; k < nr_names; k++)
		scenario_lines(&top, &body, r, names[k]);
	if (body.n) {
		add_wrapped(&top, "xR: largest N over N = 0 of its group; "
			    "*/control: as is; [95% CI, this run]");
	}
	gb_headline_warnings(r, add_warning, &warn);

	/* the body gives way to the lines around it */
	room = GB_HEADLINE_LINES > top.n + warn.n + 1 ?
	       GB_HEADLINE_LINES - top.n - warn.n - 1 : 0;
	shown = body.n <= room ? body.n : room;
	for (size_t i = 0; i < top.n; i++)
		fprintf(f, "%s\n", top.l[i]);
	for (size_t i = 0; i < shown; i++)
		fprintf(f, "%s\n", body.l[i]);
	if (shown < body.n)
		fprintf(f, "  ... %zu lines more: see summary.txt\n",
			body.n - shown);
	for (size_t i = 0; i < warn.n; i++)
		fprintf(f, "%s\n", warn.l[i]);
	for (size_t i = 0; i < top.n; i++)
		free(top.l[i]);
	for (size_t i = 0; i < body.n; i++)
		free(body.l[i]);
	for (size_t i = 0; i < warn.n; i++)
		free(warn.l[i]);
}

/* The headline of run directory @dir: 0, or -1 with why in @err. */
static int headline_print(FILE *f, const char *dir, char *err, size_t errlen)
{
	struct gb_run r;

	if (gb_run_load(&r, dir, err, errlen))
		return -1;
	print_run(f, &r);
	gb_run_free(&r);
	return 0;
}

void gb_run_outcome(FILE *f, bool verbose, struct gb_cell **cells, size_t n,
		    const char *dir)
{
	char err[1024];

	if (verbose) {
		gb_summary_print(f, cells, n);
		fputc('\n', f);
	} else if (headline_print(f, dir, err, sizeof(err))) {
		gb_warn("no headline: %s", err);
	}
}
