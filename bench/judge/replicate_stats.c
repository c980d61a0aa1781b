// SPDX-License-Identifier: GPL-2.0
/*
 * Replicate-level comparison: Welch's t on log replicate medians, its
 * interval and minimum detectable effect (see replicate_stats.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "judge/replicate_stats.h"
#include "base/stats.h"
#include "base/util.h"

/* Continued fraction of the incomplete beta (modified Lentz). */
static double beta_cf(double a, double b, double x)
{
	const double tiny = 1e-300;
	double c = 1, d = 1 - (a + b) * x / (a + 1), h;

	d = fabs(d) < tiny ? tiny : d;
	d = 1 / d;
	h = d;
	for (int m = 1; m <= 500; m++) {
		double m2 = 2.0 * m, aa, del;

		aa = m * (b - m) * x / ((a + m2 - 1) * (a + m2));
		d = 1 + aa * d;
		d = fabs(d) < tiny ? tiny : d;
		c = 1 + aa / c;
		c = fabs(c) < tiny ? tiny : c;
		d = 1 / d;
		h *= d * c;
		aa = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1));
		d = 1 + aa * d;
		d = fabs(d) < tiny ? tiny : d;
		c = 1 + aa / c;
		c = fabs(c) < tiny ? tiny : c;
		d = 1 / d;
		del = d * c;
		h *= del;
		if (fabs(del - 1) < 1e-15)
			break;
	}
	return h;
}

/* Regularised incomplete beta I_x(a, b). */
static double inc_beta(double a, double b, double x)
{
	double front;

	if (x <= 0)
		return 0;
	if (x >= 1)
		return 1;
	front = exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) +
		    b * log1p(-x));
	if (x < (a + 1) / (a + b + 2))
		return front * beta_cf(a, b, x) / a;
	return 1 - front * beta_cf(b, a, 1 - x) / b;
}

double gb_t_cdf(double t, double df)
{
	double tail;

	if (isnan(t) || !(df > 0))
		return NAN;
	if (isinf(t))
		return t > 0 ? 1 : 0;
	tail = 0.5 * inc_beta(df / 2, 0.5, df / (df + t * t));
	return t > 0 ? 1 - tail : tail;
}

static double t_density(double t, double df)
{
	return exp(lgamma((df + 1) / 2) - lgamma(df / 2) -
		   0.5 * log(df * M_PI) -
		   (df + 1) / 2 * log1p(t * t / df));
}

/*
 * Newton's method on the CDF, kept inside a bracket that bisection
 * shrinks whenever a Newton step would leave it: a few CDF evaluations
 * instead of fifty.
 */
double gb_t_quantile(double p, double df)
{
	double lo = -1, hi = 1, t = 0;

	if (!(p > 0 && p < 1) || !(df > 0))
		return NAN;
	while (gb_t_cdf(lo, df) > p)
		lo *= 2;
	while (gb_t_cdf(hi, df) < p)
		hi *= 2;
	t = (lo + hi) / 2;
	for (int i = 0; i < 100; i++) {
		double f = gb_t_cdf(t, df) - p, next;

		if (f == 0)
			break;
		if (f < 0)
			lo = t;
		else
			hi = t;
		next = t - f / t_density(t, df);
		if (!(next > lo && next < hi))
			next = (lo + hi) / 2;
		if (fabs(next - t) <= 1e-12 * fmax(1, fabs(t))) {
			t = next;
			break;
		}
		t = next;
	}
	return t;
}

static int cmp_rep(const void *a, const void *b, void *arg)
{
	const unsigned int *rep = arg;
	size_t i = *(const size_t *)a, j = *(const size_t *)b;

	return rep[i] < rep[j] ? -1 : rep[i] > rep[j];
}

void gb_sample_build(struct gb_sample *s, const double *v,
		     const unsigned int *rep, size_t n)
{
	size_t *idx = gb_zalloc((n ? n : 1) * sizeof(*idx));
	double *grp = gb_zalloc((n ? n : 1) * sizeof(*grp));
	double *cv = gb_zalloc((n ? n : 1) * sizeof(*cv));
	double sum = 0, sq = 0;
	size_t ncv = 0;

	memset(s, 0, sizeof(*s));
	s->n = n;
	s->median = gb_zalloc((n ? n : 1) * sizeof(*s->median));
	for (size_t i = 0; i < n; i++)
		idx[i] = i;
	qsort_r(idx, n, sizeof(*idx), cmp_rep, (void *)rep);
	for (size_t i = 0; i < n;) {
		size_t j = i, k = 0;
		struct gb_summary sm;

		while (j < n && rep[idx[j]] == rep[idx[i]])
			grp[k++] = v[idx[j++]];
		gb_summarise(grp, k, &sm);
		s->median[s->nrep++] = sm.median;
		if (k > 1 && !isnan(sm.cv))
			cv[ncv++] = sm.cv;
		i = j;
	}
	s->positive = s->nrep > 0;
	for (size_t r = 0; r < s->nrep; r++)
		s->positive &= s->median[r] > 0;
	s->centre = s->log_sd = NAN;
	if (s->positive) {
		for (size_t r = 0; r < s->nrep; r++)
			sum += log(s->median[r]);
		s->centre = exp(sum / (double)s->nrep);
		if (s->nrep > 1) {
			double m = sum / (double)s->nrep;

			for (size_t r = 0; r < s->nrep; r++)
				sq += (log(s->median[r]) - m) *
				      (log(s->median[r]) - m);
			s->log_sd = sqrt(sq / (double)(s->nrep - 1));
		}
	}
	s->within_cv = ncv ? gb_median(cv, ncv) : NAN;
	free(cv);
	free(grp);
	free(idx);
}

void gb_sample_free(struct gb_sample *s)
{
	free(s->median);
	s->median = NULL;
}

static double mean_log(const struct gb_sample *s)
{
	return log(s->centre);
}

int gb_re_compare(const struct gb_sample *b, const struct gb_sample *n,
		  const struct gb_floor *floor, double level,
		  double alpha_family, struct gb_re_result *out)
{
	double d, t, tq, vb, vn;

	out->ratio = out->lo = out->hi = out->p = NAN;
	out->df = out->se = out->mde = NAN;
	out->used_floor = false;
	if (!b->positive || !n->positive)
		return -EDOM;
	d = mean_log(n) - mean_log(b);
	out->ratio = exp(d);
	if (b->nrep >= 2 && n->nrep >= 2) {
		vb = b->log_sd * b->log_sd / (double)b->nrep;
		vn = n->log_sd * n->log_sd / (double)n->nrep;
		out->se = sqrt(vb + vn);
		out->df = vb + vn > 0 ?
			  (vb + vn) * (vb + vn) /
			  (vb * vb / (double)(b->nrep - 1) +
			   vn * vn / (double)(n->nrep - 1)) :
			  (double)(b->nrep + n->nrep - 2);
	} else if (floor && floor->log_sd > 0 && floor->df > 0) {
		out->se = floor->log_sd * sqrt(1.0 / (double)b->nrep +
					       1.0 / (double)n->nrep);
		out->df = floor->df;
		out->used_floor = true;
	} else {
		return 0;	/* between-replicate variance unknown */
	}
	if (out->se == 0) {
		/* identical replicates on each side: exact, or no change */
		out->p = d == 0 ? 1 : 0;
		out->lo = out->hi = out->ratio;
		out->mde = 0;
		return 0;
	}
	t = d / out->se;
	out->p = fmin(1, 2 * gb_t_cdf(-fabs(t), out->df));
	tq = gb_t_quantile(0.5 + level / 2, out->df);
	out->lo = exp(d - tq * out->se);
	out->hi = exp(d + tq * out->se);
	out->mde = exp((gb_t_quantile(1 - alpha_family / 2, out->df) +
			gb_t_quantile(0.8, out->df)) * out->se) - 1;
	return 0;
}
