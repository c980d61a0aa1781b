// SPDX-License-Identifier: GPL-2.0
/*
 * The per-operation timer: picking it (--timer), calibrating ticks to ns,
 * and checking the counter is invariant (clock.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "measure/clock.h"
#include "base/stats.h"
#include "base/util.h"

enum gb_timer gb_timer_kind = GB_TIMER_CLOCK_GETTIME;
#if defined(__x86_64__)
int gb_have_rdtscp;
#endif

#define CALIB_ROUNDS 5
#define CALIB_NS 20000000ull	/* 20 ms per round */
#define OVERHEAD_SAMPLES 20000
#define RESOLUTION_SAMPLES 4096

static __attribute__((unused)) bool has_flag(const char *flags,
					     const char *flag)
{
	size_t n = strlen(flag);

	for (const char *p = flags; (p = strstr(p, flag)); p += n) {
		bool start = p == flags || p[-1] == ' ' || p[-1] == '\t';
		bool end = p[n] == '\0' || p[n] == ' ' || p[n] == '\n';

		if (start && end)
			return true;
	}
	return false;
}

int gb_clock_counter_invariant(const char *flags, char *why, size_t len)
{
#if defined(__x86_64__)
	if (!has_flag(flags, "constant_tsc") || !has_flag(flags, "nonstop_tsc")) {
		snprintf(why, len, "TSC not invariant (cpuinfo lacks %s)",
			 has_flag(flags, "constant_tsc") ? "nonstop_tsc" :
			 "constant_tsc");
		return 0;
	}
	return 1;
#elif defined(__aarch64__)
	(void)flags;
	(void)why;
	(void)len;
	return 1;	/* the generic timer is architecturally constant */
#else
	(void)flags;
	snprintf(why, len, "no cycle counter support for this architecture");
	return 0;
#endif
}

static void read_cpu_flags(char *buf, size_t len)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[4096];

	buf[0] = '\0';
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "flags", 5)) {
			char *colon = strchr(line, ':');

			snprintf(buf, len, "%s", colon ? colon + 1 : "");
			break;
		}
	}
	fclose(f);
}

/*
 * One calibration round: bracket a CLOCK_MONOTONIC read by two counter
 * reads at each end, keep the tightest bracket, and divide.
 */
static double calib_round(void)
{
	uint64_t c0, c1, m0, m1, end;

	c0 = gb_counter_read();
	m0 = gb_clock_gettime_ns();
	c0 = (c0 + gb_counter_read()) / 2;
	end = m0 + CALIB_NS;
	while (gb_clock_gettime_ns() < end)
		;
	c1 = gb_counter_read();
	m1 = gb_clock_gettime_ns();
	c1 = (c1 + gb_counter_read()) / 2;
	return (double)(m1 - m0) / (double)(c1 - c0);
}

static void calibrate(struct gb_clock *c)
{
	double r[CALIB_ROUNDS];
	double lo, hi;

	if (c->kind == GB_TIMER_CLOCK_GETTIME) {
		c->ns_per_tick = 1.0;
		c->calib_spread_ppm = 0;
		return;
	}
	for (int i = 0; i < CALIB_ROUNDS; i++)
		r[i] = calib_round();
	c->ns_per_tick = gb_median(r, CALIB_ROUNDS);
	lo = gb_min(r, CALIB_ROUNDS);
	hi = gb_max(r, CALIB_ROUNDS);
	c->calib_spread_ppm = (hi - lo) / c->ns_per_tick * 1e6;
}

/*
 * Cost of one read: a long run of back-to-back reads timed as a whole,
 * then divided.  A per-pair median would read 0 where the counter ticks
 * slower than it can be read (arm64 counters run at 25 MHz to 1 GHz);
 * the whole-run mean never does.  Best of five runs: noise only adds.
 */
static void measure_overhead(struct gb_clock *c)
{
	double best = -1;

	for (int round = 0; round < 5; round++) {
		uint64_t t0 = gb_clock_read(), t1;

		for (int i = 0; i < OVERHEAD_SAMPLES; i++)
			(void)gb_clock_read();
		t1 = gb_clock_read();
		double per = (double)(t1 - t0) / (OVERHEAD_SAMPLES + 1);

		if (best < 0 || per < best)
			best = per;
	}
	c->overhead_ns = best * c->ns_per_tick;
}

static uint64_t gcd(uint64_t a, uint64_t b)
{
	while (b) {
		uint64_t t = a % b;

		a = b;
		b = t;
	}
	return a;
}

uint64_t gb_clock_step(const uint64_t *d, size_t n)
{
	uint64_t g = 0;

	for (size_t i = 0; i < n; i++)
		g = gcd(g, d[i]);
	return g ? g : 1;
}

/*
 * The counter's step: differences of reads a varying spin apart, so
 * that they are not all one multiple of the read's own cost.
 */
static void measure_resolution(struct gb_clock *c)
{
	uint64_t d[RESOLUTION_SAMPLES];

	for (int i = 0; i < RESOLUTION_SAMPLES; i++) {
		uint64_t t0 = gb_clock_read();

		for (volatile int k = 0; k < i % 37; k++)
			;
		d[i] = gb_clock_read() - t0;
	}
	c->resolution_ticks = gb_clock_step(d, RESOLUTION_SAMPLES);
}

const char *const gb_timer_names[] = {
	"auto", "tsc", "cntvct", "clock_gettime", NULL
};

int gb_clock_init(struct gb_clock *c, const char *want)
{
	char flags[4096];
	bool force_counter, force_gettime;

	memset(c, 0, sizeof(*c));
	force_counter = !strcmp(want, "tsc") || !strcmp(want, "cntvct");
	force_gettime = !strcmp(want, "clock_gettime");
	if (!force_counter && !force_gettime && strcmp(want, "auto"))
		return -EINVAL;

	read_cpu_flags(flags, sizeof(flags));
#if defined(__x86_64__)
	gb_have_rdtscp = has_flag(flags, "rdtscp");
	c->kind = GB_TIMER_TSC;
	if (!strcmp(want, "cntvct"))
		return -EINVAL;
#elif defined(__aarch64__)
	c->kind = GB_TIMER_CNTVCT;
	if (!strcmp(want, "tsc"))
		return -EINVAL;
#else
	c->kind = GB_TIMER_CLOCK_GETTIME;
#endif
	if (force_gettime) {
		c->kind = GB_TIMER_CLOCK_GETTIME;
		snprintf(c->fallback_reason, sizeof(c->fallback_reason),
			 "clock_gettime requested with --timer");
	} else if (!gb_clock_counter_invariant(flags, c->fallback_reason,
					      sizeof(c->fallback_reason))) {
		if (force_counter)
			return -ENOTSUP;
		c->kind = GB_TIMER_CLOCK_GETTIME;
	}
	gb_timer_kind = c->kind;
#if defined(__aarch64__)
	/* the architected frequency, kept beside what calibration finds */
	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(c->counter_hz));
#endif
	calibrate(c);
	measure_overhead(c);
	measure_resolution(c);
	return 0;
}

const char *gb_clock_name(const struct gb_clock *c)
{
	switch (c->kind) {
	case GB_TIMER_TSC:
#if defined(__x86_64__)
		return gb_have_rdtscp ? "tsc-rdtscp" : "tsc-lfence-rdtsc";
#else
		break;
#endif
	case GB_TIMER_CNTVCT:
		return "cntvct_el0";
	case GB_TIMER_CLOCK_GETTIME:
		break;
	}
	return "clock_gettime-monotonic";
}
